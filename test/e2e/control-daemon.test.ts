// End to end with real processes: `riskd start` against the simulator (started here), then the CLI
// (status, history, admin) and the control WebSocket against it, webhooks into a local receiver, and a clean
// SIGTERM stop. One daemon process serves the whole file (process start-up is the expensive part).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, DEMO_ACCOUNTS, type Simulator } from '../../src/sim/index.ts';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { ControlClient } from '../../src/control/client.ts';
import { ADMIN_COMMANDS } from '../../src/control/commands.ts';
import type { StatusSnapshot } from '../../src/control/statusSnapshot.ts';
import { freePort, riskd, spawnRiskd, startReceiver, until, type Received } from './control-helpers.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';

const PRAC = DEMO_ACCOUNTS[0]!;
const MNQ = 'CON.F.US.MNQ.Z26';
const PASSWORD = 'e2e-admin-password';
const BOT_TOKEN = '123456:BOT-SECRET-TOKEN-e2e';

let sim: Simulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let dir: string;
let dataDir: string;
let riskPath: string;
let accountsPath: string;
let port: number;
let daemon: ReturnType<typeof spawnRiskd>;

const risk = (unlock: string) =>
  ['rules:', '  auth_loss_guard: { enabled: true }', '  max_contracts: { enabled: true, limit: 2 }', 'admin:', `  unlock: ${unlock}`, '  unlock_delay: 2s', ''].join('\n');

async function status(): Promise<StatusSnapshot> {
  const c = await ControlClient.connect(port);
  c.close();
  return c.firstStatus;
}
const accountLocks = async () => (await status()).accounts[0]!.locks;

async function lockAccount(): Promise<void> {
  sim.control.setCanTrade(PRAC.id, true);
  await new Promise((r) => setTimeout(r, 100));
  sim.control.setCanTrade(PRAC.id, false);
  await until('a RULE-010 lock', async () => (await accountLocks()).some((l) => l.rule === 'RULE-010'));
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, accounts: [PRAC] });
  receiver = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), 'riskd-e2e-control-'));
  dataDir = join(dir, 'data');
  riskPath = join(dir, 'risk.yaml');
  accountsPath = join(dir, 'accounts.yaml');
  port = await freePort();
  writeFileSync(riskPath, risk('delayed'));
  writeFileSync(
    accountsPath,
    simAccountsYaml(sim, {
      accounts: [PRAC.name],
      controlPort: port,
      extra: [
        'notifications:',
        '  webhooks:',
        `    - { type: json, url: "${receiver.url}/json" }`,
        `    - { type: discord, url: "${receiver.url}/discord", events: [lock] }`,
        `    - { type: telegram, url: "${receiver.url}/bot${BOT_TOKEN}/sendMessage", chat_id: 42, events: [enforcement] }`,
      ],
    }),
  );
  daemon = spawnRiskd(['start', '-c', riskPath, '-a', accountsPath, '-d', dataDir]);
  await until('riskd control server up', async () => {
    try {
      return (await status()).health === 'ok';
    } catch {
      return false;
    }
  }, 30_000);
}, 40_000);

afterAll(async () => {
  if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  await receiver?.close();
  await sim?.close();
});

