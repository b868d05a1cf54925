// A past the simulator remembers: fills, orders and the price path of earlier trading days, so `riskd replay`
// has a history to fetch (Trade/search, Order/search, History/retrieveBars) with no real gateway. A history is
// a list of scripted round trips; everything else (order rows, fills with gross P&L and fees, a step price
// path the minute bars are cut from) follows from them, so a test can compute every figure by hand.
import { roundToTick, type ContractSpec } from '../engine/contracts.ts';

/** One scripted round trip: in at entryAt, out at exitAt (market orders), optionally protected by a stop. */
export interface PastRoundTrip {
  contractId: string;
  side: 'long' | 'short';
  size: number;
  entryAt: number;
  entryPrice: number;
  exitAt: number;
  exitPrice: number;
  /** A protective stop placed at `at` (cancelled at the exit). Absent: the position had no stop. */
  stop?: { at: number; price: number };
  /** Extra price points while the trade is open (e.g. a dip that shows as unrealized loss). */
  path?: { at: number; price: number }[];
}

export interface PastFill {
  id: number;
  accountId: number;
  contractId: string;
  at: number;
  price: number;
  profitAndLoss: number | null;
  fees: number;
  commissions: number;
  side: 0 | 1;
  size: number;
  orderId: number;
}

export interface PastOrder {
  id: number;
  accountId: number;
  contractId: string;
  symbolId: string;
  createdAt: number;
  updatedAt: number;
  status: number;
  type: number;
  side: 0 | 1;
  size: number;
  stopPrice: number | null;
  fillVolume: number;
  filledPrice: number | null;
}

export interface SimHistory {
  fills: PastFill[];
  orders: PastOrder[];
  /** Step price path per contract, sorted by time: the price at t is the last point at or before t. */
  prices: Map<string, { at: number; price: number }[]>;
  /** The earliest instant the history covers (the gateway keeps nothing older). */
  keptSince: number;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/** Builds the rows of a scripted history for one account. Ids start low so they never meet live ones. */
export function buildHistory(accountId: number, trips: readonly PastRoundTrip[], catalog: (id: string) => ContractSpec | undefined, keptSince?: number): SimHistory {
  const fills: PastFill[] = [];
  const orders: PastOrder[] = [];
  const prices = new Map<string, { at: number; price: number }[]>();
  let nextOrder = 1_000_001;
  let nextFill = 2_000_001;
  const sorted = [...trips].sort((a, b) => a.entryAt - b.entryAt);
  for (const t of sorted) {
    const c = catalog(t.contractId);
    if (!c) throw new Error(`sim history: unknown contract ${t.contractId}`);
    if (!(t.exitAt > t.entryAt)) throw new Error(`sim history: a round trip must exit after it enters (${new Date(t.entryAt).toISOString()})`);
    const buy = t.side === 'long';
    const inSide: 0 | 1 = buy ? 0 : 1;
    const outSide: 0 | 1 = buy ? 1 : 0;
    const entryPrice = roundToTick(t.entryPrice, c.tickSize);
    const exitPrice = roundToTick(t.exitPrice, c.tickSize);
    const ticks = Math.round((exitPrice - entryPrice) / c.tickSize) * (buy ? 1 : -1);
    const pnl = cents(ticks * c.tickValue * t.size);
    const fee = cents(c.feePerContract * t.size);
    const commission = cents(c.commissionPerContract * t.size);
    const entryOrder = nextOrder++;
    orders.push(order(entryOrder, accountId, c, t.entryAt, t.entryAt, 2, 2, inSide, t.size, null, t.size, entryPrice));
    fills.push({ id: nextFill++, accountId, contractId: c.id, at: t.entryAt, price: entryPrice, profitAndLoss: null, fees: fee, commissions: commission, side: inSide, size: t.size, orderId: entryOrder });
    if (t.stop) {
      orders.push(order(nextOrder++, accountId, c, t.stop.at, t.exitAt, 3, 4, outSide, t.size, roundToTick(t.stop.price, c.tickSize), 0, null));
    }
    const exitOrder = nextOrder++;
    orders.push(order(exitOrder, accountId, c, t.exitAt, t.exitAt, 2, 2, outSide, t.size, null, t.size, exitPrice));
    fills.push({ id: nextFill++, accountId, contractId: c.id, at: t.exitAt, price: exitPrice, profitAndLoss: pnl, fees: fee, commissions: commission, side: outSide, size: t.size, orderId: exitOrder });
    const path = prices.get(c.id) ?? [];
    path.push({ at: t.entryAt, price: entryPrice }, ...(t.path ?? []).map((p) => ({ at: p.at, price: roundToTick(p.price, c.tickSize) })), { at: t.exitAt, price: exitPrice });
    prices.set(c.id, path);
  }
  for (const path of prices.values()) path.sort((a, b) => a.at - b.at);
  const first = Math.min(...sorted.map((t) => t.entryAt), Number.POSITIVE_INFINITY);
  return { fills, orders, prices, keptSince: keptSince ?? (Number.isFinite(first) ? first - 7 * 86_400_000 : 0) };
}

function order(id: number, accountId: number, c: ContractSpec, createdAt: number, updatedAt: number, status: number, type: number, side: 0 | 1, size: number, stopPrice: number | null, fillVolume: number, filledPrice: number | null): PastOrder {
  return { id, accountId, contractId: c.id, symbolId: c.symbolId, createdAt, updatedAt, status, type, side, size, stopPrice, fillVolume, filledPrice };
}

/** The remembered price of a contract at `t`, or undefined when the history has no point at or before it. */
export function pastPriceAt(h: SimHistory, contractId: string, t: number): number | undefined {
  const path = h.prices.get(contractId);
  if (!path || path.length === 0 || path[0]!.at > t) return undefined;
  let lo = 0;
  let hi = path.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (path[mid]!.at <= t) lo = mid;
    else hi = mid - 1;
  }
  return path[lo]!.price;
}
