// Applies schema migrations by PRAGMA user_version, one transaction per step, so a crash mid-upgrade leaves the
// file at the last completed version and the next start continues from there.
import type { Database } from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.ts';
import { StoreSchemaTooNewError } from './errors.ts';
import type { Logger } from '../log/logger.ts';

export function schemaVersionOf(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` to schema version `to` (default: latest). Returns the version it started from.
 * Refuses a file newer than this code without touching it.
 */
export function migrate(db: Database, opts: { to?: number; logger?: Logger; file?: string } = {}): number {
  const to = opts.to ?? LATEST_SCHEMA_VERSION;
  const from = schemaVersionOf(db);
  if (from > LATEST_SCHEMA_VERSION) throw new StoreSchemaTooNewError(opts.file ?? db.name, from, LATEST_SCHEMA_VERSION);
  for (const m of MIGRATIONS) {
    if (m.version <= from || m.version > to) continue;
    db.transaction(() => {
      m.up(db);
      // user_version lives in the file header and is part of the transaction.
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    opts.logger?.info('store schema migrated', { file: opts.file ?? db.name, version: m.version, migration: m.name });
  }
  return from;
}
