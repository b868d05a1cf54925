// RULE-012 trade_management: once a position is `breakeven.trigger_ticks` in profit its stop goes to
// breakeven + offset; once `trailing.activation_ticks` in profit the stop trails `distance_ticks` behind the
// mark. The tighter of the two wins. The trader's own stop is modified when there is one (a Stop or StopLimit
// on the exit side), otherwise a stop is placed. Never loosen: a stop already at or beyond the target (e.g. the
// trader moved it further in their favour) is left alone, and so is a trader's TrailingStop. At most one
// modify per second per order, one placement per second per contract (the caller keeps the timestamps).
import type { RiskRules } from '../config/types.ts';
import type { PositionView } from '../ledger/view.ts';
import { OrderStatus, OrderType, type Order } from '../gateway/models.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, exitSide } from './util.ts';
import { isStopType } from './r008-noStopLossGrace.ts';

const THROTTLE_MS = 1000;

type Cfg = RiskRules['trade_management'];

/** Snap a price to the tick grid, rounding toward `dir`; toFixed removes binary noise (0.1 + 0.2). */
export function snapToTick(price: number, tick: number, dir: 'up' | 'down'): number {
  const n = price / tick;
  const steps = dir === 'up' ? Math.ceil(n - 1e-9) : Math.floor(n + 1e-9);
  return Number((steps * tick).toFixed(10));
}

/** The stop price RULE-012 wants for this position now, or null when neither stage is active. */
export function targetStop(cfg: Cfg, p: PositionView): { price: number; stage: 'breakeven' | 'trailing' } | null {
  const c = p.contract;
  if (p.profitTicks === null || p.mark === null || !c || !(c.tickSize > 0)) return null;
  const tick = c.tickSize;
  const long = p.side === 'long';
  const mark = p.mark;
  let bePrice = NaN;
  let trPrice = NaN;
  const be = cfg.breakeven;
  if (be.trigger_ticks > 0 && p.profitTicks >= be.trigger_ticks) {
    bePrice = validStop(long ? p.averagePrice + be.offset_ticks * tick : p.averagePrice - be.offset_ticks * tick, tick, long, mark);
  }
  const tr = cfg.trailing;
  if (tr.activation_ticks > 0 && tr.distance_ticks > 0 && p.profitTicks >= tr.activation_ticks) {
    trPrice = validStop(long ? mark - tr.distance_ticks * tick : mark + tr.distance_ticks * tick, tick, long, mark);
  }
  if (Number.isNaN(bePrice) && Number.isNaN(trPrice)) return null;
  if (Number.isNaN(trPrice)) return { price: bePrice, stage: 'breakeven' };
  if (Number.isNaN(bePrice)) return { price: trPrice, stage: 'trailing' };
  const trailingTighter = long ? trPrice > bePrice : trPrice < bePrice;
  return trailingTighter ? { price: trPrice, stage: 'trailing' } : { price: bePrice, stage: 'breakeven' };
}

/** Round toward the mark (tighter, never below breakeven + offset); NaN unless strictly on the loss side. */
function validStop(raw: number, tick: number, long: boolean, mark: number): number {
  const price = snapToTick(raw, tick, long ? 'up' : 'down');
  return (long ? price < mark : price > mark) ? price : NaN;
}

type StopFinding = { kind: 'none' } | { kind: 'wait' } | { kind: 'stop'; order: Order };

/** The trader's stop for the position: the Open Stop/StopLimit with the largest size, or wait / none. */
function findStop(orders: readonly Order[], p: PositionView): StopFinding {
  const side = exitSide(p);
  let found: Order | undefined;
  let trailing = false;
  let pending = false;
  for (const o of orders) {
    if (o.contractId !== p.contractId || o.side !== side || !isStopType(o.type)) continue;
    if (o.status === OrderStatus.Pending || o.status === OrderStatus.Suspended) pending = true;
    if (o.status !== OrderStatus.Open) continue;
    if (o.type === OrderType.TrailingStop) trailing = true;
    else if (o.stopPrice !== null && o.stopPrice !== undefined && (!found || o.size > found.size)) found = o;
  }
  if (trailing) return { kind: 'wait' }; // the trader's trailing stop manages itself
  if (found) return { kind: 'stop', order: found };
  return pending ? { kind: 'wait' } : { kind: 'none' };
}

function manage(cfg: Cfg, ctx: RuleContext, p: PositionView): Verdict | null {
  const target = targetStop(cfg, p);
  if (!target) return null;
  const finding = findStop(ctx.view.workingOrders(), p);
  if (finding.kind === 'wait') return null;
  const long = p.side === 'long';
  let orderId: number | undefined;
  if (finding.kind === 'stop') {
    const current = finding.order.stopPrice as number;
    if (long ? current >= target.price : current <= target.price) return null; // never loosen
    const last = ctx.lastModifyAt?.(finding.order.id);
    if (last !== undefined && ctx.now - last < THROTTLE_MS) return null;
    orderId = finding.order.id;
  } else {
    const last = ctx.lastStopPlacedAt?.(p.contractId);
    if (last !== undefined && ctx.now - last < THROTTLE_MS) return null;
  }
  const what = target.stage === 'breakeven' ? 'breakeven' : `${cfg.trailing.distance_ticks} ticks behind ${p.mark}`;
  return {
    rule: 'RULE-012',
    intents: [
      {
        type: 'moveStop',
        accountId: ctx.view.accountId,
        contractId: p.contractId,
        ...(orderId !== undefined ? { orderId } : {}),
        stopPrice: target.price,
        size: p.size,
        side: exitSide(p),
      },
    ],
    message:
      `${p.symbol} ${p.side} is ${p.profitTicks} ticks in profit: ` +
      `${orderId !== undefined ? 'stop moved to' : 'stop placed at'} ${target.price} (${what})`,
    numbers: { value: p.profitTicks ?? undefined, symbol: p.symbol, contractId: p.contractId, size: p.size },
  };
}

export function tradeManagement(cfg: Cfg, ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled) return NO_VERDICTS;
  const { view, event } = ctx;
  if (event.kind === 'quote') {
    const p = view.position(event.contractId);
    const v = p ? manage(cfg, ctx, p) : null;
    return v ? [v] : NO_VERDICTS;
  }
  let verdicts: Verdict[] | undefined;
  for (const p of view.positions()) {
    const v = manage(cfg, ctx, p);
    if (v) (verdicts ??= []).push(v);
  }
  return verdicts ?? NO_VERDICTS;
}
