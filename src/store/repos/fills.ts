// Fills (gateway trades), deduplicated by (account, trade id). by_riskd marks fills caused by our own
// enforcement orders, so the audit can tell them from the trader's.
import type { Database } from 'better-sqlite3';
import type { OrderSide, Trade } from '../../gateway/models.ts';
import { bool } from './json.ts';

export type StoredFill = Trade & { byRiskd: boolean };

interface Raw {
  account_id: number;
  id: number;
  contract_id: string;
  created_at: number;
  price: number;
  profit_and_loss: number | null;
  fees: number;
  commissions: number | null;
  side: number;
  size: number;
  voided: number;
  order_id: number;
  by_riskd: number;
}

export interface FillRepo {
  /** Inserts the fill, or updates it (voided can change; byRiskd once true stays true). True if it was new. */
  upsert(accountId: number, t: Trade & { byRiskd?: boolean }): boolean;
  /** Fills created at or after `sinceMs`, oldest first. */
  since(accountId: number, sinceMs: number): StoredFill[];
}

const decode = (r: Raw): StoredFill => ({
  id: r.id,
  accountId: r.account_id,
  contractId: r.contract_id,
  creationTimestamp: r.created_at,
  price: r.price,
  profitAndLoss: r.profit_and_loss,
  fees: r.fees,
  commissions: r.commissions,
  side: r.side as OrderSide,
  size: r.size,
  voided: r.voided === 1,
  orderId: r.order_id,
  byRiskd: r.by_riskd === 1,
});

export function fillRepo(db: Database): FillRepo {
  const cols = `(account_id, id, contract_id, created_at, price, profit_and_loss, fees, commissions, side, size, voided, order_id, by_riskd)
    VALUES (@accountId, @id, @contractId, @createdAt, @price, @pnl, @fees, @commissions, @side, @size, @voided, @orderId, @byRiskd)`;
  const insert = db.prepare(`INSERT OR IGNORE INTO fills ${cols}`);
  const update = db.prepare(`
    UPDATE fills SET contract_id = @contractId, created_at = @createdAt, price = @price, profit_and_loss = @pnl,
      fees = @fees, commissions = @commissions, side = @side, size = @size, voided = @voided, order_id = @orderId,
      by_riskd = MAX(by_riskd, @byRiskd)
    WHERE account_id = @accountId AND id = @id`);
  const since = db.prepare<[number, number], Raw>(
    'SELECT * FROM fills WHERE account_id = ? AND created_at >= ? ORDER BY created_at, id',
  );

  return {
    upsert(accountId, t) {
      const params = {
        accountId,
        id: t.id,
        contractId: t.contractId,
        createdAt: t.creationTimestamp,
        price: t.price,
        pnl: t.profitAndLoss ?? null,
        fees: t.fees,
        commissions: t.commissions ?? null,
        side: t.side,
        size: t.size,
        voided: bool(t.voided),
        orderId: t.orderId,
        byRiskd: bool(t.byRiskd),
      };
      if (insert.run(params).changes === 1) return true;
      update.run(params);
      return false;
    },
    since(accountId, sinceMs) {
      return since.all(accountId, sinceMs).map(decode);
    },
  };
}
