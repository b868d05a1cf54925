// Malformed accounts.yaml files and per-account overrides: exact file, line and key; secrets never echoed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/config/errors.ts';
import type { ConfigIssue } from '../../src/config/errors.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ENV, VALID_ACCOUNTS, issuesOf, writeFiles, yaml } from './helpers.ts';

const RISK = 'rules:\n  max_contracts: { enabled: true, limit: 5 }\n';

function load(accounts: string, env: Record<string, string> = ENV, extra: Record<string, string> = {}) {
  const dir = writeFiles({ 'risk.yaml': RISK, 'accounts.yaml': accounts, ...extra });
  const accountsPath = join(dir, 'accounts.yaml');
  const issues = issuesOf(() => loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath, env }));
  return { dir, accountsPath, issues };
}

function find(issues: ConfigIssue[], file: string, line: number, path: string): ConfigIssue {
  const hit = issues.find((i) => i.file === file && i.line === line && i.path === path);
  expect(hit, `issues were:\n${issues.map(formatIssue).join('\n')}`).toBeDefined();
  return hit!;
}

interface Case {
  name: string;
  text: string;
  env?: Record<string, string>;
  line: number;
  path: string;
  message: string | RegExp;
}

const cases: Case[] = [
  {
    name: 'credentials block missing',
    text: yaml(`
      gateway:
        api_url: https://api.example.com
        user_hub_url: https://rtc.example.com/hubs/user
        market_hub_url: https://rtc.example.com/hubs/market
    `),
    line: 1, path: 'credentials', message: 'required key "credentials" is missing (a mapping)',
  },
  {
    name: 'api_key missing',
    text: VALID_ACCOUNTS.replace('  api_key: ${PX_KEY}\n', ''),
    line: 5, path: 'credentials.api_key', message: /required key "api_key" is missing/,
  },
  {
    name: 'api_key empty after expansion',
    text: VALID_ACCOUNTS,
    env: { PX_USER: 'trader1', PX_KEY: '' },
    line: 7, path: 'credentials.api_key', message: 'expected an API key, e.g. ${PROJECTX_API_KEY}',
  },
  {
    name: 'unset environment variable',
    text: VALID_ACCOUNTS,
    env: { PX_KEY: 'x' },
    line: 6, path: 'credentials.username', message: 'environment variable PX_USER is not set',
  },
  {
    name: 'malformed variable reference',
    text: VALID_ACCOUNTS.replace('${PX_USER}', '${1USER}'),
    line: 6, path: 'credentials.username', message: '"${1USER}" is not a valid environment variable reference',
  },
  {
    name: 'REST URL with a websocket scheme',
    text: VALID_ACCOUNTS.replace('https://api.example.com', 'wss://api.example.com'),
    line: 2, path: 'gateway.api_url', message: 'expected a URL starting with http:// or https://, got "wss://api.example.com"',
  },
  {
    name: 'hub URL that is not a URL',
    text: VALID_ACCOUNTS.replace('wss://rtc.example.com/hubs/user', 'rtc.example.com/hubs/user'),
    line: 3, path: 'gateway.user_hub_url', message: /expected a URL starting with http:\/\/ or https:\/\/ or ws:\/\/ or wss:\/\//,
  },
  {
    name: 'unknown gateway key',
    text: VALID_ACCOUNTS.replace('  api_url:', '  rest_url: https://x.example.com\n  api_url:'),
    line: 2, path: 'gateway.rest_url', message: /unknown key "rest_url"/,
  },
  {
    name: 'port out of range',
    text: `${VALID_ACCOUNTS}control:\n  port: 70000\n`,
    line: 9, path: 'control.port', message: 'expected a whole number from 1 to 65535, got 70000',
  },
  {
    name: 'port as a word',
    text: `${VALID_ACCOUNTS}control:\n  port: http\n`,
    line: 9, path: 'control.port', message: 'expected a whole number from 1 to 65535, got "http"',
  },
  {
    name: 'duplicate accounts',
    text: `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n  - name: PRAC-2\n  - name: PRAC-1\n`,
    line: 11, path: 'accounts[2].name', message: 'duplicate account "PRAC-1"',
  },
  {
    name: 'accounts written as a single name',
    text: `${VALID_ACCOUNTS}accounts: PRAC-1\n`,
    line: 8, path: 'accounts', message: 'expected a list of accounts {name, risk?, rules?}, got "PRAC-1"',
  },
  {
    name: 'account without a name',
    text: `${VALID_ACCOUNTS}accounts:\n  - risk: other.yaml\n`,
    line: 9, path: 'accounts[0].name', message: /required key "name" is missing/,
  },
  {
    name: 'unknown key in an account entry',
    text: `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n    rule: {}\n`,
    line: 10, path: 'accounts[0].rule', message: /unknown key "rule" \(did you mean "rules"\? known keys: name, risk, rules\)/,
  },
  {
    name: 'webhook of an unknown type',
    text: `${VALID_ACCOUNTS}notifications:\n  webhooks:\n    - { type: slack, url: "https://hooks.example.com/x" }\n`,
    line: 10, path: 'notifications.webhooks[0].type', message: 'expected a webhook type discord, telegram or json, got "slack"',
  },
  {
    name: 'telegram webhook without chat_id',
    text: `${VALID_ACCOUNTS}notifications:\n  webhooks:\n    - type: telegram\n      url: "https://api.telegram.org/botX/sendMessage"\n`,
    line: 10, path: 'notifications.webhooks[0].chat_id', message: /required key "chat_id" is missing/,
  },
  {
    name: 'webhook with an unknown event',
    text: `${VALID_ACCOUNTS}notifications:\n  webhooks:\n    - { type: json, url: "https://h.example.com", events: [lock, crash] }\n`,
    line: 10, path: 'notifications.webhooks[0].events[1]', message: /expected one of lock, unlock, .*, got "crash"/,
  },
];

