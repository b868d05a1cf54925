// Opening the riskd data file: pragmas, integrity check, corrupt-file recovery, migrations, repositories.
import fs from 'node:fs';
import path from 'node:path';
import Sqlite, { type Database } from 'better-sqlite3';
import type { Logger } from '../log/logger.ts';
import { StoreError, StoreSchemaMismatchError, isCorruptionError } from './errors.ts';
import { migrate, schemaVersionOf } from './migrate.ts';
import { LATEST_SCHEMA_VERSION } from './migrations/index.ts';
import { createRepositories, type Repositories } from './repositories.ts';

export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL';

export interface StoreOptions {
  logger?: Logger;
  /** NORMAL (default) in WAL mode loses at most the last transactions on power loss, never on a process crash. */
  synchronous?: SynchronousMode;
  busyTimeoutMs?: number;
  /** Clock for the corrupt-file name (tests). */
  now?: () => number;
}

export interface Store extends Repositories {
  db: Database;
  path: string;
  readonly: boolean;
  /** Set when the file was unreadable and was moved aside for a fresh one. */
  recovered?: { movedTo: string; reason: string };
  /** Runs fn in one transaction (rolled back if it throws); nested calls become savepoints. fn must be synchronous. */
  transaction<T>(fn: () => T): T;
  /**
   * Runs `fn` as soon as the outermost transaction has ended (at once when none is open), in the order given.
   * It also runs after a rollback: what waits here (enforcement requests) must not be stopped by bookkeeping.
   */
  afterCommit(fn: () => void): void;
  /**
   * Runs `write` just before the open transaction commits, in the order given (at once when none is open). For
   * rows that mirror what memory already holds (the ledger's): they commit with the same transaction as before,
   * but their SQL runs after the enforcement the hub frame caused has left. `write` must not throw.
   */
  later(write: () => void): void;
  /**
   * Opens a transaction that stays open across calls (each `transaction` inside it becomes a savepoint) until the
   * returned function commits it and runs what waits in afterCommit. Throws when one is open already.
   */
  begin(): () => void;
  close(): void;
}

/** Pass as the path for a throwaway in-memory store (unit tests of other modules): same schema, no file. */
export const IN_MEMORY = ':memory:';

export function openStore(file: string, opts: StoreOptions = {}): Store {
  if (file === IN_MEMORY) {
    const mem = openChecked(IN_MEMORY, opts);
    if (!('db' in mem)) throw new StoreError(`in-memory store failed its check: ${mem.corrupt.reason}`, IN_MEMORY);
    return assemble(mem.db, IN_MEMORY, false);
  }
  const abs = path.resolve(file);
  try {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
  } catch (e) {
    throw new StoreError(`cannot create the data directory for ${abs}: ${(e as Error).message}`, abs);
  }
  let recovered: Store['recovered'];
  let db: Database;
  const first = openChecked(abs, opts);
  if ('db' in first) {
    db = first.db;
  } else {
    const { reason, failedDb } = first.corrupt;
    // Rename while SQLite still has the files open: closing first would make it delete (or checkpoint away)
    // the -wal we want to keep for inspection.
    let movedTo: string;
    try {
      movedTo = moveAside(abs, (opts.now ?? Date.now)());
    } finally {
      if (failedDb?.open) failedDb.close();
    }
    recovered = { movedTo, reason };
    opts.logger?.error('STATE DATABASE WAS CORRUPT: moved it aside and started a fresh one; locks, P&L and ' +
      'snapshots from it are NOT loaded, check the account state before trading', { file: abs, movedTo, reason });
    const second = openChecked(abs, opts);
    if (!('db' in second)) throw new StoreError(`${abs}: a freshly created database failed its check: ${second.corrupt.reason}`, abs);
    db = second.db;
  }
  const store = assemble(db, abs, false);
  if (recovered) store.recovered = recovered;
  return store;
}

/**
 * Opens an existing data file for reading only (the dashboard while the daemon is down). Never migrates or
 * repairs; a missing file or a different schema version is a clear error.
 */
