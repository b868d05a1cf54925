// What one applied GatewayEvent changed in an account's ledger. The router hands these to rules and machines,
// so they react to what happened (a new fill, a closed position) rather than diffing state themselves.
import type { Account, Order } from '../gateway/models.ts';
import type { FillView, Side } from './view.ts';

/** A position as it was before / is after a change (plain data, safe to keep). */
export interface PositionSnapshot {
  id: number;
  contractId: string;
  symbol: string;
  side: Side;
  size: number;
  averagePrice: number;
  openedAt: number;
}

export type LedgerChange =
  /** A fill riskd had not seen. `today` false = it belongs to an earlier trading day (stored, not counted). */
  | { kind: 'fill'; fill: FillView; today: boolean }
  /** A known fill turned voided: today's realized P&L dropped its profitAndLoss. */
  | { kind: 'fillVoided'; fill: FillView }
  /** riskd learned after the fact that a fill came from its own enforcement (markEnforcementOrder). */
  | { kind: 'fillAttributed'; fill: FillView }
  /**
   * opened: flat (or the opposite side, or another position id) -> position; changed: same position, new size or
   * average; closed: position -> flat.
   */
  | { kind: 'position'; what: 'opened' | 'changed' | 'closed'; contractId: string; before: PositionSnapshot | null; after: PositionSnapshot | null }
  /** working: a new working order; changed: a working order changed; terminal: it filled / was cancelled... */
  | { kind: 'order'; what: 'working' | 'changed' | 'terminal'; order: Order; before: Order | undefined }
  | { kind: 'account'; before: Account | undefined; after: Account; canTradeChanged: boolean }
  /** A quote moved the mark of this account's position(s) in `contractId`. */
  | { kind: 'quote'; contractId: string }
  /** Tick facts for a contract became known (unrealized P&L may now be computable). */
  | { kind: 'contract'; contractId: string }
  /** The trading day rolled: today's fills and counters were reset. */
  | { kind: 'tradingDay'; previousStart: number; start: number };