describe('malformed accounts.yaml', () => {
  it.each(cases)('$name', (c) => {
    const { accountsPath, issues } = load(c.text, c.env ?? ENV);
    const hit = find(issues, accountsPath, c.line, c.path);
    if (typeof c.message === 'string') expect(hit.message).toBe(c.message);
    else expect(hit.message).toMatch(c.message);
  });

  it('an unset variable is reported once, not again as an empty value', () => {
    const { issues } = load(VALID_ACCOUNTS, {});
    expect(issues.map((i) => i.message)).toEqual([
      'environment variable PX_USER is not set',
      'environment variable PX_KEY is not set',
    ]);
  });

  it('never echoes a secret: credentials, webhook URLs, or any value that came from the environment', () => {
    const secret = 'S3CR3T-abcdef-123456';
    const text = yaml(`
      gateway:
        api_url: \${API_URL}
        user_hub_url: https://rtc.example.com/hubs/user
        market_hub_url: https://rtc.example.com/hubs/market
      credentials:
        username: ["${secret}"]
        api_key: 123456789
      notifications:
        webhooks:
          - { type: discord, url: "ftp://${secret}@x" }
    `);
    const { issues } = load(text, { API_URL: `not a url ${secret}` });
    expect(issues.map((i) => i.path)).toEqual([
      'gateway.api_url',
      'credentials.username',
      'credentials.api_key',
      'notifications.webhooks[0].url',
    ]);
    for (const i of issues) {
      expect(formatIssue(i)).not.toContain(secret);
      expect(formatIssue(i)).not.toContain('123456789');
    }
  });

  it('a missing accounts file is named', () => {
    const dir = writeFiles({ 'risk.yaml': RISK });
    const accountsPath = join(dir, 'accounts.yaml');
    const issues = issuesOf(() => loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath, env: ENV }));
    expect(issues).toEqual([{ file: accountsPath, line: 0, column: 0, path: '', message: 'file not found' }]);
  });

  it('problems in both files are all reported, risk file first', () => {
    const dir = writeFiles({ 'risk.yaml': 'rules:\n  max_contracts: { enabled: maybe }\n', 'accounts.yaml': `${VALID_ACCOUNTS}control: { port: 0 }\n` });
    const riskPath = join(dir, 'risk.yaml');
    const accountsPath = join(dir, 'accounts.yaml');
    const issues = issuesOf(() => loadConfig({ riskPath, accountsPath, env: ENV }));
    expect(issues.map((i) => `${i.file === riskPath ? 'risk' : 'accounts'}:${i.line} ${i.path}`)).toEqual([
      'risk:2 rules.max_contracts.enabled',
      'accounts:8 control.port',
    ]);
  });
});

