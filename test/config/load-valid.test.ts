// Valid configurations: defaults filled in, units normalised, notices, env expansion, overrides key by key.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseRiskConfig } from '../../src/config/index.ts';
import { loadConfig, loadRiskFile } from '../../src/config/load.ts';
import { ENV, VALID_ACCOUNTS, writeFiles, yaml } from './helpers.ts';

function riskFrom(text: string, notices?: string[]) {
  const dir = writeFiles({ 'risk.yaml': text });
  return { file: join(dir, 'risk.yaml'), risk: loadRiskFile(join(dir, 'risk.yaml'), notices ? { notices } : {}) };
}

describe('risk.yaml defaults and units', () => {
  it('a rule missing from the file is present, disabled, with the rules.md defaults', () => {
    const { risk } = riskFrom('rules:\n  max_contracts: { enabled: true }\n');
    expect(risk.rules.max_contracts).toEqual({ enabled: true, limit: 5, action: 'reduce_to_limit' });
    expect(risk.rules.daily_realized_loss).toEqual({ enabled: false, limit: 500, include_fees: true });
    expect(risk.rules.trade_frequency_limit).toEqual({
      enabled: false,
      count: 'entries',
      per_minute: { limit: 3, cooldown: 60_000 },
      per_hour: { limit: 10, cooldown: 1_800_000 },
      per_day: { limit: 30, cooldown: 'until_reset' },
    });
    expect(risk.trading_day).toEqual({ reset_time: '17:00', timezone: 'America/Chicago' });
    expect(risk.admin).toEqual({ unlock: 'delayed', unlock_delay: 900_000 });
  });

  it('only the keys written differ from the defaults, nested ones included', () => {
    const { risk } = riskFrom(
      'rules:\n  trade_frequency_limit:\n    enabled: true\n    per_hour: { limit: 4 }\n',
    );
    expect(risk.rules.trade_frequency_limit.per_hour).toEqual({ limit: 4, cooldown: 1_800_000 });
    expect(risk.rules.trade_frequency_limit.per_minute).toEqual({ limit: 3, cooldown: 60_000 });
  });

  it('durations: 30s, 15m, 1h and integer seconds become milliseconds', () => {
    const { risk } = riskFrom(
      yaml(`
        rules:
          no_stop_loss_grace: { enabled: true, grace: 45s }
          cooldown_after_loss:
            enabled: true
            tiers: [{ loss: 50, cooldown: 15m }, { loss: 150, cooldown: 90 }]
            consecutive_losses: { count: 2, cooldown: 1h }
          trade_frequency_limit:
            enabled: true
            per_day: { cooldown: 2h }
        admin: { unlock_delay: 0 }
      `),
    );
    expect(risk.rules.no_stop_loss_grace.grace).toBe(45_000);
    expect(risk.rules.cooldown_after_loss.tiers).toEqual([
      { loss: 50, cooldown: 900_000 },
      { loss: 150, cooldown: 90_000 },
    ]);
    expect(risk.rules.cooldown_after_loss.consecutive_losses).toEqual({ count: 2, cooldown: 3_600_000 });
    expect(risk.rules.trade_frequency_limit.per_day.cooldown).toBe(7_200_000);
    expect(risk.admin.unlock_delay).toBe(0);
  });

  it('symbols are upper-cased, times padded, blackouts become epoch ms', () => {
    const { risk } = riskFrom(
      yaml(`
        trading_day: { reset_time: "6:00", timezone: Europe/London }
        rules:
          max_contracts_per_instrument: { enabled: true, limits: { mnq: 3, Es: 1 } }
          symbol_blocks: { enabled: true, symbols: [rty, Cl] }
          session_block_outside:
            enabled: true
            timezone: America/New_York
            windows: [{ days: [sun, mon], start: "18:00", end: "17:00" }]
            holidays: []
            early_close: {}
            blackouts:
              - { start: "2026-03-06T08:30:00-05:00", end: "2026-03-06T14:00:00Z", flatten: true }
      `),
    );
    expect(risk.trading_day.reset_time).toBe('06:00');
    expect(risk.rules.max_contracts_per_instrument.limits).toEqual({ MNQ: 3, ES: 1 });
    expect(risk.rules.symbol_blocks.symbols).toEqual(['RTY', 'CL']);
    expect(risk.rules.session_block_outside.windows).toEqual([{ days: ['sun', 'mon'], start: '18:00', end: '17:00' }]);
    expect(risk.rules.session_block_outside.blackouts).toEqual([
      { start: Date.UTC(2026, 2, 6, 13, 30), end: Date.UTC(2026, 2, 6, 14, 0), flatten: true },
    ]);
  });

  it('YAML anchors and merge keys may share repeated blocks', () => {
    const { risk } = riskFrom(
      yaml(`
        rules:
          session_block_outside:
            enabled: true
            windows:
              - &rth { days: [mon], start: "08:30", end: "15:00" }
              - { <<: *rth, days: [tue] }
      `),
    );
    expect(risk.rules.session_block_outside.windows).toEqual([
      { days: ['mon'], start: '08:30', end: '15:00' },
      { days: ['tue'], start: '08:30', end: '15:00' },
    ]);
  });

  it('negative money is read as its magnitude, with a notice naming file, line and key', () => {
    const notices: string[] = [];
    const { file, risk } = riskFrom(
      yaml(`
        rules:
          daily_realized_loss:
            enabled: true
            limit: -500
          cooldown_after_loss:
            enabled: true
            tiers: [{ loss: 100, cooldown: 5m }, { loss: -250.5, cooldown: 15m }]
      `),
      notices,
    );
    expect(risk.rules.daily_realized_loss.limit).toBe(500);
    expect(risk.rules.cooldown_after_loss.tiers[1]?.loss).toBe(250.5);
    expect(notices).toEqual([
      `${file}:4:12 rules.daily_realized_loss.limit: -500 read as 500 (amounts are positive magnitudes)`,
      `${file}:7:50 rules.cooldown_after_loss.tiers[1].loss: -250.5 read as 250.5 (amounts are positive magnitudes)`,
    ]);
  });
});

