// v4: the replay's cache of an account's past as the gateway reported it (fills, orders, contracts, minute
// bars) and which windows were fetched, so a second `riskd replay` over the same range needs no network.
// Independent of every other table: rows are raw gateway facts, keyed by the gateway's ids.
import type { Migration } from './types.ts';

export const migration004: Migration = {
  version: 4,
  name: 'replay-cache',
  up(db) {
    db.exec(`
      CREATE TABLE replay_accounts (
        name       TEXT    PRIMARY KEY,
        id         INTEGER NOT NULL,
        balance    REAL    NOT NULL,
        fetched_at INTEGER NOT NULL
      ) STRICT;

      -- The account a run without --account resolved to, per gateway login (so that run can go offline too).
      CREATE TABLE replay_default_account (
        login        TEXT PRIMARY KEY,
        account_name TEXT NOT NULL
      ) STRICT;

      CREATE TABLE replay_windows (
        kind     TEXT    NOT NULL,
        key      TEXT    NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX replay_windows_key ON replay_windows (kind, key);

      CREATE TABLE replay_trades (
        account_id INTEGER NOT NULL,
        id         INTEGER NOT NULL,
        at         INTEGER NOT NULL,
        json       TEXT    NOT NULL,
        PRIMARY KEY (account_id, id)
      ) STRICT;
      CREATE INDEX replay_trades_at ON replay_trades (account_id, at);

      CREATE TABLE replay_orders (
        account_id INTEGER NOT NULL,
        id         INTEGER NOT NULL,
        at         INTEGER NOT NULL,
        json       TEXT    NOT NULL,
        PRIMARY KEY (account_id, id)
      ) STRICT;
      CREATE INDEX replay_orders_at ON replay_orders (account_id, at);

      CREATE TABLE replay_contracts (
        id   TEXT PRIMARY KEY,
        json TEXT NOT NULL
      ) STRICT;

      CREATE TABLE replay_bars (
        contract_id TEXT    NOT NULL,
        t           INTEGER NOT NULL,
        o REAL NOT NULL, h REAL NOT NULL, l REAL NOT NULL, c REAL NOT NULL, v INTEGER NOT NULL,
        PRIMARY KEY (contract_id, t)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
