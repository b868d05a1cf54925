// RULE-008 no_stop_loss_grace: every position needs a protective stop within `grace`. The decision is the
// position grace machine's (machines/position: the timer, the expiry, the close); this file answers the one
// ledger question it is told as a fact: "is the position protected?".
import type { LedgerView, PositionView } from '../ledger/view.ts';
import { OrderStatus, OrderType, type Order } from '../gateway/models.ts';
import { exitSide } from './util.ts';

/** Stop, StopLimit or TrailingStop. */
export function isStopType(type: number): boolean {
  return type === OrderType.Stop || type === OrderType.StopLimit || type === OrderType.TrailingStop;
}

/**
 * A working (status Open) stop-type order in the position's contract, on the exit side, with its stop on the
 * loss side of the mark (so breakeven and profit-locking stops count). A bracket stop child counts once it is
 * Open; Suspended (8) children wait for their parent and have no price yet. Without a mark any priced stop
 * counts: a stop on the wrong side of the market would already have triggered. A TrailingStop trails from the
 * market by construction, so it counts without a stop price.
 */
export function isProtectiveStopFor(o: Order, p: PositionView): boolean {
  if (o.status !== OrderStatus.Open || o.contractId !== p.contractId || !isStopType(o.type)) return false;
  if (o.side !== exitSide(p)) return false;
  const stop = o.stopPrice;
  if (stop === null || stop === undefined) return o.type === OrderType.TrailingStop;
  if (p.mark === null) return true;
  return p.side === 'long' ? stop < p.mark : stop > p.mark;
}

/** True when the position's protective stops together cover at least its size. */
export function hasProtectiveStop(view: LedgerView, position: PositionView): boolean {
  let covered = 0;
  for (const o of view.workingOrders()) {
    if (isProtectiveStopFor(o, position)) covered += Math.max(0, o.size - (o.fillVolume ?? 0));
  }
  return covered >= position.size;
}
