// The status/history/admin building blocks in-process (fast): exit codes of `status` (ok 0, degraded 3,
// down 1), history filters and formats, password rules, log tailing, test-connection against the simulator.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlServer } from '../../src/control/server.ts';
import { fileConfigLoader } from '../../src/control/commands.ts';
import { runStatus } from '../../src/cli/commands/status.ts';
import { runHistory } from '../../src/cli/commands/history.ts';
import { formatHistory, parseWhen } from '../../src/control/history.ts';
import { AdminAuth, PASSWORD_HASH_KEY, setPassword } from '../../src/control/adminAuth.ts';
import { formatLogLine, tailLog } from '../../src/control/logTail.ts';
import { testConnection } from '../../src/control/testConnection.ts';
import { openStore, IN_MEMORY } from '../../src/store/index.ts';
import { accountsConfigSchema } from '../../src/config/schema.ts';
import { createLogger } from '../../src/log/logger.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { parse } from 'yaml';
import { PRAC, accountsYaml, riskYaml, startRig, until, type Rig } from './rig.ts';

function capture() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c) => (text += c));
  return { stream: s, text: () => text };
}

let rig: Rig | undefined;
let server: ControlServer | undefined;
afterEach(async () => {
  await server?.stop();
  await rig?.close();
  rig = server = undefined;
});

describe('riskd status (in-process)', () => {
  it('0 when live and connected, 3 when a hub is down, 1 with the saved state when the daemon is gone', async () => {
    rig = await startRig({ unlock: 'allowed' });
    server = new ControlServer({ daemon: rig.daemon, logger: rig.logger, port: 0, loadConfig: fileConfigLoader(rig.riskPath, rig.accountsPath) });
    const port = await server.start();
    const dataDir = join(rig.dir, 'data');
    rig.sim.control.setCanTrade(PRAC.id, false);
    await until('lock', () => rig!.daemon.accountStatus(PRAC.id).locks.length > 0);
    // The file changes after the start: every view keeps showing the limits in force (2), not the file's (9).
    writeFileSync(rig.riskPath, riskYaml({ unlock: 'allowed' }).replace('limit: 2', 'limit: 9'));

    const ok = capture();
    expect(await runStatus({ dataDir, port }, ok.stream)).toBe(0);
    expect(ok.text()).toContain(`${PRAC.name}  LOCKED: locked until the broker allows trading again`);
    expect(ok.text()).toMatch(/RULE-010 locked until the broker allows trading again: /);
    expect(ok.text()).toMatch(/RULE-001 contracts\s+0 of 2\s+0%/);
    expect(ok.text()).toContain('broker       does NOT allow trading');
    expect(ok.text()).toContain('user hub connected, market hub connected');
    expect(ok.text()).not.toContain('until_can_trade'); // internal kinds only with --verbose / --json
    const verbose = capture();
    await runStatus({ dataDir, port, verbose: true }, verbose.stream);
    expect(verbose.text()).toContain('kind until_can_trade');

    await rig.daemon.hubs!.stop();
    const degraded = capture();
    expect(await runStatus({ dataDir, port, json: true }, degraded.stream)).toBe(3);
    const s = JSON.parse(degraded.text()) as { health: string; problems: string[]; accounts: { zone: string; limits: { rule: string; used: number; limit: number }[]; locks: { kind: string; description: string }[] }[] };
    expect(s.health).toBe('degraded');
    expect(s.problems.join(' ')).toMatch(/hub disconnected/);
    expect(s.accounts[0]!.limits.find((l) => l.rule === 'RULE-001')).toMatchObject({ used: 0, limit: 2 });
    expect(s.accounts[0]!.locks[0]).toMatchObject({ kind: 'until_can_trade', description: 'locked until the broker allows trading again' });
    expect(s.accounts[0]!.zone).toBe('America/Chicago');

    await server.stop();
    server = undefined;
    await rig.close();
    const down = capture();
    const err = capture();
    expect(await runStatus({ dataDir, port }, down.stream, err.stream)).toBe(1);
    expect(down.text()).toContain('riskd is NOT running');
    expect(down.text()).toContain('RULE-010 locked until the broker allows trading again');
    expect(down.text()).toMatch(/RULE-001 contracts\s+0 of 2/); // the saved limits, not the file's 9
    expect(down.text()).toContain('the limits riskd last ran with');
    rig = undefined;
  });

  it('1 with a clear message when the data dir has no state at all', async () => {
    const out = capture();
    const err = capture();
    expect(await runStatus({ dataDir: mkdtempSync(join(tmpdir(), 'riskd-empty-')), port: 1 }, out.stream, err.stream)).toBe(1);
    expect(err.text()).toContain('has no state yet');
  });
});

