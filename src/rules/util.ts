// Small helpers shared by the rule files: the shared empty result (no allocation when nothing breaches),
// money comparison in whole cents (so 499.999999 from float sums is $500.00), exposure ordering.
import type { FillView, PositionView, LedgerView } from '../ledger/view.ts';
import type { Intent, Verdict } from './types.ts';
import { OrderSide } from '../gateway/models.ts';

export const NO_VERDICTS: readonly Verdict[] = Object.freeze([]) as readonly Verdict[];

export function cents(v: number): number {
  return Math.round(v * 100);
}

/** value <= -limit in whole cents, and a real loss exists (a $0 limit does not breach at $0). */
export function lossReached(value: number, limit: number): boolean {
  const v = cents(value);
  return v < 0 && v <= -cents(Math.abs(limit));
}

/** value >= target in whole cents, and a real profit exists. */
export function profitReached(value: number, target: number): boolean {
  const v = cents(value);
  return v > 0 && v >= cents(Math.abs(target));
}

/**
 * Today's other trader rows of the order `fill` belongs to, of the same kind (entry or exit) and not voided: the
 * gateway may report one order as several fill rows (projectx-api.md §8.25), which RULE-006/007 count once.
 */
export function otherRowsOfOrder(view: LedgerView, fill: FillView): FillView[] {
  const entry = fill.profitAndLoss === null;
  return view
    .fillsToday()
    .filter((f) => f.orderId === fill.orderId && f.id !== fill.id && !f.voided && !f.byRiskd && (f.profitAndLoss === null) === entry);
}

/** The side that closes a position: sell (Ask) a long, buy (Bid) a short. */
export function exitSide(p: PositionView): OrderSide {
  return p.side === 'long' ? OrderSide.Ask : OrderSide.Bid;
}

/** Dollar exposure size × price × pointValue, or null without contract facts. */
function dollarExposure(p: PositionView): number | null {
  const c = p.contract;
  if (!c || !(c.tickSize > 0)) return null;
  const price = p.mark ?? p.averagePrice;
  return p.size * price * (c.tickValue / c.tickSize);
}

/**
 * Positions ordered largest exposure first. Dollar exposure when every position has contract facts, else
 * plain size for all (mixing dollars and sizes would be meaningless). Ties: larger size, then the most
 * recently opened (the newest risk goes first), then contract id for determinism.
 */
export function byExposureDesc(positions: readonly PositionView[]): PositionView[] {
  const dollars = positions.map(dollarExposure);
  const useDollars = dollars.every((d) => d !== null);
  const keyed = positions.map((p, i) => ({ p, e: useDollars ? (dollars[i] as number) : p.size }));
  keyed.sort(
    (a, b) =>
      b.e - a.e || b.p.size - a.p.size || b.p.openedAt - a.p.openedAt || (a.p.contractId < b.p.contractId ? -1 : 1),
  );
  return keyed.map((k) => k.p);
}

/** Intents that remove `excess` contracts, largest exposure first: close whole positions, reduce the last one. */
export function reduceLargestFirst(view: LedgerView, positions: readonly PositionView[], excess: number): Intent[] {
  const intents: Intent[] = [];
  let left = excess;
  for (const p of byExposureDesc(positions)) {
    if (left <= 0) break;
    const take = Math.min(p.size, left);
    intents.push(
      take === p.size
        ? { type: 'close', accountId: view.accountId, contractId: p.contractId }
        : { type: 'reduce', accountId: view.accountId, contractId: p.contractId, size: take },
    );
    left -= take;
  }
  return intents;
}

/** "MNQ -2, ES -1 (closed)" for messages. */
export function describeReductions(view: LedgerView, intents: readonly Intent[]): string {
  return intents
    .map((i) => {
      if (i.type === 'close') return `${view.symbolOf(i.contractId)} -${view.position(i.contractId)?.size ?? '?'} (closed)`;
      if (i.type === 'reduce') return `${view.symbolOf(i.contractId)} -${i.size}`;
      return i.type;
    })
    .join(', ');
}
