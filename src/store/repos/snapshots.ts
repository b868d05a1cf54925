// Persisted statechart actors: one row per (account, machine id), snapshot and timers written together.
import type { Database } from 'better-sqlite3';
import type { SnapshotRow } from '../types.ts';
import { parseJsonColumn, toJsonColumn } from './json.ts';

interface Raw {
  account_id: number;
  machine_id: string;
  machine_version: number;
  schema_version: number;
  snapshot: string;
  timers: string;
  saved_at: number;
}

export interface SnapshotRepo {
  save(r: SnapshotRow): void;
  /** Throws StoreDataError when the stored JSON is unreadable, so the caller can discard that machine. */
  load(accountId: number, machineId: string): SnapshotRow | undefined;
  /** Every machine saved for an account. */
  list(accountId: number): SnapshotRow[];
  listAccounts(): number[];
  delete(accountId: number, machineId: string): void;
}

export function snapshotRepo(db: Database): SnapshotRepo {
  const file = db.name;
  const upsert = db.prepare(`
    INSERT INTO machine_snapshots (account_id, machine_id, machine_version, schema_version, snapshot, timers, saved_at)
    VALUES (@accountId, @machineId, @machineVersion, @schemaVersion, @snapshot, @timers, @savedAt)
    ON CONFLICT (account_id, machine_id) DO UPDATE SET
      machine_version = excluded.machine_version, schema_version = excluded.schema_version,
      snapshot = excluded.snapshot, timers = excluded.timers, saved_at = excluded.saved_at`);
  const one = db.prepare<[number, string], Raw>('SELECT * FROM machine_snapshots WHERE account_id = ? AND machine_id = ?');
  const byAccount = db.prepare<[number], Raw>('SELECT * FROM machine_snapshots WHERE account_id = ? ORDER BY machine_id');
  const accounts = db.prepare('SELECT DISTINCT account_id FROM machine_snapshots ORDER BY account_id').pluck();
  const del = db.prepare('DELETE FROM machine_snapshots WHERE account_id = ? AND machine_id = ?');

  const decode = (r: Raw): SnapshotRow => {
    const where = `machine_snapshots(account ${r.account_id}, machine ${r.machine_id})`;
    return {
      accountId: r.account_id,
      machineId: r.machine_id,
      machineVersion: r.machine_version,
      schemaVersion: r.schema_version,
      snapshot: parseJsonColumn(r.snapshot, `${where}.snapshot`, file),
      timers: parseJsonColumn(r.timers, `${where}.timers`, file),
      savedAt: r.saved_at,
    };
  };

  return {
    save(r) {
      const where = `machine_snapshots(account ${r.accountId}, machine ${r.machineId})`;
      upsert.run({
        accountId: r.accountId,
        machineId: r.machineId,
        machineVersion: r.machineVersion,
        schemaVersion: r.schemaVersion,
        snapshot: toJsonColumn(r.snapshot, `${where}.snapshot`, file),
        timers: toJsonColumn(r.timers ?? [], `${where}.timers`, file),
        savedAt: r.savedAt,
      });
    },
    load(accountId, machineId) {
      const r = one.get(accountId, machineId);
      return r ? decode(r) : undefined;
    },
    list(accountId) {
      return byAccount.all(accountId).map(decode);
    },
    listAccounts() {
      return accounts.all() as number[];
    },
    delete(accountId, machineId) {
      del.run(accountId, machineId);
    },
  };
}
