// Accounts as last seen from Account/search or the user hub (the dashboard lists them while the daemon is down).
import type { Database } from 'better-sqlite3';
import type { Account } from '../../gateway/models.ts';
import type { AccountRow } from '../types.ts';
import { bool } from './json.ts';

interface Raw {
  id: number;
  name: string;
  balance: number;
  can_trade: number;
  is_visible: number;
  simulated: number;
  updated_at: number;
}

export interface AccountRepo {
  upsert(a: Account, updatedAt: number): void;
  get(id: number): AccountRow | undefined;
  all(): AccountRow[];
}

const decode = (r: Raw): AccountRow => ({
  id: r.id,
  name: r.name,
  balance: r.balance,
  canTrade: r.can_trade === 1,
  isVisible: r.is_visible === 1,
  simulated: r.simulated === 1,
  updatedAt: r.updated_at,
});

export function accountRepo(db: Database): AccountRepo {
  const upsert = db.prepare(`
    INSERT INTO accounts (id, name, balance, can_trade, is_visible, simulated, updated_at)
    VALUES (@id, @name, @balance, @canTrade, @isVisible, @simulated, @updatedAt)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, balance = excluded.balance, can_trade = excluded.can_trade,
      is_visible = excluded.is_visible, simulated = excluded.simulated, updated_at = excluded.updated_at`);
  const get = db.prepare<[number], Raw>('SELECT * FROM accounts WHERE id = ?');
  const all = db.prepare<[], Raw>('SELECT * FROM accounts ORDER BY id');

  return {
    upsert(a, updatedAt) {
      upsert.run({
        id: a.id,
        name: a.name,
        balance: a.balance,
        canTrade: bool(a.canTrade),
        isVisible: bool(a.isVisible),
        simulated: bool(a.simulated),
        updatedAt,
      });
    },
    get(id) {
      const r = get.get(id);
      return r ? decode(r) : undefined;
    },
    all() {
      return all.all().map(decode);
    },
  };
}