describe('accounts.yaml and per-account overrides', () => {
  const SHARED = yaml(`
    rules:
      max_contracts: { enabled: true, limit: 5, action: close_all }
      daily_realized_loss: { enabled: true, limit: 500 }
      session_block_outside:
        enabled: true
        holidays: [2026-12-25]
  `);

  function loadWith(accountsTail: string, extra: Record<string, string> = {}, env: Record<string, string> = ENV) {
    const dir = writeFiles({ 'risk.yaml': SHARED, 'accounts.yaml': VALID_ACCOUNTS + accountsTail, ...extra });
    return { dir, loaded: loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env }) };
  }

  it('expands ${VAR} from the given environment and fills accounts defaults', () => {
    const { loaded } = loadWith('');
    expect(loaded.accounts.credentials).toEqual({ username: 'trader1', api_key: ENV.PX_KEY });
    expect(loaded.accounts.accounts).toEqual([]);
    expect(loaded.accounts.control).toEqual({ port: 8765 });
    expect(loaded.accounts.notifications).toBeUndefined();
    expect(loaded.perAccount).toEqual({});
  });

  it('expands variables inside longer strings', () => {
    const text = VALID_ACCOUNTS.replace('https://api.example.com', 'https://${HOST}:${PORT}/base');
    const dir = writeFiles({ 'risk.yaml': SHARED, 'accounts.yaml': text });
    const loaded = loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env: { ...ENV, HOST: 'gw.example.com', PORT: '8443' } });
    expect(loaded.accounts.gateway.api_url).toBe('https://gw.example.com:8443/base');
  });

  it('an empty accounts: key means every account; $${NAME} is the literal text ${NAME}', () => {
    const text = VALID_ACCOUNTS.replace('${PX_USER}', () => 'pre$${PX_USER}post') + 'accounts:\n  # - name: PRAC-1\n';
    const dir = writeFiles({ 'risk.yaml': SHARED, 'accounts.yaml': text });
    const loaded = loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env: ENV });
    expect(loaded.accounts.accounts).toEqual([]);
    expect(loaded.accounts.credentials.username).toBe('pre${PX_USER}post');
  });

  it('inline rules override the shared file key by key, only for that account', () => {
    const { loaded } = loadWith(
      yaml(`
        accounts:
          - name: PRAC-1
            rules:
              max_contracts: { limit: 2 }
              daily_realized_profit: { enabled: true }
          - name: PRAC-2
      `),
    );
    const one = loaded.perAccount['PRAC-1']!;
    expect(one.rules.max_contracts).toEqual({ enabled: true, limit: 2, action: 'close_all' });
    expect(one.rules.daily_realized_profit).toEqual({ enabled: true, target: 1000 });
    expect(one.rules.daily_realized_loss).toEqual(loaded.risk.rules.daily_realized_loss);
    expect(loaded.risk.rules.max_contracts.limit).toBe(5);
    expect(loaded.perAccount['PRAC-2']).toBe(loaded.risk);
  });

  it('a risk: file (relative to accounts.yaml) applies first, then inline rules; lists replace, maps merge', () => {
    const { loaded } = loadWith(
      yaml(`
        accounts:
          - name: COMBINE-1
            risk: overrides/combine.yaml
            rules:
              max_contracts: { limit: 1 }
      `),
      {
        'overrides/combine.yaml': yaml(`
          trading_day: { timezone: America/New_York }
          rules:
            max_contracts: { limit: 3, action: reduce_to_limit }
            session_block_outside: { holidays: [2026-07-03] }
          admin: { unlock: never }
        `),
      },
    );
    const c = loaded.perAccount['COMBINE-1']!;
    expect(c.trading_day).toEqual({ reset_time: '17:00', timezone: 'America/New_York' });
    expect(c.rules.max_contracts).toEqual({ enabled: true, limit: 1, action: 'reduce_to_limit' });
    expect(c.rules.session_block_outside.holidays).toEqual(['2026-07-03']);
    expect(c.rules.session_block_outside.enabled).toBe(true);
    expect(c.admin.unlock).toBe('never');
    expect(loaded.risk.admin.unlock).toBe('delayed');
  });

  it('negative money in an inline override gives a notice pointing into accounts.yaml', () => {
    const { dir, loaded } = loadWith('accounts:\n  - name: PRAC-1\n    rules:\n      daily_realized_loss: { limit: -300 }\n');
    expect(loaded.perAccount['PRAC-1']!.rules.daily_realized_loss.limit).toBe(300);
    expect(loaded.notices).toEqual([
      `${join(dir, 'accounts.yaml')}:11:37 accounts[0].rules.daily_realized_loss.limit: -300 read as 300 (amounts are positive magnitudes)`,
    ]);
  });

  it('notifications: events default to all, telegram chat ids become text', () => {
    const { loaded } = loadWith(
      yaml(`
        notifications:
          webhooks:
            - { type: discord, url: "https://discord.example.com/api/webhooks/1/x", events: [lock] }
            - { type: telegram, url: "https://api.telegram.org/botX/sendMessage", chat_id: 12345 }
      `),
    );
    expect(loaded.accounts.notifications?.webhooks).toEqual([
      { type: 'discord', url: 'https://discord.example.com/api/webhooks/1/x', events: ['lock'] },
      {
        type: 'telegram',
        url: 'https://api.telegram.org/botX/sendMessage',
        chat_id: '12345',
        events: ['lock', 'unlock', 'enforcement', 'breach', 'connection', 'daemon'],
      },
    ]);
  });

  it('accountsPath defaults to accounts.yaml beside the risk file', () => {
    const dir = writeFiles({ 'risk.yaml': SHARED, 'accounts.yaml': VALID_ACCOUNTS });
    const loaded = loadConfig({ riskPath: join(dir, 'risk.yaml'), env: ENV });
    expect(loaded.accounts.gateway.api_url).toBe('https://api.example.com');
  });
});

describe('parseRiskConfig (a config built in code)', () => {
  it('fills defaults and converts units like a file', () => {
    const risk = parseRiskConfig({ rules: { no_stop_loss_grace: { enabled: true, grace: '10s' } } });
    expect(risk.rules.no_stop_loss_grace).toEqual({ enabled: true, grace: 10_000 });
    expect(risk.rules.max_contracts.enabled).toBe(false);
  });

  it('throws a ConfigError naming the key', () => {
    expect(() => parseRiskConfig({ rules: { max_contracts: { enabled: true, limit: -1 } } })).toThrow(ConfigError);
    expect(() => parseRiskConfig({ rules: { max_contracts: { enabled: true, limit: -1 } } })).toThrow(
      '<inline risk config> rules.max_contracts.limit: expected a whole number ≥ 0, got -1',
    );
  });
});
