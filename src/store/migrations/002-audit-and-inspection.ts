// v2: the inspection audit (every statechart transition, pruned by age/count), the admin command audit, and
// the enforcement log learns which endpoint and contract each action hit (with indexes for the dashboard's
// per-account, per-time and per-contract queries).
import type { Migration } from './types.ts';

export const migration002: Migration = {
  version: 2,
  name: 'audit-and-inspection',
  up(db) {
    db.exec(`
      ALTER TABLE enforcement_log ADD COLUMN endpoint TEXT;
      ALTER TABLE enforcement_log ADD COLUMN contract_id TEXT;
      CREATE INDEX enforcement_account_time ON enforcement_log (account_id, trigger_at);
      CREATE INDEX enforcement_rule_time ON enforcement_log (rule, trigger_at);

      CREATE TABLE transitions (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL,
        actor_id   TEXT    NOT NULL,
        event      TEXT    NOT NULL,
        from_state TEXT    NOT NULL,
        to_state   TEXT    NOT NULL,
        at         INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX transitions_at ON transitions (at);
      CREATE INDEX transitions_account_at ON transitions (account_id, at);

      CREATE TABLE admin_audit (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        at      INTEGER NOT NULL,
        actor   TEXT    NOT NULL,
        command TEXT    NOT NULL,
        args    TEXT    NOT NULL,
        outcome TEXT    NOT NULL
      ) STRICT;
      CREATE INDEX admin_audit_at ON admin_audit (at);

      CREATE INDEX locks_since ON locks (since);
    `);
  },
};