describe('riskd start + control plane (real processes)', () => {
  it('second instance refused; bad config exits 1 with file:line; status --json exit 0 (port found in the data dir)', async () => {
    const bad = join(dir, 'bad-risk.yaml');
    writeFileSync(bad, 'rules:\n  max_contracts:\n    limit: lots\n');
    // Independent processes: run them side by side (process start-up dominates).
    const [second, badRun, st] = await Promise.all([
      riskd(['start', '-c', riskPath, '-a', accountsPath, '-d', dataDir]),
      riskd(['start', '-c', bad, '-a', accountsPath, '-d', join(dir, 'other-data')]),
      riskd(['status', '--json', '--data-dir', dataDir]),
    ]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/in use by another riskd \(pid \d+, started \d{4}-\d\d-\d\dT/);
    expect(badRun.code).toBe(1);
    expect(badRun.stderr).toContain(`${bad}:3:12 rules.max_contracts.limit`);
    expect(st.code).toBe(0);
    const s = JSON.parse(st.stdout) as StatusSnapshot & { daemon: string };
    expect(s.daemon).toBe('running');
    expect(s.health).toBe('ok');
    expect(s.accounts[0]!.name).toBe(PRAC.name);
  });

  it('enforcement, locks and connection loss reach the webhooks (json, discord, telegram); the bot token is never logged', async () => {
    sim.trader.placeOrder({ accountId: PRAC.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 3 });
    await lockAccount();
    const by = (p: string) => receiver.received.filter((r: Received) => r.path.startsWith(p));
    await until(
      'webhooks',
      () =>
        by('/json').some((r) => r.body['event'] === 'enforcement') &&
        by('/json').some((r) => r.body['event'] === 'lock') &&
        by('/discord').length > 0 &&
        by('/bot').length > 0,
    );
    expect(by('/json').find((r) => r.body['event'] === 'lock')!.body).toMatchObject({ source: 'riskd', account: PRAC.name });
    expect(String(by('/discord')[0]!.body['content'])).toContain('locked by RULE-010');
    expect(by('/bot')[0]!.body).toMatchObject({ chat_id: '42' });
    expect(String(by('/bot')[0]!.body['text'])).toContain('RULE-001');
    // Connection loss and recovery of the user hub.
    sim.control.dropHubs('user');
    const connection = () => by('/json').filter((r) => r.body['event'] === 'connection').map((r) => String(r.body['title']));
    await until('connection lost + restored webhooks', () => connection().some((t) => t.includes('lost the user hub')) && connection().some((t) => t.includes('user hub connected again')));
    await until('healthy again', async () => (await status()).health === 'ok');
    expect(readFileSync(join(dataDir, 'riskd.log'), 'utf8')).not.toContain('BOT-SECRET');
  });

  it('history --format csv reads the enforcement log while the daemon runs', async () => {
    const r = await riskd(['history', '--data-dir', dataDir, '--format', 'csv', '--rule', 'RULE-001']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('at,account,rule,action,contract,status,latencyMs,endpoint,outcome,reason,summary,id');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[1]).toContain(`${PRAC.name},RULE-001,reduce,${MNQ}`);
  });

  it('a viewer cannot change anything over the WebSocket', async () => {
    const c = await ControlClient.connect(port);
    const before = JSON.stringify((await accountLocks()).map((l) => l.id));
    for (const cmd of ADMIN_COMMANDS) {
      const r = await c.request(cmd, { account: PRAC.name });
      expect(r.ok ? 'accepted' : r.code, cmd).toBe('admin_required');
    }
    c.close();
    expect(JSON.stringify((await accountLocks()).map((l) => l.id))).toBe(before);
  });

  it('admin set-password (stdin, daemon running), then a delayed unlock: the lock holds for unlock_delay (2 s), then goes', async () => {
    const set = await riskd(['admin', 'set-password', '--data-dir', dataDir, '--password-stdin'], { input: `${PASSWORD}\n` });
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const r = await riskd(['admin', 'unlock', PRAC.name, '--rule', 'RULE-010', '--data-dir', dataDir, '--password-stdin'], { input: `${PASSWORD}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('scheduled: takes effect at');
    const effectiveAt = Date.parse(/takes effect at (\S+)/.exec(r.stdout)![1]!);
    if (Date.now() < effectiveAt - 200) expect((await accountLocks()).some((l) => l.rule === 'RULE-010')).toBe(true);
    await until('the delayed release', async () => !(await accountLocks()).some((l) => l.rule === 'RULE-010'), 6_000);
    // The stored lock history says when and how it went: not before the delay ran out.
    const c = await ControlClient.connect(port);
    const rows = await c.call<{ rule: string; releasedAt: string | null; releasedHow: string | null }[]>('history', { kind: 'locks', rule: 'RULE-010' });
    c.close();
    const released = rows.find((l) => l.releasedHow?.includes('after delay'));
    expect(released).toBeDefined();
    expect(Date.parse(released!.releasedAt!)).toBeGreaterThanOrEqual(effectiveAt);
  });

  it('reload: a bad file is refused with file:line:key and the old config stays; a good one applies (never -> refused)', async () => {
    writeFileSync(riskPath, 'rules:\n  max_contracts:\n    enabled: yes please\n');
    const bad = await riskd(['admin', 'reload', '--data-dir', dataDir, '--password-stdin'], { input: `${PASSWORD}\n` });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${riskPath}:3:14 rules.max_contracts.enabled`);
    expect(bad.stderr).toContain('old one stays in force');
    writeFileSync(riskPath, risk('never'));
    const good = await riskd(['admin', 'reload', '--data-dir', dataDir, '--password-stdin'], { input: `${PASSWORD}\n` });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`configuration reloaded for ${PRAC.name}`);
    await lockAccount();
    const c = await ControlClient.connect(port);
    await c.login(PASSWORD);
    const refused = await c.call<{ outcome: string }>('unlock', { account: PRAC.name });
    expect(refused.outcome).toBe('refused');
    // 5 wrong passwords lock admin login; the right one is then refused too.
    for (let i = 0; i < 5; i++) await c.request('login', { password: `guess-${i}` });
    const locked = await c.request('login', { password: PASSWORD });
    expect(locked.ok ? '' : locked.code).toBe('locked');
    c.close();
    expect((await accountLocks()).some((l) => l.rule === 'RULE-010')).toBe(true);
  });

  it('SIGTERM: exit 0, store closed and pid file removed; then status says down (exit 1) and history still reads', async () => {
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(existsSync(join(dataDir, 'riskd.pid'))).toBe(false);
    expect(readFileSync(join(dataDir, 'riskd.log'), 'utf8')).toContain('riskd stopped');
    const [s, h] = await Promise.all([
      riskd(['status', '--data-dir', dataDir, '--port', String(port)]),
      riskd(['history', '--data-dir', dataDir, '--kind', 'locks', '--format', 'json']),
    ]);
    expect(s.code).toBe(1);
    expect(s.stdout).toContain('riskd is NOT running');
    expect(s.stdout).toContain('RULE-010'); // the lock it will restore
    expect(h.code).toBe(0);
    expect((JSON.parse(h.stdout) as { rule: string }[]).some((l) => l.rule === 'RULE-010')).toBe(true);
  });
});
