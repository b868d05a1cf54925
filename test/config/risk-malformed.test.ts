// Malformed risk.yaml files: each must fail with the exact file, line and key path in the message.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/config/errors.ts';
import { loadRiskFile } from '../../src/config/load.ts';
import { issuesOf, writeFiles, yaml } from './helpers.ts';

interface Case {
  name: string;
  text: string;
  line: number;
  column?: number;
  path: string;
  message: string | RegExp;
}

const cases: Case[] = [
  {
    name: 'unknown top-level key',
    text: yaml(`
      trading_day:
        reset_time: "17:00"
      rulez: {}
    `),
    line: 3, column: 1, path: 'rulez', message: /unknown key "rulez" \(did you mean "rules"\? known keys: trading_day, rules, admin\)/,
  },
  {
    name: 'unknown key inside a rule (typo)',
    text: yaml(`
      rules:
        max_contracts:
          enabled: true
          limt: 3
    `),
    line: 4, column: 5, path: 'rules.max_contracts.limt', message: /unknown key "limt" \(did you mean "limit"\? known keys: enabled, limit, action\)/,
  },
  {
    name: 'unknown rule name',
    text: yaml(`
      rules:
        max_contract:
          enabled: true
    `),
    line: 2, path: 'rules.max_contract', message: /unknown key "max_contract"/,
  },
  {
    name: 'unknown key in a nested window',
    text: yaml(`
      rules:
        trade_frequency_limit:
          enabled: true
          per_minute: { limit: 3, cooldwn: 60s }
    `),
    line: 4, path: 'rules.trade_frequency_limit.per_minute.cooldwn', message: /unknown key "cooldwn"/,
  },
  {
    name: 'count written as a word',
    text: yaml(`
      rules:
        max_contracts:
          enabled: true
          limit: five
    `),
    line: 4, column: 12, path: 'rules.max_contracts.limit', message: 'expected a whole number ≥ 0, got "five"',
  },
  {
    name: 'negative count',
    text: yaml(`
      rules:
        max_contracts:
          enabled: true
          limit: -1
    `),
    line: 4, path: 'rules.max_contracts.limit', message: 'expected a whole number ≥ 0, got -1',
  },
  {
    name: 'fractional count',
    text: yaml(`
      rules:
        trade_frequency_limit:
          enabled: true
          per_hour: { limit: 2.5 }
    `),
    line: 4, path: 'rules.trade_frequency_limit.per_hour.limit', message: 'expected a whole number ≥ 0, got 2.5',
  },
  {
    name: 'negative per-symbol limit',
    text: yaml(`
      rules:
        max_contracts_per_instrument:
          enabled: true
          limits:
            ES: 1
            NQ: -2
    `),
    line: 6, path: 'rules.max_contracts_per_instrument.limits.NQ', message: 'expected a whole number ≥ 0, got -2',
  },
  {
    name: 'one symbol written twice in two cases',
    text: yaml(`
      rules:
        max_contracts_per_instrument:
          enabled: true
          limits:
            mnq: 4
            MNQ: 1
    `),
    line: 6, path: 'rules.max_contracts_per_instrument.limits.MNQ', message: 'symbol MNQ is listed twice',
  },
  {
    name: 'unknown action',
    text: yaml(`
      rules:
        max_contracts:
          enabled: true
          action: close_everything
    `),
    line: 4, path: 'rules.max_contracts.action', message: 'expected one of reduce_to_limit, close_all, got "close_everything"',
  },
  {
    name: 'rule without enabled',
    text: yaml(`
      rules:
        daily_realized_loss:
          limit: 500
    `),
    line: 2, column: 3, path: 'rules.daily_realized_loss.enabled', message: 'required key "enabled" is missing (true or false)',
  },
  {
    name: 'enabled is not a boolean',
    text: yaml(`
      rules:
        auth_loss_guard:
          enabled: "yes"
    `),
    line: 3, path: 'rules.auth_loss_guard.enabled', message: 'expected true or false, got "yes"',
  },
  {
    name: 'misspelt trading-day time zone',
    text: yaml(`
      trading_day:
        reset_time: "17:00"
        timezone: America/Chicag
    `),
    line: 3, path: 'trading_day.timezone', message: 'expected an IANA time zone such as America/Chicago, got "America/Chicag" (did you mean "America/Chicago"?)',
  },
  {
    name: 'abbreviated session time zone',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          timezone: CST6CDTX
    `),
    line: 4, path: 'rules.session_block_outside.timezone', message: /expected an IANA time zone/,
  },
  {
    name: 'duration with an unknown unit',
    text: yaml(`
      rules:
        no_stop_loss_grace:
          enabled: true
          grace: 30x
    `),
    line: 4, path: 'rules.no_stop_loss_grace.grace',
    message: 'expected a duration like 30s, 15m, 1h or a whole number of seconds, got "30x"',
  },
  {
    name: 'negative duration',
    text: yaml(`
      admin:
        unlock_delay: -5
    `),
    line: 2, path: 'admin.unlock_delay', message: /expected a duration .*, got -5/,
  },
  {
    name: 'duration in a list item',
    text: yaml(`
      rules:
        cooldown_after_loss:
          enabled: true
          tiers:
            - { loss: 100, cooldown: 5m }
            - { loss: 200, cooldown: soon }
    `),
    line: 6, path: 'rules.cooldown_after_loss.tiers[1].cooldown', message: /expected a duration .*, got "soon"/,
  },
  {
    name: 'until_reset where only a duration is allowed',
    text: yaml(`
      rules:
        cooldown_after_loss:
          enabled: true
          consecutive_losses: { count: 3, cooldown: until_reset }
    `),
    line: 4, path: 'rules.cooldown_after_loss.consecutive_losses.cooldown', message: /expected a duration .*, got "until_reset"/,
  },
  {
    name: 'cooldown that is neither a duration nor until_reset',
    text: yaml(`
      rules:
        trade_frequency_limit:
          enabled: true
          per_day: { limit: 30, cooldown: tomorrow }
    `),
    line: 4, path: 'rules.trade_frequency_limit.per_day.cooldown', message: /or until_reset, got "tomorrow"/,
  },
  {
    name: 'reset time out of range',
    text: yaml(`
      trading_day:
        reset_time: "25:00"
    `),
    line: 2, column: 15, path: 'trading_day.reset_time', message: 'expected a time "HH:MM" (00:00 to 23:59), got "25:00"',
  },
  {
    name: 'window start not HH:MM',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          windows:
            - { days: [mon], start: "8h30", end: "15:00" }
    `),
    line: 5, path: 'rules.session_block_outside.windows[0].start', message: /expected a time "HH:MM".*got "8h30"/,
  },
  {
    name: 'window that ends when it starts',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          windows:
            - days: [mon]
              start: "09:00"
              end: "09:00"
    `),
    line: 7, path: 'rules.session_block_outside.windows[0].end', message: 'a window must end at a different time than it starts',
  },
  {
    name: 'weekday spelt out',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          windows:
            - days: [mon, tuesday]
              start: "08:30"
              end: "15:00"
    `),
    line: 5, path: 'rules.session_block_outside.windows[0].days[1]',
    message: 'expected a weekday (mon, tue, wed, thu, fri, sat, sun), got "tuesday"',
  },
  {
    name: 'window with no days',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          windows:
            - days: []
              start: "08:30"
              end: "15:00"
    `),
    line: 5, path: 'rules.session_block_outside.windows[0].days', message: 'expected at least one weekday',
  },
  {
    name: 'holiday that does not exist',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          holidays: [2026-12-25, 2026-02-30]
    `),
    line: 4, path: 'rules.session_block_outside.holidays[1]', message: 'expected a real date "YYYY-MM-DD", got "2026-02-30"',
  },
  {
    name: 'early close keyed by a bad date',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          early_close:
            2026-11-27: "12:00"
            next friday: "12:00"
    `),
    line: 6, column: 7, path: 'rules.session_block_outside.early_close.next friday', message: /expected a real date "YYYY-MM-DD", got "next friday"/,
  },
  {
    name: 'early close with a bad time',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          early_close: { 2026-11-27: "noon" }
    `),
    line: 4, path: 'rules.session_block_outside.early_close.2026-11-27', message: /expected a time "HH:MM".*got "noon"/,
  },
  {
    name: 'blackout that ends before it starts',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          blackouts:
            - start: "2026-03-06T08:30:00-06:00"
              end: "2026-03-06T08:00:00-06:00"
    `),
    line: 6, path: 'rules.session_block_outside.blackouts[0].end', message: 'a blackout must end after it starts',
  },
  {
    name: 'blackout without a UTC offset',
    text: yaml(`
      rules:
        session_block_outside:
          enabled: true
          blackouts:
            - { start: "2026-03-06T08:30:00", end: "2026-03-06T09:00:00Z" }
    `),
    line: 5, path: 'rules.session_block_outside.blackouts[0].start', message: /expected an ISO date-time with an offset/,
  },
  {
    name: 'money that is not a number',
    text: yaml(`
      rules:
        daily_realized_loss:
          enabled: true
          limit: 500$
    `),
    line: 4, path: 'rules.daily_realized_loss.limit', message: 'expected an amount in dollars (a number), got "500$"',
  },
  {
    name: 'blocked symbol with a space',
    text: yaml(`
      rules:
        symbol_blocks:
          enabled: true
          symbols: [RTY, "C L"]
    `),
    line: 4, path: 'rules.symbol_blocks.symbols[1]', message: /expected a symbol such as ES or MNQ/,
  },
  {
    name: 'rules written as a list',
    text: yaml(`
      rules:
        - max_contracts
    `),
    line: 2, path: 'rules', message: 'expected a mapping, got a list',
  },
  {
    name: 'symbols written as a single word',
    text: yaml(`
      rules:
        symbol_blocks:
          enabled: true
          symbols: RTY
    `),
    line: 4, path: 'rules.symbol_blocks.symbols', message: 'expected a list of symbols, got "RTY"',
  },
  {
    name: 'unknown admin unlock mode',
    text: yaml(`
      admin:
        unlock: sometimes
    `),
    line: 2, path: 'admin.unlock', message: 'expected one of allowed, delayed, never, got "sometimes"',
  },
  {
    name: 'YAML syntax: unclosed flow mapping',
    text: yaml(`
      rules:
        max_contracts: { enabled: true, limit: 5
      admin:
        unlock: never
    `),
    line: 3, path: '', message: /^YAML syntax error: /,
  },
  {
    name: 'YAML syntax: duplicate key',
    text: yaml(`
      rules:
        max_contracts:
          enabled: true
          enabled: false
    `),
    line: 4, path: '', message: /YAML syntax error: Map keys must be unique/,
  },
  {
    name: 'YAML syntax: tab indentation',
    text: 'rules:\n\tmax_contracts:\n',
    line: 2, path: '', message: /YAML syntax error/,
  },
  {
    name: 'top level is a list',
    text: '- rules\n- admin\n',
    line: 1, path: '', message: 'expected a YAML mapping (key: value) at the top level',
  },
  {
    name: 'empty file',
    text: '# only a comment\n\n',
    line: 0, path: '', message: 'file is empty, expected a YAML mapping',
  },
];

describe('malformed risk.yaml', () => {
  it.each(cases)('$name', (c) => {
    const dir = writeFiles({ 'risk.yaml': c.text });
    const file = join(dir, 'risk.yaml');
    const issues = issuesOf(() => loadRiskFile(file));
    const hit = issues.find((i) => i.path === c.path && i.line === c.line);
    expect(hit, `issues were:\n${issues.map(formatIssue).join('\n')}`).toBeDefined();
    expect(hit!.file).toBe(file);
    if (c.column !== undefined) expect(hit!.column).toBe(c.column);
    if (typeof c.message === 'string') expect(hit!.message).toBe(c.message);
    else expect(hit!.message).toMatch(c.message);
  });

  it('formats each issue as file:line:column path: message', () => {
    const dir = writeFiles({ 'risk.yaml': 'rules:\n  max_contracts:\n    enabled: true\n    limit: five\n' });
    const file = join(dir, 'risk.yaml');
    expect(() => loadRiskFile(file)).toThrow(`${file}:4:12 rules.max_contracts.limit: expected a whole number ≥ 0, got "five"`);
  });

  it('reports every problem of a file at once, in line order', () => {
    const text = yaml(`
      trading_day:
        timezone: Mars/Olympus
      rules:
        max_contracts: { enabled: true, limit: x }
        no_stop_loss_grace: { enabled: true, grace: forever }
    `);
    const dir = writeFiles({ 'risk.yaml': text });
    const issues = issuesOf(() => loadRiskFile(join(dir, 'risk.yaml')));
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [2, 'trading_day.timezone'],
      [4, 'rules.max_contracts.limit'],
      [5, 'rules.no_stop_loss_grace.grace'],
    ]);
  });

  it('a missing file is named', () => {
    const dir = writeFiles({});
    const file = join(dir, 'nope.yaml');
    const [issue] = issuesOf(() => loadRiskFile(file));
    expect(issue).toEqual({ file, line: 0, column: 0, path: '', message: 'file not found' });
  });

  it('a directory is not a config file', () => {
    const dir = writeFiles({});
    mkdirSync(join(dir, 'risk.yaml'));
    const [issue] = issuesOf(() => loadRiskFile(join(dir, 'risk.yaml')));
    expect(issue?.message).toBe('is a directory, expected a YAML file');
  });
});
