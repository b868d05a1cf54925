// The data directory lock is an OS lock (exclusive SQLite lock on riskd.lock): these tests take it in this
// process and in real child processes, kill holders with SIGKILL, and race starters against each other.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, acquireDataDirLock } from '../../src/store/index.ts';
import { tempDirs } from './helpers.ts';

const dirs = tempDirs();
const children: ChildProcess[] = [];
const releases: (() => void)[] = [];
afterEach(() => {
  for (const r of releases.splice(0)) r();
  for (const c of children.splice(0)) c.kill('SIGKILL');
  dirs.cleanup();
});

function acquire(dir: string, opts?: Parameters<typeof acquireDataDirLock>[1]) {
  const lock = acquireDataDirLock(dir, opts);
  releases.push(() => lock.release());
  return lock;
}

function refusal(dir: string): DataDirLockedError {
  try {
    acquire(dir, { waitMs: 0 });
  } catch (e) {
    expect(e).toBeInstanceOf(DataDirLockedError);
    return e as DataDirLockedError;
  }
  throw new Error('the lock was granted');
}

const LOCK_MODULE = JSON.stringify(path.resolve('src/store/dataDirLock.ts'));

/** A child process that tries to take the lock, prints "held <pid>" or "refused <message>", then idles. */
function lockingChild(dir: string): { child: ChildProcess; outcome: Promise<string> } {
  const script = `
    import { acquireDataDirLock } from ${LOCK_MODULE};
    try { acquireDataDirLock(${JSON.stringify(dir)}); console.log('held ' + process.pid); }
    catch (e) { console.log('refused ' + e.message); }
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  const outcome = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`locking child exited (${code}) before answering: ${out}`)));
  });
  return { child, outcome };
}

describe('data directory lock', () => {
  it('takes riskd.lock, writes pid and start time to riskd.pid, release removes riskd.pid and frees the lock', () => {
    const dir = path.join(dirs.make(), 'data'); // created on demand
    const lock = acquire(dir, { now: () => Date.parse('2026-12-03T17:50:00Z') });
    expect(lock.path).toBe(path.join(dir, 'riskd.lock'));
    expect(fs.readFileSync(lock.pidPath, 'utf8')).toBe(`${process.pid}\n2026-12-03T17:50:00.000Z\n`);
    lock.release();
    lock.release();
    expect(fs.existsSync(lock.pidPath)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['riskd.lock']); // the lock file stays: deleting it would race a starter
    acquire(dir).release(); // free again
  });

  it('refuses a second acquire while the first holds it, naming pid and start time', () => {
    const dir = dirs.make();
    acquire(dir, { now: () => Date.parse('2026-12-03T17:50:00Z') });
    const err = refusal(dir);
    expect(err.holder).toEqual({ pid: process.pid, startedAt: Date.parse('2026-12-03T17:50:00Z') });
    expect(err.message).toContain(`in use by another riskd (pid ${process.pid}, started 2026-12-03T17:50:00.000Z)`);
  });

  it('a pid file naming a live unrelated process does not block a start', async () => {
    const dir = dirs.make();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(other);
    await new Promise<void>((resolve, reject) => {
      other.once('spawn', () => resolve());
      other.once('error', reject);
    });
    fs.writeFileSync(path.join(dir, 'riskd.pid'), `${other.pid}\n`); // the old lock refused here
    const lock = acquire(dir);
    expect(fs.readFileSync(lock.pidPath, 'utf8').split('\n')[0]).toBe(String(process.pid));
  });

  it('a pid file with garbage does not block a start; a refusal without a readable pid file still explains itself', () => {
    const dir = dirs.make();
    fs.writeFileSync(path.join(dir, 'riskd.pid'), 'not a pid');
    acquire(dir);
    fs.writeFileSync(path.join(dir, 'riskd.pid'), 'garbage again');
    const err = refusal(dir);
    expect(err.holder).toBeNull();
    expect(err.message).toContain('in use by another riskd (pid unknown: riskd.pid is missing or unreadable)');
  });
});

describe('data directory lock across processes', () => {
  it('refuses while another process holds it (naming that process), and is free the moment it is SIGKILLed', async () => {
    const dir = dirs.make();
    const holder = lockingChild(dir);
    expect(await holder.outcome).toBe(`held ${holder.child.pid}`);
    expect(refusal(dir).pid).toBe(holder.child.pid);
    holder.child.kill('SIGKILL');
    // No wait for the exit: the lock waits the few ms the kernel needs to drop a dead process's locks.
    const lock = acquire(dir);
    expect(fs.readFileSync(lock.pidPath, 'utf8').split('\n')[0]).toBe(String(process.pid));
  });

  it('killed with -9 and restarted at once, 5 times in a row: every start gets the lock', async () => {
    const dir = dirs.make();
    let prev: ChildProcess | undefined;
    for (let i = 0; i < 5; i++) {
      prev?.kill('SIGKILL');
      const next = lockingChild(dir);
      expect(await next.outcome).toBe(`held ${next.child.pid}`);
      prev = next.child;
    }
  }, 60_000);

  it('four processes started at the same instant on one directory: exactly one holds the lock', async () => {
    const dir = dirs.make();
    const racers = Array.from({ length: 4 }, () => lockingChild(dir));
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
    const held = outcomes.filter((o) => o.startsWith('held'));
    expect(held, outcomes.join('\n')).toHaveLength(1);
    const winner = Number(held[0]!.split(' ')[1]);
    for (const o of outcomes.filter((x) => !x.startsWith('held'))) expect(o).toContain(`in use by another riskd (pid ${winner}, started `);
  }, 30_000);

  it('the pid file is removed when the holding process exits normally', () => {
    const dir = dirs.make();
    const script = `
      import { acquireDataDirLock } from ${LOCK_MODULE};
      acquireDataDirLock(${JSON.stringify(dir)});
      console.log('held');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('held');
    expect(fs.existsSync(path.join(dir, 'riskd.pid'))).toBe(false);
    acquire(dir, { waitMs: 0 });
  });
});
