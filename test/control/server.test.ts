// The control server over real sockets, on a real daemon watching the simulator: loopback-only HTTP, the
// status stream, viewer vs admin, the login throttle, unlock policies and reload.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ControlServer } from '../../src/control/server.ts';
import { ControlClient, ControlReplyError } from '../../src/control/client.ts';
import { ADMIN_COMMANDS, fileConfigLoader } from '../../src/control/commands.ts';
import { AdminAuth, LOGIN_THROTTLE_KEY, MAX_FAILURES, setPassword } from '../../src/control/adminAuth.ts';
import { statusSnapshot, type StatusSnapshot } from '../../src/control/statusSnapshot.ts';
import { PRAC, riskYaml, startRig, until, type Rig } from './rig.ts';

const PASSWORD = 'correct horse battery';

let rig: Rig | undefined;
let server: ControlServer | undefined;
let client: ControlClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.stop();
  await rig?.close();
  rig = server = client = undefined;
});

async function setup(admin: Parameters<typeof startRig>[0], statusIntervalMs = 100) {
  rig = await startRig(admin);
  await setPassword(rig.daemon.store.meta, PASSWORD, { cost: 4 });
  server = new ControlServer({ daemon: rig.daemon, logger: rig.logger, port: 0, loadConfig: fileConfigLoader(rig.riskPath, rig.accountsPath), statusIntervalMs });
  const port = await server.start();
  client = await ControlClient.connect(port);
  return { rig, server, client, port };
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const locks = (r: Rig) => r.daemon.accountStatus(PRAC.id).locks;

async function lockByCanTrade(r: Rig): Promise<void> {
  r.sim.control.setCanTrade(PRAC.id, false);
  await until('RULE-010 lock', () => locks(r).some((l) => l.rule === 'RULE-010'));
}

describe('control server', () => {
  it('binds 127.0.0.1, serves status JSON and the page, and refuses foreign Host and Origin', async () => {
    const { port } = await setup({ unlock: 'allowed' });
    const api = await get(port, '/api/status');
    expect(api.status).toBe(200);
    const s = JSON.parse(api.body) as StatusSnapshot;
    expect(s.accounts.map((a) => a.name)).toEqual([PRAC.name]);
    expect(s.health).toBe('ok');
    expect((await get(port, '/')).body).toContain('<title>riskd dashboard</title>');
    // The dashboard's assets are a fixed list: nothing else on disk is reachable through /assets/.
    expect((await get(port, '/assets/dashboard.js')).body).toContain('/api/feed');
    expect((await get(port, '/assets/..%2Fserver.ts')).status).toBe(404);
    expect((await get(port, '/assets/inspector.js')).status).toBe(404);
    // The page's one request besides the snapshot: the feed in words, per account.
    const feed = JSON.parse((await get(port, '/api/feed')).body) as { accounts: { id: number; feed: unknown[] }[] };
    expect(feed.accounts).toEqual([{ id: PRAC.id, feed: [] }]);
    expect((await get(port, '/api/status', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(port, '/api/status', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await get(port, '/nope')).status).toBe(404);
    // A page on another site cannot open the WebSocket either.
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin: 'https://evil.example' } });
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
      ws.on('error', (e) => resolve(e.message));
    });
    expect(refused).toBe('403');
  });

  it('registerRoute adds pages and prefix routes for other parts (the inspector)', async () => {
    const { port, server } = await setup({ unlock: 'allowed' });
    server.registerRoute('GET', '/inspector/*', (_req, res, url) => void res.end(`asset ${url.pathname}`));
    expect((await get(port, '/inspector/app.js')).body).toBe('asset /inspector/app.js');
  });

  it('pushes status on connect and every interval, and lock events as they happen', async () => {
    const { rig, client } = await setup({ unlock: 'allowed' });
    expect(client.firstStatus.accounts[0]!.name).toBe(PRAC.name);
    const seen: string[] = [];
    client.onPush((m) => seen.push(m.type));
    await lockByCanTrade(rig);
    await until('lock and status pushes', () => seen.includes('lock') && seen.filter((t) => t === 'status').length >= 2);
  });

  it('a viewer can read but every admin command is refused and audited; state does not change', async () => {
    const { rig, client } = await setup({ unlock: 'allowed' });
    await lockByCanTrade(rig);
    const before = JSON.stringify(locks(rig).map((l) => l.id));
    expect(ADMIN_COMMANDS.sort()).toEqual(['audit', 'reload', 'unlock']);
    for (const cmd of ADMIN_COMMANDS) {
      const r = await client.request(cmd, { account: PRAC.name });
      expect(r.ok, cmd).toBe(false);
      expect(r.ok ? '' : r.code).toBe('admin_required');
      // A made-up token is no better than none.
      const forged = await client.request(cmd, { account: PRAC.name }, 'a'.repeat(64));
      expect(forged.ok).toBe(false);
    }
    expect(JSON.stringify(locks(rig).map((l) => l.id))).toBe(before);
    const audit = rig.daemon.store.adminAudit.list({});
    expect(audit.filter((a) => a.actor === 'viewer' && a.outcome.startsWith('refused')).length).toBe(ADMIN_COMMANDS.length * 2);
    // Reads work.
    expect((await client.call<StatusSnapshot>('status')).accounts).toHaveLength(1);
    expect(await client.call<unknown[]>('history', { kind: 'locks' })).not.toHaveLength(0);
    expect((await client.request('bogus')).ok).toBe(false);
  });

  it('admin login: 5 wrong passwords lock login for 5 minutes, persisted across a new AdminAuth (restart)', async () => {
    const { rig, client } = await setup({ unlock: 'allowed' });
    for (let i = 1; i <= MAX_FAILURES; i++) {
      const r = await client.request('login', { password: `wrong-${i}` });
      expect(r.ok ? '' : r.code).toBe(i < MAX_FAILURES ? 'wrong_password' : 'locked');
    }
    const locked = await client.request('login', { password: PASSWORD });
    expect(locked.ok ? '' : locked.code).toBe('locked');
    expect(JSON.parse(rig.daemon.store.meta.get(LOGIN_THROTTLE_KEY)!).lockedUntil).toBeGreaterThan(Date.now() + 4 * 60_000);
    const afterRestart = await new AdminAuth(rig.daemon.store.meta).login(PASSWORD);
    expect(afterRestart.ok).toBe(false);
    // Five minutes later (injected clock) the right password works again and resets the count.
    const later = new AdminAuth(rig.daemon.store.meta, { now: () => Date.now() + 5 * 60_000 + 1 });
    expect((await later.login(PASSWORD)).ok).toBe(true);
    const audit = rig.daemon.store.adminAudit.list({}).filter((a) => a.command === 'login');
    expect(audit).toHaveLength(MAX_FAILURES + 1);
    expect(JSON.stringify(audit)).not.toContain('wrong-1');
  });

  it('sessions expire after 15 minutes idle', async () => {
    rig = await startRig({ unlock: 'allowed' });
    await setPassword(rig.daemon.store.meta, PASSWORD, { cost: 4 });
    let now = 1_000_000;
    const auth = new AdminAuth(rig.daemon.store.meta, { now: () => now });
    const r = await auth.login(PASSWORD);
    if (!r.ok) throw new Error(r.message);
    now += 14 * 60_000;
    expect(auth.touch(r.token)).toBe(true);
    now += 14 * 60_000; // idle timer restarted by the touch above
    expect(auth.touch(r.token)).toBe(true);
    now += 15 * 60_000 + 1;
    expect(auth.touch(r.token)).toBe(false);
  });

  it('unlock with policy allowed releases at once and is audited', async () => {
    const { rig, client } = await setup({ unlock: 'allowed' });
    await lockByCanTrade(rig);
    await client.login(PASSWORD);
    const r = await client.call<{ outcome: string; message: string }>('unlock', { account: PRAC.name, rule: 'RULE-010' });
    expect(r.outcome).toBe('released');
    expect(locks(rig)).toHaveLength(0);
    expect(rig.daemon.store.locks.active(PRAC.id)).toHaveLength(0);
    const audit = rig.daemon.store.adminAudit.list({ limit: 1 })[0]!;
    expect(audit).toMatchObject({ actor: 'admin', command: 'unlock', args: { account: PRAC.name, rule: 'RULE-010' } });
    expect(audit.outcome).toMatch(/^released/);
    const again = await client.call<{ outcome: string }>('unlock', { account: PRAC.name });
    expect(again.outcome).toBe('no_match');
    await expect(client.call('unlock', { account: 'NOPE' })).rejects.toThrow(/not watched/);
  });

  it('unlock with policy never is refused; delayed is scheduled, not released', async () => {
    const { rig, client } = await setup({ unlock: 'never' });
    await lockByCanTrade(rig);
    await client.login(PASSWORD);
    const r = await client.call<{ outcome: string }>('unlock', { account: PRAC.name });
    expect(r.outcome).toBe('refused');
    expect(locks(rig)).toHaveLength(1);
    // Switch the policy by reload, then ask again.
    writeFileSync(rig.riskPath, riskYaml({ unlock: 'delayed', delay: '1h' }));
    expect(rig.daemon.store.effectiveConfig.get(PRAC.id)?.config.admin.unlock).toBe('never'); // saved at start
    expect((await client.call<{ applied: string[] }>('reload')).applied).toEqual([PRAC.name]);
    // Saved on reload: the limits every view shows, with the daemon up or down.
    expect(rig.daemon.store.effectiveConfig.get(PRAC.id)?.config.admin).toEqual({ unlock: 'delayed', unlock_delay: 3_600_000 });
    const t0 = Date.now();
    const d = await client.call<{ outcome: string; effectiveAt: number; message: string }>('unlock', { account: PRAC.name });
    expect(d.outcome).toBe('scheduled');
    expect(d.effectiveAt).toBeGreaterThanOrEqual(t0 + 3_600_000);
    expect(d.message).toContain('takes effect at');
    expect(locks(rig)).toHaveLength(1);
    // The status every view reads shows the pending unlock next to the lock, and the lock in words.
    const [lock] = statusSnapshot(rig.daemon).accounts[0]!.locks;
    expect(lock).toMatchObject({ unlockAt: d.effectiveAt, description: 'locked until the broker allows trading again' });
  });

  it('a scheduled delayed unlock is pushed at once: viewers need no polling to see it pending', async () => {
    // The periodic push is an hour away: only the push the scheduled unlock makes can deliver it.
    const { rig, client } = await setup({ unlock: 'delayed', delay: '1h' }, 3_600_000);
    const pushed: StatusSnapshot[] = [];
    client.onPush((m) => void (m.type === 'status' && pushed.push(m.data as StatusSnapshot)));
    await lockByCanTrade(rig);
    await until('the status push of the lock', () => pushed.some((p) => p.accounts[0]!.locks.length > 0));
    await client.login(PASSWORD);
    const before = pushed.length;
    const d = await client.call<{ outcome: string; effectiveAt: number }>('unlock', { account: PRAC.name });
    expect(d.outcome).toBe('scheduled');
    const pending = () => pushed.slice(before).map((p) => p.accounts[0]!.locks[0]?.unlockAt).find((at) => at != null);
    await until('a status push showing the pending unlock', () => pending() !== undefined, 2_000);
    expect(pending()).toBe(d.effectiveAt);
  });

  it('reload with a bad file keeps the old config and says file:line:key', async () => {
    const { rig, client } = await setup({ unlock: 'allowed' });
    const before = rig.daemon.configOf(PRAC.id);
    writeFileSync(rig.riskPath, 'rules:\n  max_contracts:\n    enabled: true\n    limit: five\n');
    const r = await client.request('reload', {}, undefined);
    expect(r.ok).toBe(false);
    await client.login(PASSWORD);
    const bad = await client.request('reload');
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.error).toContain(`${rig.riskPath}:4:12 rules.max_contracts.limit`);
    expect(bad.ok ? '' : bad.error).toContain('old one stays in force');
    expect(rig.daemon.configOf(PRAC.id)).toBe(before);
    expect(rig.daemon.store.effectiveConfig.get(PRAC.id)?.config).toEqual(before); // a refused reload saves nothing
    expect(rig.daemon.store.adminAudit.list({ limit: 1 })[0]!.outcome).toMatch(/^invalid_config/);
  });
});