describe('history', () => {
  it('folds skipped rows unless --all; the table speaks plain words in the trading-day zone, --verbose adds endpoints', async () => {
    const { parseRiskConfig } = await import('../../src/config/index.ts');
    const dir = mkdtempSync(join(tmpdir(), 'riskd-fold-'));
    const store = openStore(join(dir, 'state.db'));
    store.meta.set('account.7.name', 'ACC-7');
    store.effectiveConfig.replace([{ accountId: 7, accountName: 'ACC-7', config: parseRiskConfig({}) }], 1);
    const at = Date.UTC(2026, 10, 24, 15, 0, 9); // 09:00:09 CT
    const row = { accountId: 7, rule: 'RULE-001', intent: '{"type":"reduce","accountId":7,"contractId":"CON.F.US.MNQ.Z26","size":2}', numbers: '{}', contractId: 'CON.F.US.MNQ.Z26' };
    store.enforcement.insert({ ...row, reason: 'Open contracts 5 exceed your limit of 3', status: 'confirmed', triggerAt: at, confirmedAt: at + 42, endpoint: '/api/Position/partialCloseContract' });
    for (let i = 1; i <= 9; i++) store.enforcement.insert({ ...row, reason: 'repeat', status: 'skipped', outcome: 'absorbed', triggerAt: at + i });
    store.close();

    const folded = capture();
    expect(runHistory({ dataDir: dir, limit: 200, format: 'table', kind: 'enforcement' }, folded.stream)).toBe(0);
    const t = folded.text();
    expect(t.trim().split('\n')).toHaveLength(4); // header, rule, one row, the footer
    expect(t).toMatch(/Tue Nov 24 09:00:09 CT\s+ACC-7\s+RULE-001\s+done\s+42 ms\s+closed 2 MNQ: Open contracts 5 exceed your limit of 3/);
    expect(t).toContain('(9 skipped rows hidden');
    expect(t).not.toMatch(/partialCloseContract|CON\.F\./);

    const all = capture();
    runHistory({ dataDir: dir, limit: 200, format: 'json', kind: 'enforcement', all: true }, all.stream);
    expect(JSON.parse(all.text())).toHaveLength(10);
    const verbose = capture();
    runHistory({ dataDir: dir, limit: 200, format: 'table', kind: 'enforcement', verbose: true }, verbose.stream);
    expect(verbose.text()).toContain('/api/Position/partialCloseContract');
  });

  it('filters by account, rule and time; csv quotes commas and quotes; json round-trips', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskd-hist-'));
    const store = openStore(join(dir, 'state.db'));
    store.meta.set('account.7.name', 'ACC-7');
    store.accounts.upsert({ id: 7, name: 'ACC-7', balance: 1, canTrade: true, isVisible: true, simulated: true }, 1);
    const base = { accountId: 7, intent: '{"type":"close","accountId":7,"contractId":"C"}', numbers: '{}', status: 'confirmed' as const, contractId: 'C' };
    store.enforcement.insert({ ...base, rule: 'RULE-001', reason: 'too many, "really"', triggerAt: Date.UTC(2026, 0, 1), confirmedAt: Date.UTC(2026, 0, 1) + 42 });
    store.enforcement.insert({ ...base, rule: 'RULE-003', reason: 'loss', triggerAt: Date.UTC(2026, 0, 2) });
    store.enforcement.insert({ ...base, accountId: 8, rule: 'RULE-003', reason: 'other account', triggerAt: Date.UTC(2026, 0, 3) });
    store.close();

    const csv = capture();
    expect(runHistory({ dataDir: dir, account: 'ACC-7', rule: '001', limit: 10, format: 'csv', kind: 'enforcement' }, csv.stream)).toBe(0);
    const lines = csv.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('2026-01-01T00:00:00.000Z,ACC-7,RULE-001,close,C,confirmed,42,,,"too many, ""really""","closed the C position: too many, ""really""",1');

    const json = capture();
    runHistory({ dataDir: dir, since: '2026-01-02', until: '2026-01-02T23:59:59Z', limit: 10, format: 'json', kind: 'enforcement' }, json.stream);
    expect((JSON.parse(json.text()) as { reason: string }[]).map((r) => r.reason)).toEqual(['loss']);

    const err = capture();
    expect(runHistory({ dataDir: dir, account: 'NOPE', limit: 10, format: 'table', kind: 'enforcement' }, capture().stream, err.stream)).toBe(1);
    expect(err.text()).toContain('unknown account "NOPE" (known: ACC-7)');
    expect(formatHistory([], 'table')).toBe('no entries\n');

    const rw = openStore(join(dir, 'state.db'));
    rw.adminAudit.insert({ at: Date.UTC(2026, 0, 5), actor: 'admin', command: 'unlock', args: { account: 'ACC-7', rule: 'RULE-003' }, outcome: 'scheduled: ...' });
    rw.adminAudit.insert({ at: Date.UTC(2026, 0, 6), actor: 'viewer', command: 'reload', args: {}, outcome: 'refused: no valid admin session' });
    rw.close();
    const admin = capture();
    expect(runHistory({ dataDir: dir, account: 'ACC-7', limit: 10, format: 'json', kind: 'admin' }, admin.stream)).toBe(0);
    expect(JSON.parse(admin.text())).toEqual([
      { at: '2026-01-05T00:00:00.000Z', actor: 'admin', command: 'unlock', args: '{"account":"ACC-7","rule":"RULE-003"}', outcome: 'scheduled: ...', id: 1 },
    ]);
  });

  it('parseWhen takes ISO times and ages, and names a bad value', () => {
    const now = Date.UTC(2026, 5, 1, 12);
    expect(parseWhen('24h', now)).toBe(now - 86_400_000);
    expect(parseWhen('2026-06-01T10:00:00Z', now)).toBe(Date.UTC(2026, 5, 1, 10));
    expect(() => parseWhen('yesterday-ish', now)).toThrow(/"yesterday-ish" is not a time/);
  });
});

