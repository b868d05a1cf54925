// Persistence of the ledger's durable parts (fills, positions, working orders, contracts, daily P&L) through
// the SQLite store (contracts.md Store API). Declared here as the subset the ledger needs, so the ledger can
// be tested without a database and the store stays free to grow.
import type { Contract, Order, Position, Trade } from '../gateway/models.ts';
import type { FillRecord, PositionRecord } from './records.ts';

export interface DailyPnlRow {
  accountId: number;
  tradingDay: string;
  realizedGross: number;
  fees: number;
  commissions: number;
  updatedAt: number;
}

/** The part of src/store's Store the ledger uses. */
export interface LedgerStore {
  transaction<T>(fn: () => T): T;
  fills: {
    upsert(accountId: number, t: Trade & { byRiskd?: boolean }): boolean;
    since(accountId: number, sinceMs: number): (Trade & { byRiskd: boolean })[];
  };
  positions: { upsert(p: Position): void; remove(accountId: number, contractId: string): void; list(accountId: number): Position[] };
  orders: { upsert(o: Order): void; remove(accountId: number, orderId: number): void; working(accountId: number): Order[] };
  contracts: { upsert(c: Contract): void; get(id: string): Contract | undefined; all(): Contract[] };
  dailyPnl: { upsert(r: DailyPnlRow): void };
  /** Runs a write before the open transaction commits (src/store's Store.later); none = at once. */
  later?(write: () => void): void;
}

/** What the ledger writes as it changes. */
export interface LedgerSink {
  fill(accountId: number, f: FillRecord): void;
  position(accountId: number, p: PositionRecord): void;
  positionClosed(accountId: number, contractId: string): void;
  order(o: Order): void;
  orderDone(accountId: number, orderId: number): void;
  dailyPnl(r: DailyPnlRow): void;
  /** Where the ledger's writes wait for the end of the store transaction (the hub frame's turn); none = at once. */
  later?(write: () => void): void;
}

/** Trade row (as the gateway reports it) of a ledger fill. */
export function fillToTrade(accountId: number, f: FillRecord): Trade & { byRiskd: boolean } {
  return {
    id: f.id,
    accountId,
    contractId: f.contractId,
    creationTimestamp: f.at,
    price: f.price,
    profitAndLoss: f.profitAndLoss,
    fees: f.fees,
    commissions: f.commissions,
    side: f.side,
    size: f.size,
    voided: f.voided,
    orderId: f.orderId,
    byRiskd: f.byRiskd,
  };
}

export function positionRecordToPosition(accountId: number, p: PositionRecord): Position {
  return {
    id: p.id,
    accountId,
    contractId: p.contractId,
    creationTimestamp: p.creationTimestamp,
    type: p.side === 'long' ? 1 : 2,
    size: p.size,
    averagePrice: p.averagePrice,
  };
}

/** A sink writing straight into the store (better-sqlite3 is synchronous; each write is its own statement). */
export function storeSink(store: LedgerStore): LedgerSink {
  return {
    fill: (accountId, f) => void store.fills.upsert(accountId, fillToTrade(accountId, f)),
    position: (accountId, p) => store.positions.upsert(positionRecordToPosition(accountId, p)),
    positionClosed: (accountId, contractId) => store.positions.remove(accountId, contractId),
    order: (o) => store.orders.upsert(o),
    orderDone: (accountId, orderId) => store.orders.remove(accountId, orderId),
    dailyPnl: (r) => store.dailyPnl.upsert(r),
    ...(store.later ? { later: (write: () => void) => store.later!(write) } : {}),
  };
}
