// v3: the risk configuration in force per account, saved by the daemon at start and on every reload, so every
// view (status, watch, the dashboard) shows the daemon's limits, also while it is down, and never re-reads a
// risk.yaml that may have changed since.
import type { Migration } from './types.ts';

export const migration003: Migration = {
  version: 3,
  name: 'effective-config',
  up(db) {
    db.exec(`
      CREATE TABLE effective_config (
        account_id   INTEGER PRIMARY KEY,
        account_name TEXT    NOT NULL,
        config       TEXT    NOT NULL,
        saved_at     INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
