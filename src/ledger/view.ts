// The read-only view of one account that rules evaluate against. src/ledger implements it; rules and the
// dashboard only read through it. All money in USD, all instants in epoch ms.
import type { Account, Contract, Order } from '../gateway/models.ts';

export type Side = 'long' | 'short';

export interface PositionView {
  readonly accountId: number;
  readonly contractId: string;
  /** Trader-facing symbol (ES, NQ, MNQ...), never the gateway root (EP, ENQ). */
  readonly symbol: string;
  readonly side: Side;
  readonly size: number;
  readonly averagePrice: number;
  /** When this position was opened (flat -> non-flat), epoch ms. Scale-ins keep it. */
  readonly openedAt: number;
  readonly contract: Contract | undefined;
  /** Mark used for P&L (bid for long, ask for short; last, then mid as fallback), or null with no quote. */
  readonly mark: number | null;
  /** Unrealized P&L at `mark` computed through ticks, or null when there is no quote or no contract facts. */
  readonly unrealized: number | null;
  /** Unrealized profit in ticks at `mark` (positive = in favour), or null. */
  readonly profitTicks: number | null;
}

export interface FillView {
  id: number;
  contractId: string;
  symbol: string;
  at: number;
  price: number;
  size: number;
  side: 0 | 1;
  /** null for an entry, gross realized P&L for an exit. */
  profitAndLoss: number | null;
  fees: number;
  voided: boolean;
  orderId: number;
  /** True when this fill came from riskd's own enforcement (never counted by RULE-006/007). */
  byRiskd: boolean;
  /**
   * When riskd received it, on riskd's clock (`at` is the gateway's). Absent for fills loaded from the store at
   * start. Whether exposure is newer than a lock is judged on this clock only (locks begin on riskd's clock).
   */
  receivedAt?: number;
}

export interface LedgerView {
  readonly accountId: number;
  readonly account: Account | undefined;
  /** Start of the current trading day, epoch ms. */
  readonly tradingDayStart: number;
  positions(): readonly PositionView[];
  position(contractId: string): PositionView | undefined;
  workingOrders(): readonly Order[];
  contract(contractId: string): Contract | undefined;
  symbolOf(contractId: string): string;
  openContractsTotal(): number;
  openContractsBySymbol(): ReadonlyMap<string, number>;
  /** Σ profitAndLoss of today's non-voided exits (gross). */
  realizedGrossToday(): number;
  /** Σ fees of all of today's fills (voided included, as rules.md says). */
  feesToday(): number;
  /** Net realized P&L: gross minus fees when includeFees. */
  realizedNetToday(includeFees: boolean): number;
  /** Σ unrealized over positions with a quote; null when any open position has no mark. */
  unrealizedTotal(): number | null;
  fillsToday(): readonly FillView[];
  /** Count of today's trader fills (byRiskd excluded) stamped at or after `sinceMs`, entries only or all fills. */
  countSince(sinceMs: number, what: 'entries' | 'fills'): number;
  /**
   * The same for fills riskd received at or after `sinceMs` on its own clock (rolling windows measured from
   * riskd's now); a fill loaded from the store, whose arrival is unknown, counts by its stamp.
   */
  countReceivedSince(sinceMs: number, what: 'entries' | 'fills'): number;
  /** Consecutive losing trader exits at the end of today's sequence (a profitable exit resets it). */
  consecutiveLosingExits(): number;
}

/** A merged quote as rules see it: a field the gateway never sent is null (unknown), never 0. */
export interface QuoteView {
  contractId: string;
  bid: number | null;
  ask: number | null;
  last: number | null;
  /** ms since riskd last merged a delta for this contract. */
  ageMs: number;
}

/** Best and worst unrealized P&L (USD) seen while a position was open. */
export interface Excursion {
  maxFavorable: number;
  maxAdverse: number;
}

/** The full account ledger view (src/ledger Ledger implements it); LedgerView is the subset rules must have. */
export interface AccountLedgerView extends LedgerView {
  readonly canTrade: boolean | undefined;
  readonly balance: number | undefined;
  /** End of the current trading day (the next reset), epoch ms. */
  readonly tradingDayEnd: number;
  /** YYYY-MM-DD id of the current trading day (calendar/tradingDay). */
  readonly tradingDayId: string;
  quote(contractId: string, now: number): QuoteView | undefined;
  workingOrder(orderId: number): Order | undefined;
  /** Working bracket children (stop / target) of an entry order. */
  bracketChildren(parentOrderId: number): readonly Order[];
  commissionsToday(): number;
  /** Best / worst unrealized P&L of any position today (0 / 0 when none was marked). */
  excursionToday(): Excursion;
  /** Excursion of the open position in a contract since it opened, or undefined when flat / never marked. */
  positionExcursion(contractId: string): Excursion | undefined;
}
