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

function acquire(dir: string) {
  const lock = acquireDataDirLock(dir);
  releases.push(() => lock.release());
  return lock;
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (!r.pid) throw new Error('could not spawn a short-lived process');
  return r.pid;
}

describe('data directory lock', () => {
  it('writes our pid and removes it on release (idempotent)', () => {
    const dir = path.join(dirs.make(), 'data'); // created on demand
    const lock = acquire(dir);
    expect(lock.path).toBe(path.join(dir, 'riskd.pid'));
    expect(fs.readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    lock.release();
    expect(fs.existsSync(lock.path)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]); // no temp files left behind
  });

  it('refuses a second acquire while the first holds it, naming the pid', () => {
    const dir = dirs.make();
    acquire(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by another riskd \\(pid ${process.pid}\\)`));
  });

  it('refuses when another live process holds it', async () => {
    const dir = dirs.make();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    fs.writeFileSync(path.join(dir, 'riskd.pid'), `${child.pid}\n`);
    let err: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as DataDirLockedError).pid).toBe(child.pid);
    expect((err as Error).message).toContain(`pid ${child.pid}`);
    expect(fs.readFileSync(path.join(dir, 'riskd.pid'), 'utf8').trim()).toBe(String(child.pid)); // untouched
  });

  it('takes over a stale lock whose pid is dead', () => {
    const dir = dirs.make();
    const stale = deadPid();
    fs.writeFileSync(path.join(dir, 'riskd.pid'), `${stale}\n`);
    const lock = acquire(dir);
    expect(fs.readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
  });

  it('takes over a pid file with garbage content', () => {
    const dir = dirs.make();
    fs.writeFileSync(path.join(dir, 'riskd.pid'), 'not a pid');
    const lock = acquire(dir);
    expect(fs.readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
  });

  it('treats our own pid in a file this process never wrote as a leftover (container restarted as the same pid)', () => {
    const dir = dirs.make();
    fs.writeFileSync(path.join(dir, 'riskd.pid'), `${process.pid}\n`);
    const lock = acquire(dir);
    expect(fs.existsSync(lock.path)).toBe(true);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError); // but now we hold it: refused
  });

  it('release leaves a pid file that someone else has taken over', () => {
    const dir = dirs.make();
    const lock = acquire(dir);
    fs.writeFileSync(lock.path, '424242\n'); // e.g. an operator removed ours and another instance started
    lock.release();
    expect(fs.readFileSync(lock.path, 'utf8').trim()).toBe('424242');
  });
});

describe('data directory lock across processes', () => {
  it('is removed when the holding process exits normally', () => {
    const dir = dirs.make();
    const script = `
      import { acquireDataDirLock } from ${JSON.stringify(path.resolve('src/store/dataDirLock.ts'))};
      acquireDataDirLock(${JSON.stringify(dir)});
      console.log('held');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('held');
    expect(fs.existsSync(path.join(dir, 'riskd.pid'))).toBe(false);
  });
});
