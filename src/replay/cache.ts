// The replay's SQLite cache (store migration 4): raw gateway facts plus the windows they were fetched for.
// A window is recorded only after everything in it was fetched, so "covered" means "complete".
import type { Database } from 'better-sqlite3';
import type { Contract, Order, Trade } from '../gateway/models.ts';
import type { Bar } from './types.ts';

export type WindowKind = 'trades' | 'orders' | 'bars';

export interface CachedAccount {
  id: number;
  name: string;
  balance: number;
}

/** What one run fetched, written in one transaction at the end (nothing is written when a run fails). */
export interface CacheWrite {
  account?: CachedAccount;
  /** Set when the account was resolved without --account: login -> that account. */
  defaultFor?: string;
  trades: Trade[];
  orders: Order[];
  contracts: Contract[];
  bars: Record<string, Bar[]>;
  windows: { kind: WindowKind; key: string; start: number; end: number }[];
}

export class ReplayCache {
  constructor(private readonly db: Database) {}

  account(name: string): CachedAccount | undefined {
    return this.db.prepare('SELECT id, name, balance FROM replay_accounts WHERE name = ?').get(name) as CachedAccount | undefined;
  }

  /** The account a run without --account resolved to for this login (gateway URL and user name). */
  defaultAccount(login: string): CachedAccount | undefined {
    const row = this.db.prepare('SELECT account_name AS name FROM replay_default_account WHERE login = ?').get(login) as { name: string } | undefined;
    return row ? this.account(row.name) : undefined;
  }

  /** Whether [start, end] lies inside one fetched window of this kind and key. */
  covered(kind: WindowKind, key: string, start: number, end: number): boolean {
    return this.db.prepare('SELECT 1 FROM replay_windows WHERE kind = ? AND key = ? AND start_ms <= ? AND end_ms >= ? LIMIT 1').get(kind, key, start, end) !== undefined;
  }

  trades(accountId: number, start: number, end: number): Trade[] {
    return this.rows('replay_trades', accountId, start, end) as Trade[];
  }

  orders(accountId: number, start: number, end: number): Order[] {
    return this.rows('replay_orders', accountId, start, end) as Order[];
  }

  contract(id: string): Contract | undefined {
    const row = this.db.prepare('SELECT json FROM replay_contracts WHERE id = ?').get(id) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as Contract) : undefined;
  }

  bars(contractId: string, start: number, end: number): Bar[] {
    return this.db.prepare('SELECT t, o, h, l, c, v FROM replay_bars WHERE contract_id = ? AND t >= ? AND t <= ? ORDER BY t').all(contractId, start, end) as Bar[];
  }

  write(w: CacheWrite, now: number): void {
    const db = this.db;
    const trade = db.prepare('INSERT OR REPLACE INTO replay_trades (account_id, id, at, json) VALUES (?, ?, ?, ?)');
    const order = db.prepare('INSERT OR REPLACE INTO replay_orders (account_id, id, at, json) VALUES (?, ?, ?, ?)');
    const contract = db.prepare('INSERT OR REPLACE INTO replay_contracts (id, json) VALUES (?, ?)');
    const bar = db.prepare('INSERT OR REPLACE INTO replay_bars (contract_id, t, o, h, l, c, v) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const win = db.prepare('INSERT INTO replay_windows (kind, key, start_ms, end_ms) VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      if (w.account) {
        db.prepare('INSERT OR REPLACE INTO replay_accounts (name, id, balance, fetched_at) VALUES (?, ?, ?, ?)').run(w.account.name, w.account.id, w.account.balance, now);
        if (w.defaultFor !== undefined) db.prepare('INSERT OR REPLACE INTO replay_default_account (login, account_name) VALUES (?, ?)').run(w.defaultFor, w.account.name);
      }
      for (const t of w.trades) trade.run(t.accountId, t.id, t.creationTimestamp, JSON.stringify(t));
      for (const o of w.orders) order.run(o.accountId, o.id, o.creationTimestamp, JSON.stringify(o));
      for (const c of w.contracts) contract.run(c.id, JSON.stringify(c));
      for (const [id, bars] of Object.entries(w.bars)) for (const b of bars) bar.run(id, b.t, b.o, b.h, b.l, b.c, b.v);
      for (const x of w.windows) win.run(x.kind, x.key, x.start, x.end);
    })();
  }

  private rows(table: 'replay_trades' | 'replay_orders', accountId: number, start: number, end: number): unknown[] {
    const rows = this.db.prepare(`SELECT json FROM ${table} WHERE account_id = ? AND at >= ? AND at <= ? ORDER BY at, id`).all(accountId, start, end) as { json: string }[];
    return rows.map((r) => JSON.parse(r.json));
  }
}
