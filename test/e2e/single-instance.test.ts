// E2E, real `riskd start` processes: one riskd per data directory, enforced by an OS lock (issue 16).
//  - a riskd.pid naming a live process that is not riskd does not block a start;
//  - riskd killed -9 while its parent never reaps it (a zombie keeps its pid alive, as under some service
//    managers and containers) is replaced at once;
//  - two riskd started at the same instant on one directory: exactly one runs, the other exits 1 naming the
//    holder's pid and start time.
// Every riskd that runs must also enforce (a max_contracts breach reduced by one partialCloseContract).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';
import { freePort } from './support/riskd.ts';
import { MNQ, positionSize, startE2ESim, trader, waitFor, waitForCall, type E2ESim } from './support/sim.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const RISK = ['rules:', '  max_contracts: { enabled: true, limit: 2, action: reduce_to_limit }', ''].join('\n');

let env: E2ESim;
const dirs: string[] = [];
const procs: ChildProcess[] = [];

beforeAll(async () => {
  env = await startE2ESim('single', 3);
});
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});
afterAll(async () => {
  await env.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Setup {
  account: { id: number; name: string };
  dataDir: string;
  args: string[];
}

async function setup(): Promise<Setup> {
  const account = env.nextAccount();
  const dir = mkdtempSync(join(tmpdir(), 'riskd-e2e-single-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'risk.yaml'), RISK);
  writeFileSync(join(dir, 'accounts.yaml'), simAccountsYaml(env.sim, { accounts: [account.name], controlPort: await freePort() }));
  const dataDir = join(dir, 'data');
  const args = ['bin/riskd.js', 'start', '--config', join(dir, 'risk.yaml'), '--accounts', join(dir, 'accounts.yaml'), '--data-dir', dataDir];
  return { account, dataDir, args };
}

interface Run {
  child: ChildProcess;
  output: () => string;
  /** Resolves 'live' once riskd says so, or the exit code if it exits first. */
  outcome: Promise<'live' | number | null>;
}

function run(s: Setup): Run {
  const child = spawn(process.execPath, s.args, { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(child);
  let out = '';
  const outcome = new Promise<'live' | number | null>((res) => {
    const onData = (c: string) => {
      out += c;
      if (out.includes('riskd is live')) res('live');
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => res(code));
  });
  return { child, output: () => out, outcome };
}

/** The running riskd enforces: 3 contracts against a limit of 2 are reduced by one partialCloseContract. */
async function expectEnforces(s: Setup, afterSeq: number): Promise<void> {
  trader(env.sim, s.account.id).buy(MNQ, 3);
  const call = await waitForCall(env.sim, s.account.id, '/api/Position/partialCloseContract', 15_000, () => true, afterSeq);
  expect(call.body).toEqual({ accountId: s.account.id, contractId: MNQ, size: 1 });
  await waitFor('reduced to 2', () => positionSize(env.sim, s.account.id, MNQ) === 2);
  trader(env.sim, s.account.id).close(MNQ);
  await waitFor('flat', () => positionSize(env.sim, s.account.id, MNQ) === 0);
}

describe('one riskd per data directory, held by an OS lock', () => {
  it('a riskd.pid naming a live process that is not riskd does not block a start', async () => {
    const s = await setup();
    mkdirSync(s.dataDir, { recursive: true });
    // This test runner: alive, and not riskd. The old pid-file lock refused to start here.
    writeFileSync(join(s.dataDir, 'riskd.pid'), `${process.pid}\n`);
    const r = run(s);
    expect(await r.outcome, r.output()).toBe('live');
    expect(readFileSync(join(s.dataDir, 'riskd.pid'), 'utf8').split('\n')[0]).toBe(String(r.child.pid));
    await expectEnforces(s, env.sim.requests.lastSeq());
  }, 60_000);

  it('killed -9 while its parent never reaps it (a zombie keeps the pid alive): the next riskd starts at once', async () => {
    const s = await setup();
    const errLog = join(s.dataDir, '..', 'first.err');
    // sh starts riskd in the background, prints its pid, then becomes `sleep`, which never waits for children.
    const quoted = [process.execPath, ...s.args].map((a) => `'${a}'`).join(' ');
    const parent = spawn('sh', ['-c', `${quoted} 2>'${errLog}' >/dev/null & echo $!; exec sleep 600`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    procs.push(parent);
    const pid = await new Promise<number>((res) => parent.stdout!.setEncoding('utf8').once('data', (d: string) => res(Number(d.trim()))));
    await waitFor('the first riskd live', () => existsSync(errLog) && readFileSync(errLog, 'utf8').includes('riskd is live'), 45_000, () => (existsSync(errLog) ? readFileSync(errLog, 'utf8').slice(-3000) : 'no output'));
    process.kill(pid, 'SIGKILL');
    const stat = `/proc/${pid}/stat`;
    if (existsSync('/proc/self/stat')) await waitFor('the killed riskd a zombie', () => !existsSync(stat) || readFileSync(stat, 'utf8').split(') ')[1]?.startsWith('Z'));
    const before = env.sim.requests.lastSeq();
    const t0 = Date.now();
    const r = run(s);
    expect(await r.outcome, r.output()).toBe('live');
    console.info(`restart after kill -9 with a zombie left behind: live in ${Date.now() - t0} ms`);
    await expectEnforces(s, before);
  }, 90_000);

  it('two riskd started at the same instant on one directory: exactly one runs; the other exits 1 naming its pid and start time', async () => {
    const s = await setup();
    const a = run(s);
    const b = run(s);
    const outcomes = await Promise.all([a.outcome, b.outcome]);
    const winner = outcomes[0] === 'live' ? a : b;
    const loser = winner === a ? b : a;
    expect(outcomes.filter((o) => o === 'live'), `${a.output()}\n---\n${b.output()}`).toHaveLength(1);
    expect(await loser.outcome).toBe(1);
    const holder = readFileSync(join(s.dataDir, 'riskd.pid'), 'utf8').split('\n');
    expect(holder[0]).toBe(String(winner.child.pid));
    expect(loser.output()).toContain(`in use by another riskd (pid ${winner.child.pid}, started ${holder[1]})`);
    await expectEnforces(s, env.sim.requests.lastSeq());
  }, 90_000);
});