describe('admin password', () => {
  it('set once (bcrypt, never plain), refused a second time, changed only with the old one', async () => {
    const store = openStore(IN_MEMORY);
    await setPassword(store.meta, 'first-password', { cost: 4 });
    expect(store.meta.get(PASSWORD_HASH_KEY)).toMatch(/^\$2[aby]\$04\$/);
    await expect(setPassword(store.meta, 'second-password', { cost: 4 })).rejects.toThrow(/change-password/);
    await expect(setPassword(openStore(IN_MEMORY).meta, 'short')).rejects.toThrow(/at least 8/);
    const auth = new AdminAuth(store.meta);
    await expect(auth.changePassword('not-the-old-one', 'new-password-1', { cost: 4 })).rejects.toThrow(/wrong password/);
    await auth.changePassword('first-password', 'new-password-1', { cost: 4 });
    expect((await auth.login('new-password-1')).ok).toBe(true);
    expect((await auth.login('first-password')).ok).toBe(false);
  });

  it('the default cost is 12', async () => {
    const store = openStore(IN_MEMORY);
    await setPassword(store.meta, 'cost-twelve-pw');
    expect(store.meta.get(PASSWORD_HASH_KEY)).toMatch(/^\$2[aby]\$12\$/);
  });
});

describe('admin logs', () => {
  it('shows JSON lines readably, filtered by level, and follows appended lines', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'riskd-log-')), 'riskd.log');
    const entry = (level: string, msg: string) => `${JSON.stringify({ t: '2026-01-01T00:00:00.000Z', level, msg, part: 'enforce' })}\n`;
    writeFileSync(file, entry('debug', 'noise') + entry('info', 'riskd is live') + entry('warn', 'hub lost'));
    expect(formatLogLine(entry('warn', 'x'), 'error')).toBeNull();
    const out = capture();
    let stop!: () => void;
    const following = tailLog(file, out.stream, { level: 'info', lines: 10, follow: true, pollMs: 20, until: new Promise<void>((r) => (stop = r)) });
    await until('existing lines', () => out.text().includes('hub lost'));
    expect(out.text()).toBe('2026-01-01T00:00:00.000Z INFO  riskd is live part=enforce\n2026-01-01T00:00:00.000Z WARN  hub lost part=enforce\n');
    appendFileSync(file, entry('error', 'appended later'));
    await until('followed line', () => out.text().includes('appended later'));
    stop();
    await following;
  });
});

describe('admin test-connection', () => {
  it('reports login, account visibility, canTrade and both hubs against the simulator', async () => {
    const sim = await startSimulator({ accounts: [PRAC] });
    try {
      const cfg = accountsConfigSchema.parse(parse(accountsYaml(sim)));
      sim.control.setCanTrade(PRAC.id, false);
      const lines = await testConnection(cfg, createLogger({ terminal: false }));
      expect(lines.map((l) => `${l.ok ? 'ok' : 'FAIL'} ${l.what}`)).toEqual(['ok login', `FAIL account ${PRAC.name}`, 'ok user hub', 'ok market hub']);
      expect(lines[1]!.detail).toContain('canTrade false');
      const wrong = accountsConfigSchema.parse(parse(accountsYaml(sim).replace(sim.credentials.apiKey, 'wrong-key')));
      const bad = await testConnection(wrong, createLogger({ terminal: false }));
      expect(bad).toHaveLength(1);
      expect(bad[0]!.ok).toBe(false);
      expect(bad[0]!.detail).not.toContain('wrong-key');
    } finally {
      await sim.close();
    }
  });
});
