// RULE-008 no_stop_loss_grace: every position needs a protective stop within `grace`. The grace timer lives in
// the position grace machine (it starts on a new position and again when the stop is cancelled while the
// position is open; scaling in does not restart it). This file answers "is the position protected?" and builds
// the close verdict when the machine reports the grace expired (trigger stopGraceExpired).
import type { RiskRules } from '../config/types.ts';
import type { LedgerView, PositionView } from '../ledger/view.ts';
import { OrderStatus, OrderType, type Order } from '../gateway/models.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, exitSide } from './util.ts';
import { contracts, duration } from '../format/plain.ts';

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

/** The verdict for a position whose grace ran out unprotected: close it. */
export function noStopVerdict(cfg: RiskRules['no_stop_loss_grace'], ctx: RuleContext, p: PositionView): Verdict {
  return {
    rule: 'RULE-008',
    intents: [{ type: 'close', accountId: ctx.view.accountId, contractId: p.contractId }],
    message: `${p.symbol} ${p.side} ${contracts(p.size)} had no protective stop within ${duration(cfg.grace)}: position closed`,
    numbers: { limit: cfg.grace, symbol: p.symbol, contractId: p.contractId, size: p.size },
  };
}

/** On stopGraceExpired: close the position if it is still open and still unprotected. */
export function noStopLossGrace(cfg: RiskRules['no_stop_loss_grace'], ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled || ctx.event.kind !== 'stopGraceExpired') return NO_VERDICTS;
  const p = ctx.view.position(ctx.event.contractId);
  if (!p || p.size <= 0 || hasProtectiveStop(ctx.view, p)) return NO_VERDICTS;
  return [noStopVerdict(cfg, ctx, p)];
}
