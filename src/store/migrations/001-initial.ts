// v1: the ledger cache, locks, daily P&L, the enforcement audit log and the persisted statecharts.
// No foreign keys on account_id: gateway events may arrive before the account row, and a refused fill insert
// would lose P&L. Amounts and prices are REAL (as the gateway sends them); ids are INTEGER (< 2^53).
import type { Migration } from './types.ts';

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE accounts (
        id          INTEGER PRIMARY KEY,
        name        TEXT    NOT NULL,
        balance     REAL    NOT NULL,
        can_trade   INTEGER NOT NULL CHECK (can_trade IN (0, 1)),
        is_visible  INTEGER NOT NULL CHECK (is_visible IN (0, 1)),
        simulated   INTEGER NOT NULL CHECK (simulated IN (0, 1)),
        updated_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE locks (
        id                TEXT    PRIMARY KEY,
        account_id        INTEGER NOT NULL,
        kind              TEXT    NOT NULL,
        rule              TEXT    NOT NULL,
        reason            TEXT    NOT NULL,
        symbol            TEXT,
        since             INTEGER NOT NULL,
        until             INTEGER,
        release_condition TEXT,
        released_at       INTEGER,
        released_how      TEXT
      ) STRICT;
      CREATE INDEX locks_account_active ON locks (account_id, released_at);

      CREATE TABLE daily_pnl (
        account_id     INTEGER NOT NULL,
        trading_day    TEXT    NOT NULL,
        realized_gross REAL    NOT NULL,
        fees           REAL    NOT NULL,
        commissions    REAL    NOT NULL,
        updated_at     INTEGER NOT NULL,
        PRIMARY KEY (account_id, trading_day)
      ) STRICT;

      CREATE TABLE fills (
        account_id      INTEGER NOT NULL,
        id              INTEGER NOT NULL,
        contract_id     TEXT    NOT NULL,
        created_at      INTEGER NOT NULL,
        price           REAL    NOT NULL,
        profit_and_loss REAL,
        fees            REAL    NOT NULL,
        commissions     REAL,
        side            INTEGER NOT NULL,
        size            INTEGER NOT NULL,
        voided          INTEGER NOT NULL CHECK (voided IN (0, 1)),
        order_id        INTEGER NOT NULL,
        by_riskd        INTEGER NOT NULL DEFAULT 0 CHECK (by_riskd IN (0, 1)),
        PRIMARY KEY (account_id, id)
      ) STRICT;
      CREATE INDEX fills_account_time ON fills (account_id, created_at);

      CREATE TABLE positions (
        account_id    INTEGER NOT NULL,
        contract_id   TEXT    NOT NULL,
        id            INTEGER NOT NULL,
        display_name  TEXT,
        created_at    INTEGER NOT NULL,
        type          INTEGER NOT NULL,
        size          INTEGER NOT NULL,
        average_price REAL    NOT NULL,
        PRIMARY KEY (account_id, contract_id)
      ) STRICT;

      CREATE TABLE orders (
        id              INTEGER PRIMARY KEY,
        account_id      INTEGER NOT NULL,
        contract_id     TEXT    NOT NULL,
        symbol_id       TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        update_ticks    INTEGER,
        status          INTEGER NOT NULL,
        type            INTEGER NOT NULL,
        side            INTEGER NOT NULL,
        size            INTEGER NOT NULL,
        limit_price     REAL,
        stop_price      REAL,
        fill_volume     INTEGER NOT NULL,
        filled_price    REAL,
        custom_tag      TEXT,
        trail_distance  REAL,
        trail_price     REAL,
        parent_order_id INTEGER,
        linked_order_id INTEGER
      ) STRICT;
      CREATE INDEX orders_account_status ON orders (account_id, status);

      CREATE TABLE contracts (
        id              TEXT    PRIMARY KEY,
        name            TEXT    NOT NULL,
        description     TEXT    NOT NULL,
        tick_size       REAL    NOT NULL,
        tick_value      REAL    NOT NULL,
        active_contract INTEGER NOT NULL CHECK (active_contract IN (0, 1)),
        symbol_id       TEXT    NOT NULL
      ) STRICT;

      CREATE TABLE enforcement_log (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id   INTEGER NOT NULL,
        rule         TEXT    NOT NULL,
        intent       TEXT    NOT NULL,
        reason       TEXT    NOT NULL,
        numbers      TEXT    NOT NULL,
        status       TEXT    NOT NULL,
        trigger_at   INTEGER NOT NULL,
        request_at   INTEGER,
        confirmed_at INTEGER,
        outcome      TEXT
      ) STRICT;

      CREATE TABLE trading_day_state (
        account_id    INTEGER PRIMARY KEY,
        trading_day   TEXT    NOT NULL,
        last_reset_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE machine_snapshots (
        account_id      INTEGER NOT NULL,
        machine_id      TEXT    NOT NULL,
        machine_version INTEGER NOT NULL,
        schema_version  INTEGER NOT NULL,
        snapshot        TEXT    NOT NULL,
        timers          TEXT    NOT NULL,
        saved_at        INTEGER NOT NULL,
        PRIMARY KEY (account_id, machine_id)
      ) STRICT;
    `);
  },
};
