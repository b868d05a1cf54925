// Realized P&L per account and trading day (the daily loss/profit rules' memory across restarts).
import type { Database } from 'better-sqlite3';
import type { DailyPnlRow } from '../types.ts';

interface Raw {
  account_id: number;
  trading_day: string;
  realized_gross: number;
  fees: number;
  commissions: number;
  updated_at: number;
}

export interface DailyPnlRepo {
  upsert(r: DailyPnlRow): void;
  get(accountId: number, tradingDay: string): DailyPnlRow | undefined;
  /** Most recent trading days first. */
  history(accountId: number, limit?: number): DailyPnlRow[];
}

const decode = (r: Raw): DailyPnlRow => ({
  accountId: r.account_id,
  tradingDay: r.trading_day,
  realizedGross: r.realized_gross,
  fees: r.fees,
  commissions: r.commissions,
  updatedAt: r.updated_at,
});

export function dailyPnlRepo(db: Database): DailyPnlRepo {
  const upsert = db.prepare(`
    INSERT INTO daily_pnl (account_id, trading_day, realized_gross, fees, commissions, updated_at)
    VALUES (@accountId, @tradingDay, @realizedGross, @fees, @commissions, @updatedAt)
    ON CONFLICT (account_id, trading_day) DO UPDATE SET realized_gross = excluded.realized_gross,
      fees = excluded.fees, commissions = excluded.commissions, updated_at = excluded.updated_at`);
  const get = db.prepare<[number, string], Raw>('SELECT * FROM daily_pnl WHERE account_id = ? AND trading_day = ?');
  const history = db.prepare<[number, number], Raw>(
    'SELECT * FROM daily_pnl WHERE account_id = ? ORDER BY trading_day DESC LIMIT ?',
  );

  return {
    upsert(r) {
      upsert.run({
        accountId: r.accountId,
        tradingDay: r.tradingDay,
        realizedGross: r.realizedGross,
        fees: r.fees,
        commissions: r.commissions,
        updatedAt: r.updatedAt,
      });
    },
    get(accountId, tradingDay) {
      const r = get.get(accountId, tradingDay);
      return r ? decode(r) : undefined;
    },
    history(accountId, limit = 30) {
      return history.all(accountId, limit).map(decode);
    },
  };
}
