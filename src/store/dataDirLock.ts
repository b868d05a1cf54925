// One riskd per data directory: two daemons on one state.db would both enforce and overwrite each other's
// snapshots. The lock is a pid file created atomically (hard link of a fully written temp file, so nobody ever
// reads a half-written pid); a file whose pid is no longer alive is stale and taken over.
import fs from 'node:fs';
import path from 'node:path';

export const PID_FILE = 'riskd.pid';

/** Pid files this process holds. Our own pid in a file we do not hold is a leftover of an earlier process
 * with the same pid (a container restarting riskd as pid 1 every time), hence stale. */
const heldHere = new Set<string>();

export interface DataDirLock {
  path: string;
  /** Removes the pid file if it is still ours. Safe to call twice. */
  release(): void;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `data directory ${dir} is in use by another riskd (pid ${pid}); stop it first, or use another --data-dir. ` +
        `If pid ${pid} is not riskd, delete ${path.join(dir, PID_FILE)}`,
    );
    this.name = 'DataDirLockedError';
  }
}

export function acquireDataDirLock(dir: string, opts: { pid?: number } = {}): DataDirLock {
  const pid = opts.pid ?? process.pid;
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true });
  const pidFile = path.join(abs, PID_FILE);
  const tmp = path.join(abs, `.${PID_FILE}.${pid}.${process.hrtime.bigint()}`);
  fs.writeFileSync(tmp, `${pid}\n`, { mode: 0o644 });
  try {
    // A few rounds: each stale takeover removes the old file and competes for the link again.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(tmp, pidFile);
        return makeLock(pidFile, pid);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readPid(pidFile);
      if (holder === undefined) continue; // vanished between link and read: try again
      const leftoverOfOurPid = holder === pid && !heldHere.has(pidFile);
      if (holder !== null && !leftoverOfOurPid && isAlive(holder)) throw new DataDirLockedError(abs, holder);
      // Dead pid or unreadable content: stale. Remove it only if it is still the same stale file.
      if (readPid(pidFile) === holder) {
        try {
          fs.unlinkSync(pidFile);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
    }
    throw new Error(`could not acquire ${pidFile}: it kept changing (another riskd starting at the same time?)`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function makeLock(pidFile: string, pid: number): DataDirLock {
  let released = false;
  heldHere.add(pidFile);
  const release = (): void => {
    if (released) return;
    released = true;
    heldHere.delete(pidFile);
    process.removeListener('exit', release);
    try {
      if (readPid(pidFile) === pid) fs.rmSync(pidFile, { force: true });
    } catch {
      // Leaving the file is harmless: the next start sees a dead pid and takes it over.
    }
  };
  // A normal exit (even without a graceful shutdown) cleans up; kill -9 leaves a stale file, handled above.
  process.on('exit', release);
  return { path: pidFile, release };
}

/** The pid in the file; null if the content is not a pid; undefined if the file is gone. */
function readPid(file: string): number | null | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Signal 0 checks existence only. EPERM means it exists but belongs to another user: still alive. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