export function openStoreReadOnly(file: string, opts: { busyTimeoutMs?: number } = {}): Store {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new StoreError(`${abs} does not exist (has riskd ever run with this data dir?)`, abs);
  let db: Database;
  try {
    db = new Sqlite(abs, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new StoreError(`cannot open ${abs} read-only: ${(e as Error).message}`, abs);
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    const version = schemaVersionOf(db);
    if (version !== LATEST_SCHEMA_VERSION) throw new StoreSchemaMismatchError(abs, version, LATEST_SCHEMA_VERSION);
    return assemble(db, abs, true);
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(`cannot read ${abs}: ${(e as Error).message}`, abs);
  }
}

type OpenResult = { db: Database } | { corrupt: { reason: string; failedDb: Database | null } };

/**
 * Opens, configures, checks and migrates. SQLite's "not a database"/"corrupt" errors and a failed quick_check
 * come back as `corrupt` (connection left open for the caller to move the files first); anything else throws.
 */
function openChecked(file: string, opts: StoreOptions): OpenResult {
  let db: Database | null = null;
  try {
    db = new Sqlite(file);
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && file !== IN_MEMORY) opts.logger?.warn('store could not enable WAL; readers will block the writer', { file, mode });
    db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    const problems = db.pragma('quick_check') as { quick_check: string }[];
    if (problems.length !== 1 || problems[0]?.quick_check !== 'ok') {
      return { corrupt: { reason: `quick_check: ${problems.slice(0, 5).map((p) => p.quick_check).join('; ')}`, failedDb: db } };
    }
    const from = migrate(db, { logger: opts.logger, file });
    if (from === 0) db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('created_at', String((opts.now ?? Date.now)()));
    return { db };
  } catch (e) {
    if (isCorruptionError(e)) return { corrupt: { reason: `${(e as { code?: string }).code}: ${(e as Error).message}`, failedDb: db } };
    if (db?.open) db.close();
    if (e instanceof StoreError) throw e;
    // SQLite's messages ("unable to open database file") do not say which file; ours do.
    const err = new StoreError(`cannot open ${file}: ${(e as Error).message}`, file);
    Object.assign(err, { cause: e, code: (e as { code?: unknown }).code });
    throw err;
  }
}

/** Renames the file and its -wal/-shm to <name>.corrupt-<UTC time>; returns the new main file path. */
function moveAside(file: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  let movedTo = `${file}.corrupt-${stamp}`;
  for (let n = 1; fs.existsSync(movedTo); n++) movedTo = `${file}.corrupt-${stamp}-${n}`;
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, movedTo + suffix);
  }
  return movedTo;
}

/** Calls kept in order until run; a call may add more, which run in the same pass. */
class CallQueue {
  private calls: (() => void)[] = [];

  add(call: () => void): void {
    this.calls.push(call);
  }

  run(): void {
    while (this.calls.length > 0) {
      const now = this.calls;
      this.calls = [];
      for (const call of now) call();
    }
  }
}

function assemble(db: Database, file: string, readonly: boolean): Store {
  const repos = createRepositories(db);
  const waiting = new CallQueue(); // afterCommit
  const writes = new CallQueue(); // later
  // One wrapper for every call: db.transaction(fn) builds four wrapped functions and their properties each time,
  // and much of a turn's work runs in one of these (a savepoint of the turn's transaction).
  const inTransaction = db.transaction(<T>(fn: () => T): T => fn());
  // Prepared once: exec() parses the statement on every turn (~12 µs of a hub frame's path, measured cold).
  const beginTurn = db.prepare('BEGIN');
  const commitTurn = db.prepare('COMMIT');
  const outermost = db.transaction(<T>(fn: () => T): T => {
    const result = fn();
    writes.run();
    return result;
  });
  return {
    ...repos,
    db,
    path: file,
    readonly,
    transaction<T>(fn: () => T): T {
      if (db.inTransaction) return inTransaction(fn) as T; // a savepoint: the outermost call runs what waits
      try {
        // better-sqlite3 rolls back and throws a TypeError if fn returns a Promise (it would commit before awaits).
        return outermost(fn) as T;
      } finally {
        writes.run(); // after a rollback: memory kept those changes, so the store still gets them
        waiting.run();
      }
    },
    later(write) {
      if (db.inTransaction) writes.add(write);
      else write();
    },
    afterCommit(fn) {
      if (db.inTransaction) waiting.add(fn);
      else fn();
    },
    begin() {
      if (db.inTransaction) throw new StoreError('store.begin: a transaction is already open', file);
      beginTurn.run();
      return () => {
        try {
          if (db.inTransaction) {
            writes.run();
            commitTurn.run();
          }
        } finally {
          writes.run(); // only when COMMIT failed or the transaction was gone: outside any, each write is its own
          waiting.run();
        }
      };
    },
    close() {
      if (db.open && db.inTransaction) writes.run();
      if (db.open) db.close();
    },
  };
}
