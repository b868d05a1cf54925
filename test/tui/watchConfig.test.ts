import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWatchConfig, WatchConfigError } from '../../src/tui/watchConfig.ts';

function files(risk: string, accounts?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'riskd-watch-cfg-'));
  writeFileSync(join(dir, 'risk.yaml'), risk);
  if (accounts !== undefined) writeFileSync(join(dir, 'accounts.yaml'), accounts);
  return { risk: join(dir, 'risk.yaml'), accounts: join(dir, 'accounts.yaml') };
}

const ACCOUNTS = `gateway: { api_url: "http://127.0.0.1:1", user_hub_url: "http://127.0.0.1:1/hubs/user", market_hub_url: "http://127.0.0.1:1/hubs/market" }
credentials: { username: "\${WATCH_TEST_USER}", api_key: "\${WATCH_TEST_KEY}" }
accounts:
  - name: ACC-1
    rules: { max_contracts: { limit: 2 } }
`;

describe('loadWatchConfig', () => {
  it('per-account overrides when accounts.yaml expands', () => {
    const f = files('rules: { max_contracts: { enabled: true, limit: 5 } }\n', ACCOUNTS);
    const c = loadWatchConfig(f.risk, undefined, true, { WATCH_TEST_USER: 'u', WATCH_TEST_KEY: 'k' });
    expect(c.note).toBeNull();
    expect(c.configOf('ACC-1')!.rules.max_contracts.limit).toBe(2);
    expect(c.configOf('OTHER')!.rules.max_contracts.limit).toBe(5);
  });

  it('secrets unset in this shell: the shared risk.yaml for everyone, and a note that says why', () => {
    const f = files('rules: { max_contracts: { enabled: true, limit: 5 } }\n', ACCOUNTS);
    const c = loadWatchConfig(f.risk, undefined, true, {});
    expect(c.configOf('ACC-1')!.rules.max_contracts.limit).toBe(5);
    expect(c.note).toContain('accounts.yaml not used');
    expect(c.note).toContain('WATCH_TEST_');
  });

  it('a named risk file that is missing or invalid is an error naming it; the default one missing just hides gauges', () => {
    expect(() => loadWatchConfig('/nonexistent/risk.yaml', undefined, true)).toThrow(WatchConfigError);
    expect(() => loadWatchConfig('/nonexistent/risk.yaml', undefined, true)).toThrow('/nonexistent/risk.yaml');
    const bad = files('rules: { max_contracts: { enabled: true, limitt: 5 } }\n');
    expect(() => loadWatchConfig(bad.risk, undefined, true, {})).toThrow(/limitt/);
    const c = loadWatchConfig('/nonexistent/risk.yaml', undefined, false);
    expect(c.configOf('X')).toBeNull();
    expect(c.note).toContain('rule gauges hidden');
  });
});
