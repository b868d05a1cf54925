// What the ledger keeps of a fill and of an open position: the records ledger.ts holds, apply.ts builds and
// persist.ts writes (types and one pure constructor, below all three so none of them imports another for them).
import type { Trade } from '../gateway/models.ts';
import type { FillView } from './view.ts';
import type { PositionSnapshot } from './change.ts';

/** A fill as the ledger keeps it (FillView plus commissions, which the gateway reports separately). */
export interface FillRecord extends FillView {
  commissions: number | null;
}

/** The ledger's record of a gateway trade (hub, REST or the store). */
export function fillRecordOf(t: Trade, symbol: string, byRiskd: boolean): FillRecord {
  return {
    id: t.id,
    contractId: t.contractId,
    symbol,
    at: t.creationTimestamp,
    price: t.price,
    size: t.size,
    side: t.side,
    profitAndLoss: t.profitAndLoss,
    fees: t.fees,
    commissions: t.commissions ?? null,
    voided: t.voided,
    orderId: t.orderId,
    byRiskd,
  };
}

/** An open position as the ledger keeps it. */
export interface PositionRecord extends PositionSnapshot {
  /** creationTimestamp as the gateway reported it (identifies this position's lifetime with `id`). */
  creationTimestamp: number;
  /** receivedAt of the event that produced this state. */
  observedAt: number;
  /** Best / worst unrealized seen since it opened; NaN until first marked. */
  mfe: number;
  mae: number;
}
