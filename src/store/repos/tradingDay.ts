// The trading day each account is in and when it last reset, so a restart after 17:00 CT notices the reset.
import type { Database } from 'better-sqlite3';
import type { TradingDayRow } from '../types.ts';

export interface TradingDayRepo {
  get(accountId: number): TradingDayRow | undefined;
  set(accountId: number, tradingDay: string, lastResetAt: number): void;
}

export function tradingDayRepo(db: Database): TradingDayRepo {
  const get = db.prepare<[number], { trading_day: string; last_reset_at: number }>(
    'SELECT trading_day, last_reset_at FROM trading_day_state WHERE account_id = ?',
  );
  const set = db.prepare(`
    INSERT INTO trading_day_state (account_id, trading_day, last_reset_at) VALUES (?, ?, ?)
    ON CONFLICT (account_id) DO UPDATE SET trading_day = excluded.trading_day, last_reset_at = excluded.last_reset_at`);

  return {
    get(accountId) {
      const r = get.get(accountId);
      return r ? { tradingDay: r.trading_day, lastResetAt: r.last_reset_at } : undefined;
    },
    set(accountId, tradingDay, lastResetAt) {
      set.run(accountId, tradingDay, lastResetAt);
    },
  };
}