describe('malformed per-account overrides', () => {
  it('an unknown key in inline rules points into accounts.yaml', () => {
    const text = `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n    rules:\n      max_contracts: { limt: 3 }\n`;
    const { accountsPath, issues } = load(text);
    const hit = find(issues, accountsPath, 11, 'accounts[0].rules.max_contracts.limt');
    expect(hit.message).toMatch(/unknown key "limt"/);
  });

  it('a wrong value in inline rules points into accounts.yaml', () => {
    const text = `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n  - name: PRAC-2\n    rules:\n      no_stop_loss_grace:\n        grace: 10 minutes\n`;
    const { accountsPath, issues } = load(text);
    const hit = find(issues, accountsPath, 13, 'accounts[1].rules.no_stop_loss_grace.grace');
    expect(hit.message).toMatch(/expected a duration .*got "10 minutes"/);
  });

  it('enabling a rule the shared file lacks, without enabled, names the missing key in accounts.yaml', () => {
    const text = `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n    rules:\n      daily_realized_profit: { target: 800 }\n`;
    const { accountsPath, issues } = load(text);
    const hit = find(issues, accountsPath, 11, 'accounts[0].rules.daily_realized_profit.enabled');
    expect(hit.message).toBe('required key "enabled" is missing (true or false)');
  });

  it('inline rules that are not a mapping', () => {
    const text = `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n    rules: [max_contracts]\n`;
    const { accountsPath, issues } = load(text);
    expect(find(issues, accountsPath, 10, 'accounts[0].rules').message).toBe('expected a mapping of rule overrides, got a list');
  });

  it('a missing override risk file is reported on the accounts.yaml line that names it', () => {
    const text = `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n    risk: strict.yaml\n`;
    const { dir, accountsPath, issues } = load(text);
    const hit = find(issues, accountsPath, 10, 'accounts[0].risk');
    expect(hit.message).toBe(`${join(dir, 'strict.yaml')}: file not found`);
  });

  it('a wrong value in an override risk file points into that file', () => {
    const text = `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n    risk: strict.yaml\n`;
    const strict = yaml(`
      trading_day:
        timezone: Europe/Londn
      rules:
        max_contracts:
          limit: 2
          actoin: close_all
    `);
    const { dir, issues } = load(text, ENV, { 'strict.yaml': strict });
    const file = join(dir, 'strict.yaml');
    expect(find(issues, file, 2, 'trading_day.timezone').message).toMatch(/expected an IANA time zone/);
    expect(find(issues, file, 6, 'rules.max_contracts.actoin').message).toMatch(/unknown key "actoin"/);
  });

  it('a YAML syntax error in an override risk file points into that file', () => {
    const text = `${VALID_ACCOUNTS}accounts:\n  - name: PRAC-1\n    risk: strict.yaml\n`;
    const { dir, issues } = load(text, ENV, { 'strict.yaml': 'rules:\n  max_contracts: [\n' });
    expect(issues.some((i) => i.file === join(dir, 'strict.yaml') && i.line > 0 && /YAML syntax error/.test(i.message))).toBe(true);
  });
});
