// One riskd per data directory: two daemons on one state.db would both enforce and overwrite each other's
// snapshots. The lock is held by the operating system, never inferred from a pid: an exclusive SQLite lock on a
// dedicated file (riskd.lock), taken with BEGIN EXCLUSIVE and kept for the life of the process. SQLite maps it to
// fcntl() locks on Linux and macOS and to LockFileEx() on Windows; the kernel drops both when the process dies
// in any way (kill -9, crash, power loss), so nothing a crash leaves behind can block the next start.
// riskd.pid (pid and start time of the holder) is written after the lock is taken and only feeds the error
// message of a refused start; its content is never used to decide anything.
import fs from 'node:fs';
import path from 'node:path';
import Sqlite, { type Database } from 'better-sqlite3';

export const LOCK_FILE = 'riskd.lock';
export const PID_FILE = 'riskd.pid';

/**
 * How long a start waits for the lock before refusing. A process killed a moment ago may still be dying (the
 * kernel releases its lock when its files are closed, a few ms later); a live holder makes us wait this long.
 */
const DEFAULT_WAIT_MS = 2_000;

/** Open lock connections of this process: referenced here so garbage collection can never close one. */
const heldHere = new Set<Database>();

export interface DataDirLock {
  /** The lock file (riskd.lock). */
  path: string;
  /** The information file naming the holder (riskd.pid). */
  pidPath: string;
  /** Removes our pid file and drops the lock. Safe to call twice. */
  release(): void;
}

export interface LockHolder {
  pid: number;
  startedAt: number;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    /** Who holds it, as its pid file says; null when the file is missing or unreadable. */
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `pid ${holder.pid}, started ${new Date(holder.startedAt).toISOString()}` : `pid unknown: ${PID_FILE} is missing or unreadable`;
    super(`data directory ${dir} is in use by another riskd (${who}); stop it first, or use another --data-dir`);
    this.name = 'DataDirLockedError';
  }

  get pid(): number | null {
    return this.holder?.pid ?? null;
  }
}

export function acquireDataDirLock(dir: string, opts: { pid?: number; now?: () => number; waitMs?: number } = {}): DataDirLock {
  const pid = opts.pid ?? process.pid;
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true });
  const lockPath = path.join(abs, LOCK_FILE);
  const pidPath = path.join(abs, PID_FILE);
  const db = new Sqlite(lockPath);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.waitMs ?? DEFAULT_WAIT_MS))}`);
    // Exclusive locking mode: once taken the lock is never given back while the connection is open, even if
    // the transaction below ended.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE'); // left open on purpose: the open transaction is the lock
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirLockedError(abs, readHolder(pidPath));
    throw new Error(`cannot lock ${lockPath}: ${(e as Error).message}`);
  }
  heldHere.add(db);
  const startedAt = (opts.now ?? Date.now)();
  try {
    writeHolder(pidPath, { pid, startedAt });
  } catch {
    // Information only: a refused second start then says "pid unknown". Never a reason not to protect.
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    try {
      const h = readHolder(pidPath);
      if (h?.pid === pid && h.startedAt === startedAt) fs.rmSync(pidPath, { force: true });
    } catch {
      // A pid file left behind is harmless: it is information, never a lock.
    }
    heldHere.delete(db);
    db.close();
  };
  process.on('exit', release);
  return { path: lockPath, pidPath, release };
}

/** Write then rename, so a reader never sees a half-written file. */
function writeHolder(file: string, h: LockHolder): void {
  const tmp = `${file}.${h.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, `${h.pid}\n${new Date(h.startedAt).toISOString()}\n`, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** The holder as its pid file says; null when the file is missing or not in our format. */
export function readHolder(file: string): LockHolder | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const [pidText, startedText] = text.split('\n');
  const pid = Number(pidText?.trim());
  const startedAt = Date.parse(startedText?.trim() ?? '');
  return Number.isInteger(pid) && pid > 0 && Number.isFinite(startedAt) ? { pid, startedAt } : null;
}