describe('admin login under parallel guessing', () => {
  it('parallel wrong passwords are checked one at a time: only 5 are ever compared, the rest meet the lockout', async () => {
    rig = await startRig({ unlock: 'allowed' });
    await setPassword(rig.daemon.store.meta, PASSWORD, { cost: 4 });
    const auth = new AdminAuth(rig.daemon.store.meta);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => auth.login(`guess-${i}`)));
    const reasons = results.map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons.filter((r) => r === 'wrong_password')).toHaveLength(MAX_FAILURES - 1);
    expect(reasons.filter((r) => r === 'locked')).toHaveLength(12 - (MAX_FAILURES - 1));
    expect((await auth.login(PASSWORD)).ok).toBe(false);
  });
});

describe('loopback only', () => {
  it('listens on 127.0.0.1 alone: a non-loopback address of this host gets no connection', async () => {
    const { port, server } = await setup({ unlock: 'allowed' });
    expect(server.port).toBe(port);
    const { networkInterfaces } = await import('node:os');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (external) {
      const err = await new Promise<string>((resolve) => {
        http.get({ host: external, port, path: '/api/status' }, () => resolve('answered')).on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
      });
      expect(err).toBe('ECONNREFUSED');
    }
    const { isLoopbackAddress } = await import('../../src/control/server.ts');
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].every(isLoopbackAddress)).toBe(true);
    expect(['10.0.0.5', '::ffff:192.168.1.2', undefined].some((a) => isLoopbackAddress(a))).toBe(false);
  });
});

describe('startControlPlane', () => {
  it('a control port already in use is a clear startup error; a free one starts server and notifier', async () => {
    rig = await startRig({ unlock: 'allowed' });
    const { startControlPlane } = await import('../../src/control/controlPlane.ts');
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await expect(startControlPlane(rig.daemon, rig.logger, { riskPath: rig.riskPath, accountsPath: rig.accountsPath, port: taken })).rejects.toThrow(
        `control port 127.0.0.1:${taken} is already in use`,
      );
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
    const plane = await startControlPlane(rig.daemon, rig.logger, {
      riskPath: rig.riskPath,
      accountsPath: rig.accountsPath,
      port: 0,
      extend: (srv) => srv.registerRoute('GET', '/inspector', (_req, res) => void res.end('inspector page')),
    });
    expect(plane.server.port).toBeGreaterThan(0);
    expect((await get(plane.server.port, '/inspector')).body).toBe('inspector page');
    expect(plane.notifier.enabled).toBe(false); // no webhooks configured
    expect(rig.daemon.store.meta.get('control.port')).toBe(String(plane.server.port));
    await plane.stop();
  });
});
