// One account's ledger: what the gateway says the account holds (positions, working orders, today's fills,
// balance, canTrade), plus the numbers rules evaluate (open contracts, realized and unrealized P&L, trade
// counts, losing streak). State changes only through applyEvent (apply.ts), which makes every event idempotent.
// Shared per process: the QuoteBook (quotes per contract) and ContractCache (tick facts).
import type { Account, Contract, Order, Trade } from '../gateway/models.ts';
import { tradingDayStart, nextReset, tradingDayId, type ResetSpec } from '../calendar/tradingDay.ts';
import type { AccountLedgerView, Excursion, FillView, PositionView, QuoteView, Side } from './view.ts';
import { markFor, type MergedQuote, type QuoteBook } from './quotes.ts';
import type { ContractCache } from './contracts.ts';
import { profitTicks, roundCents, ticksToMoney } from './pnl.ts';
import { symbolOf } from './symbols.ts';
import { storeSink, type DailyPnlRow, type LedgerSink, type LedgerStore } from './persist.ts';
import { fillRecordOf, type FillRecord, type PositionRecord } from './records.ts';

/** Where a position event stands in its contract's history: lifetime (created, id), closed, observation time. */
export interface PositionMark {
  created: number;
  id: number;
  closed: boolean;
  at: number;
}

/** Version of an order as last applied: newer (updateTimestamp, updateTicks, fillVolume, terminal) wins. */
export interface OrderVersion {
  updateTimestamp: number;
  updateTicks: number;
  fillVolume: number;
  terminal: boolean;
}

export interface LedgerLogger {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export interface LedgerOptions {
  accountId: number;
  tradingDay: ResetSpec;
  /** "Now" at construction: picks the current trading day. */
  now: number;
  quotes: QuoteBook;
  contracts: ContractCache;
  /** Where durable parts go (store adapter, persist.ts); none = memory only. */
  sink?: LedgerSink;
  /** Told whenever the account's interest in a contract (open position or working order) starts or ends. */
  onInterest?: (accountId: number, contractId: string, interested: boolean) => void;
  logger?: LedgerLogger;
}

const EMPTY_ORDERS: readonly Order[] = Object.freeze([]);

export class Ledger implements AccountLedgerView {
  readonly accountId: number;
  readonly resetSpec: ResetSpec;
  readonly quotes: QuoteBook;
  readonly contracts: ContractCache;
  readonly sink: LedgerSink | undefined;
  readonly logger: LedgerLogger | undefined;
  private readonly onInterest: LedgerOptions['onInterest'];

  // --- state (mutated by apply.ts through the methods below) ---
  account: Account | undefined;
  accountObservedAt = -Infinity;
  tradingDayStart: number;
  tradingDayEnd: number;
  tradingDayId: string;
  readonly positionsByContract = new Map<string, PositionRecord>();
  /** The newest position event applied per contract, closes included (apply.ts orders events by it). */
  readonly positionLatest = new Map<string, PositionMark>();
  readonly working = new Map<number, Order>();
  readonly orderVersions = new Map<number, OrderVersion>();
  /** Today's fills sorted by time (ties by id), and by id. */
  readonly fills: FillRecord[] = [];
  readonly fillsById = new Map<number, FillRecord>();
  /** Fill ids of the previous trading day, so a replay after the roll is still recognised. */
  previousDayFillIds = new Set<number>();
  private gross = 0;
  private fees = 0;
  private commissions = 0;
  private dayFavorable = 0;
  private dayAdverse = 0;
  /** Last position view per contract and the inputs it was built from (see position()). */
  private readonly viewCache = new Map<string, { rec: PositionRecord; contract: Contract | undefined; quote: MergedQuote | undefined; seq: number; view: PositionView }>();
  /** Per contract: signed net of today's non-voided fills and the latest fill time (netFilledToday's cache). */
  private readonly netByContract = new Map<string, { net: number; lastReceivedAt: number | undefined }>();
  private readonly enforcementOrders = new Set<number>();
  private readonly enforcementPending = new Map<string, { since: number; until: number; contracts: number }>();
  /**
   * Per contract, the signed size (long +) of the fills that arrived after its latest position event. The hub
   * does not order trades and positions, so a fill can run ahead of the position event it causes; this says
   * where the position is heading before that event arrives (see fillsSincePosition).
   */
  private readonly fillNetSincePosition = new Map<string, number>();

  constructor(opts: LedgerOptions) {
    this.accountId = opts.accountId;
    this.resetSpec = opts.tradingDay;
    this.quotes = opts.quotes;
    this.contracts = opts.contracts;
    this.sink = opts.sink;
    this.logger = opts.logger;
    this.onInterest = opts.onInterest;
    this.tradingDayStart = tradingDayStart(opts.now, opts.tradingDay);
    this.tradingDayEnd = nextReset(opts.now, opts.tradingDay);
    this.tradingDayId = tradingDayId(opts.now, opts.tradingDay);
  }

  /**
   * Rebuilds an account's ledger from the store after a restart: contracts, open positions, working orders and
   * today's fills (byRiskd kept). Account and quotes are unknown until the caller reconciles over REST, which
   * then applies whatever happened while riskd was down as ordinary events.
   */
  static restore(store: LedgerStore, accountId: number, now: number, opts: Omit<LedgerOptions, 'accountId' | 'now' | 'sink'>): Ledger {
    const ledger = new Ledger({ ...opts, accountId, now, sink: storeSink(store) });
    for (const c of store.contracts.all()) if (!opts.contracts.has(c.id)) opts.contracts.put(c);
    for (const p of store.positions.list(accountId)) {
      const side = sideOfType(p.type);
      if (!side || p.size <= 0) continue;
      ledger.positionsByContract.set(p.contractId, {
        id: p.id,
        contractId: p.contractId,
        symbol: ledger.symbolOf(p.contractId),
        side,
        size: p.size,
        averagePrice: p.averagePrice,
        openedAt: p.creationTimestamp,
        creationTimestamp: p.creationTimestamp,
        observedAt: -Infinity,
        mfe: NaN,
        mae: NaN,
      });
      ledger.positionLatest.set(p.contractId, { created: p.creationTimestamp, id: p.id, closed: false, at: -Infinity });
      ledger.onInterest?.(accountId, p.contractId, true);
    }
    for (const o of store.orders.working(accountId)) {
      ledger.working.set(o.id, o);
      ledger.orderVersions.set(o.id, {
        updateTimestamp: o.updateTimestamp,
        updateTicks: o.updateTicks ?? 0,
        fillVolume: o.fillVolume,
        terminal: false,
      });
      ledger.onInterest?.(accountId, o.contractId, true);
    }
    for (const t of store.fills.since(accountId, ledger.tradingDayStart)) {
      if (t.creationTimestamp < ledger.tradingDayStart || t.creationTimestamp >= ledger.tradingDayEnd) continue;
      if (ledger.fillsById.has(t.id)) continue;
      ledger.addFill(fillRecordOf(t, ledger.symbolOf(t.contractId), t.byRiskd), false);
    }
    return ledger;
  }

  // ------------------------------------------------------------------ view
  get canTrade(): boolean | undefined {
    return this.account?.canTrade;
  }
  get balance(): number | undefined {
    return this.account?.balance;
  }

  contract(contractId: string): Contract | undefined {
    return this.contracts.get(contractId);
  }

  symbolOf(contractId: string): string {
    return symbolOf(contractId, this.contracts.get(contractId));
  }

  positions(): readonly PositionView[] {
    const out: PositionView[] = [];
    for (const rec of this.positionsByContract.values()) out.push(this.viewOf(rec));
    return out;
  }

  /**
   * The view of one open position. On a quote the rules ask for the same position several times (which rules
   * run, then RULE-004/005/012): the last view per contract is reused while its inputs are the same objects
   * (position record, contract facts, quote record) and the quote has not merged a delta since (seq).
   * Records are replaced, never edited, on a position change; views are read-only.
   */
  position(contractId: string): PositionView | undefined {
    const rec = this.positionsByContract.get(contractId);
    return rec ? this.viewOf(rec) : undefined;
  }

  private viewOf(rec: PositionRecord): PositionView {
    const contractId = rec.contractId;
    const contract = this.contracts.get(contractId);
    const quote = this.quotes.get(contractId);
    const seq = quote ? quote.seq : -1;
    const hit = this.viewCache.get(contractId);
    if (hit && hit.rec === rec && hit.contract === contract && hit.quote === quote && hit.seq === seq) return hit.view;
    const view = this.toView(rec, contract, quote);
    if (hit) {
      hit.rec = rec;
      hit.contract = contract;
      hit.quote = quote;
      hit.seq = seq;
      hit.view = view;
    } else this.viewCache.set(contractId, { rec, contract, quote, seq, view });
    return view;
  }

  private toView(rec: PositionRecord, contract: Contract | undefined, quote: MergedQuote | undefined): PositionView {
    const mark = markFor(quote, rec.side);
    let ticks: number | null = null;
    let unrealized: number | null = null;
    if (mark !== null && contract) {
      ticks = profitTicks(rec.side, rec.averagePrice, mark, contract.tickSize);
      unrealized = ticksToMoney(ticks, rec.size, contract);
    }
    return {
      accountId: this.accountId,
      contractId: rec.contractId,
      symbol: symbolOf(rec.contractId, contract),
      side: rec.side,
      size: rec.size,
      averagePrice: rec.averagePrice,
      openedAt: rec.openedAt,
      contract,
      mark,
      unrealized,
      profitTicks: ticks,
    };
  }

  workingOrders(): readonly Order[] {
    return this.working.size === 0 ? EMPTY_ORDERS : [...this.working.values()];
  }

  workingOrder(orderId: number): Order | undefined {
    return this.working.get(orderId);
  }

  bracketChildren(parentOrderId: number): readonly Order[] {
    const out: Order[] = [];
    for (const o of this.working.values()) if (o.parentOrderId === parentOrderId) out.push(o);
    return out;
  }

  quote(contractId: string, now: number): QuoteView | undefined {
    const q = this.quotes.get(contractId);
    if (!q || q.receivedAt === 0) return undefined;
    const n = (v: number): number | null => (Number.isNaN(v) ? null : v);
    return { contractId, bid: n(q.bid), ask: n(q.ask), last: n(q.last), ageMs: now - q.receivedAt };
  }

  openContractsTotal(): number {
    let total = 0;
    for (const p of this.positionsByContract.values()) total += p.size;
    return total;
  }

  openContractsBySymbol(): ReadonlyMap<string, number> {
    const m = new Map<string, number>();
    for (const p of this.positionsByContract.values()) {
      const s = this.symbolOf(p.contractId);
      m.set(s, (m.get(s) ?? 0) + p.size);
    }
    return m;
  }

  realizedGrossToday(): number {
    return roundCents(this.gross);
  }
  feesToday(): number {
    return roundCents(this.fees);
  }
  commissionsToday(): number {
    return roundCents(this.commissions);
  }
  /**
   * Gross realized P&L minus fees (when includeFees). Commissions are NEVER subtracted: stream trades carry them,
   * REST Trade/search rows do not (projectx-api.md §8.26), and the figure must be the same whether the day was
   * built from the stream or rebuilt from REST after a restart (README, "How riskd reads the gateway").
   */
  realizedNetToday(includeFees: boolean): number {
    return roundCents(includeFees ? this.gross - this.fees : this.gross);
  }

  unrealizedTotal(): number | null {
    let total = 0;
    for (const rec of this.positionsByContract.values()) {
      const u = this.unrealizedOf(rec);
      if (u === null) return null;
      total += u;
    }
    return roundCents(total);
  }

  private unrealizedOf(rec: PositionRecord): number | null {
    const contract = this.contracts.get(rec.contractId);
    if (!contract) return null;
    const mark = markFor(this.quotes.get(rec.contractId), rec.side);
    if (mark === null) return null;
    return ticksToMoney(profitTicks(rec.side, rec.averagePrice, mark, contract.tickSize), rec.size, contract);
  }

  fillsToday(): readonly FillView[] {
    return this.fills;
  }

  /** Signed size (long +) of the fills received since this contract's latest position event; 0 when none. */
  fillsSincePosition(contractId: string): number {
    return this.fillNetSincePosition.get(contractId) ?? 0;
  }

  /** A fill arrived (apply.ts, once per fill id). */
  noteFillArrived(f: FillRecord): void {
    const signed = f.side === 0 ? f.size : -f.size;
    this.fillNetSincePosition.set(f.contractId, (this.fillNetSincePosition.get(f.contractId) ?? 0) + signed);
  }

  /** A position event was applied (or a REST snapshot re-stated the position): the fills so far are in it. */
  notePositionEvent(contractId: string): void {
    this.fillNetSincePosition.delete(contractId);
  }

  /** Contracts filled so far of an order, from today's fills (voided ones excluded). */
  filledSizeOf(orderId: number): number {
    let n = 0;
    for (const f of this.fills) if (f.orderId === orderId && !f.voided) n += f.size;
    return n;
  }

  /**
   * Signed net size (buys +, sells -) of today's non-voided fills in a contract and when riskd received the
   * latest of them, on riskd's clock (undefined when none was received by this process). Kept per contract and
   * recomputed only after that contract's fills change, so a position event does not walk the whole day's
   * fills (the enforcement path reads it on every one).
   */
  netFilledToday(contractId: string): { readonly net: number; readonly lastReceivedAt: number | undefined } {
    let agg = this.netByContract.get(contractId);
    if (agg) return agg;
    let net = 0;
    let lastReceivedAt: number | undefined;
    for (const f of this.fills) {
      if (f.contractId !== contractId || f.voided) continue;
      net += f.side === 0 ? f.size : -f.size;
      if (f.receivedAt !== undefined) lastReceivedAt = lastReceivedAt === undefined ? f.receivedAt : Math.max(lastReceivedAt, f.receivedAt);
    }
    this.netByContract.set(contractId, (agg = { net, lastReceivedAt }));
    return agg;
  }

  /**
   * Trader fills (riskd's own and voided ones excluded) at or after sinceMs, within today. 'entries' counts entry
   * ORDERS: the gateway may report one order as several fill rows (projectx-api.md §8.25), and the trader placed
   * one trade; 'fills' counts rows.
   */
  countSince(sinceMs: number, what: 'entries' | 'fills'): number {
    return this.countTrader(this.firstFillAtOrAfter(sinceMs), what, () => true);
  }

  /** The same for fills riskd received at or after sinceMs on its own clock (a stored fill counts by its stamp). */
  countReceivedSince(sinceMs: number, what: 'entries' | 'fills'): number {
    return this.countTrader(0, what, (f) => (f.receivedAt ?? f.at) >= sinceMs);
  }

  private countTrader(from: number, what: 'entries' | 'fills', keep: (f: FillRecord) => boolean): number {
    let n = 0;
    const orders = what === 'entries' ? new Set<number>() : undefined;
    for (let i = from; i < this.fills.length; i++) {
      const f = this.fills[i]!;
      if (f.byRiskd || f.voided || !keep(f)) continue;
      if (orders) {
        if (f.profitAndLoss !== null || orders.has(f.orderId)) continue;
        orders.add(f.orderId);
      }
      n++;
    }
    return n;
  }

  private firstFillAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.fills.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fills[mid]!.at < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Losing trader exit ORDERS at the end of today's sequence. An exit order may arrive as several fill rows (one
   * per lot it closed, each with its own profitAndLoss and fees; projectx-api.md §8.25): its net is the sum over
   * its rows of profitAndLoss minus fees (when includeFees), and it counts once. Net < 0 is a loser, net >= 0 ends
   * the streak. Entries, voided fills and riskd's own exits are skipped (they neither count nor reset).
   */
  consecutiveLosingExits(includeFees = true): number {
    const netByOrder = new Map<number, number>(); // insertion order = latest row first
    for (let i = this.fills.length - 1; i >= 0; i--) {
      const f = this.fills[i]!;
      if (f.profitAndLoss === null || f.voided || f.byRiskd) continue;
      netByOrder.set(f.orderId, (netByOrder.get(f.orderId) ?? 0) + f.profitAndLoss - (includeFees ? f.fees : 0));
    }
    let n = 0;
    for (const net of netByOrder.values()) {
      if (roundCents(net) < 0) n++;
      else break;
    }
    return n;
  }

  excursionToday(): Excursion {
    return { maxFavorable: this.dayFavorable, maxAdverse: this.dayAdverse };
  }

  positionExcursion(contractId: string): Excursion | undefined {
    const rec = this.positionsByContract.get(contractId);
    if (!rec || Number.isNaN(rec.mfe)) return undefined;
    return { maxFavorable: rec.mfe, maxAdverse: rec.mae };
  }

  // ------------------------------------------------------------------ enforcement attribution
  /**
   * Fills of an order riskd placed are riskd's own. Fills that arrived before the orderId was known (the hub can
   * beat the REST response) are re-attributed now; returns them so the caller can tell the rules.
   */
  markEnforcementOrder(orderId: number): FillView[] {
    this.enforcementOrders.add(orderId);
    const changed: FillView[] = [];
    for (const f of this.fills) {
      if (f.orderId === orderId && !f.byRiskd) {
        f.byRiskd = true;
        this.persist('fill', () => this.sink?.fill(this.accountId, f));
        changed.push(f);
      }
    }
    return changed;
  }

  /**
   * riskd is closing `contractId` (closeContract returns no orderId): exit fills on that contract are
   * attributed to riskd when received until `untilMs`; with `sinceMs` (when the close was requested) also when
   * their gateway timestamp lies in [sinceMs, untilMs], so a fill only learnt later from REST still counts.
   */
  /**
   * riskd is closing (or reducing) `contracts` contracts of `contractId`: exit fills in the window are riskd's, up
   * to that many contracts, so a trader's own exit in the same window still counts for RULE-006/007.
   * A re-sent close renews the budget (never adds to it: the first attempt may not have executed).
   */
  markEnforcementPending(contractId: string, untilMs: number, sinceMs?: number, contracts = Infinity): void {
    const prev = this.enforcementPending.get(contractId);
    const since = sinceMs ?? -Infinity;
    if (!prev) this.enforcementPending.set(contractId, { since, until: untilMs, contracts });
    else {
      this.enforcementPending.set(contractId, {
        since: Math.min(prev.since, since),
        until: Math.max(prev.until, untilMs),
        contracts: Math.max(prev.contracts, contracts),
      });
    }
  }
  isEnforcementFill(t: Trade, receivedAt: number): boolean {
    if (this.enforcementOrders.has(t.orderId)) return true;
    if (t.profitAndLoss === null) return false; // a close only produces exits
    const w = this.enforcementPending.get(t.contractId);
    if (!w) return false;
    const inWindow =
      (receivedAt >= w.since && receivedAt <= w.until) || (w.since > -Infinity && t.creationTimestamp >= w.since && t.creationTimestamp <= w.until);
    if (!inWindow || w.contracts <= 0) return false;
    w.contracts -= t.size;
    return true;
  }

  // ------------------------------------------------------------------ mutation (apply.ts)
  /** Rolls to the trading day containing `at` when `at` is past the current day's end. Returns the old start. */
  rollTo(at: number): number | null {
    if (at < this.tradingDayEnd) return null;
    const previous = this.tradingDayStart;
    this.tradingDayStart = tradingDayStart(at, this.resetSpec);
    this.tradingDayEnd = nextReset(at, this.resetSpec);
    this.tradingDayId = tradingDayId(at, this.resetSpec);
    this.previousDayFillIds = new Set(this.fillsById.keys());
    this.fills.length = 0;
    this.fillsById.clear();
    this.netByContract.clear();
    this.gross = 0;
    this.fees = 0;
    this.commissions = 0;
    this.dayFavorable = 0;
    this.dayAdverse = 0;
    for (const [id, v] of this.orderVersions) if (v.terminal) this.orderVersions.delete(id);
    for (const [c, w] of this.enforcementPending) if (w.until < at) this.enforcementPending.delete(c);
    // Open positions carry over; their excursion starts again with the new day.
    for (const rec of this.positionsByContract.values()) {
      rec.mfe = NaN;
      rec.mae = NaN;
      this.markPosition(rec);
    }
    return previous;
  }

  /** Adds one of today's fills (caller deduplicated it); `persist` false when it comes from the store. */
  addFill(f: FillRecord, persist = true): void {
    let i = this.fills.length;
    while (i > 0 && (this.fills[i - 1]!.at > f.at || (this.fills[i - 1]!.at === f.at && this.fills[i - 1]!.id > f.id))) i--;
    this.fills.splice(i, 0, f);
    this.fillsById.set(f.id, f);
    this.netByContract.delete(f.contractId);
    this.fees += f.fees;
    this.commissions += f.commissions ?? 0;
    if (!f.voided && f.profitAndLoss !== null) this.gross += f.profitAndLoss;
    if (!persist) return;
    this.persist('fill', () => this.sink?.fill(this.accountId, f));
    this.persistDailyPnl(f.at);
  }

  voidFill(f: FillRecord): void {
    if (f.voided) return;
    f.voided = true;
    this.netByContract.delete(f.contractId);
    if (f.profitAndLoss !== null) this.gross -= f.profitAndLoss;
    this.persist('fill', () => this.sink?.fill(this.accountId, f));
    this.persistDailyPnl(f.at);
  }

  setPosition(rec: PositionRecord): void {
    const had = this.positionsByContract.has(rec.contractId);
    this.positionsByContract.set(rec.contractId, rec);
    this.markPosition(rec);
    this.persist('position', () => this.sink?.position(this.accountId, rec));
    if (!had) this.interestMayHaveChanged(rec.contractId);
  }

  removePosition(contractId: string): void {
    if (!this.positionsByContract.delete(contractId)) return;
    this.viewCache.delete(contractId);
    this.persist('position', () => this.sink?.positionClosed(this.accountId, contractId));
    this.interestMayHaveChanged(contractId);
  }

  setWorking(o: Order): void {
    const had = this.working.has(o.id);
    this.working.set(o.id, o);
    this.persist('order', () => this.sink?.order(o));
    if (!had) this.interestMayHaveChanged(o.contractId);
  }

  removeWorking(o: Order): void {
    if (!this.working.delete(o.id)) return;
    this.persist('order', () => this.sink?.orderDone(this.accountId, o.id));
    this.interestMayHaveChanged(o.contractId);
  }

  /** Updates a position's excursion from the current quote; O(1), called on every quote for this contract. */
  markPosition(rec: PositionRecord): boolean {
    const u = this.unrealizedOf(rec);
    if (u === null) return false;
    if (Number.isNaN(rec.mfe) || u > rec.mfe) rec.mfe = u;
    if (Number.isNaN(rec.mae) || u < rec.mae) rec.mae = u;
    if (u > this.dayFavorable) this.dayFavorable = u;
    if (u < this.dayAdverse) this.dayAdverse = u;
    return true;
  }

  /** A quote for `contractId` arrived: refresh excursion. Returns true when this account holds that contract. */
  onQuote(contractId: string): boolean {
    const rec = this.positionsByContract.get(contractId);
    if (!rec) return false;
    this.markPosition(rec);
    return true;
  }

  /** Whether the account has an open position or a working order in the contract. */
  interestedIn(contractId: string): boolean {
    if (this.positionsByContract.has(contractId)) return true;
    for (const o of this.working.values()) if (o.contractId === contractId) return true;
    return false;
  }

  /** Contracts with an open position or working order. */
  contractsInPlay(): Set<string> {
    const s = new Set<string>(this.positionsByContract.keys());
    for (const o of this.working.values()) s.add(o.contractId);
    return s;
  }

  private interestMayHaveChanged(contractId: string): void {
    this.onInterest?.(this.accountId, contractId, this.interestedIn(contractId));
  }

  private persistDailyPnl(at: number): void {
    if (at < this.tradingDayStart || !this.sink) return;
    // Taken now: the write may wait for the end of the turn, and a day roll before it must not change this row.
    const row: DailyPnlRow = {
      accountId: this.accountId,
      tradingDay: this.tradingDayId,
      realizedGross: roundCents(this.gross),
      fees: roundCents(this.fees),
      commissions: roundCents(this.commissions),
      updatedAt: at,
    };
    this.persist('dailyPnl', () => this.sink?.dailyPnl(row));
  }

  /**
   * Store failures must not stop live risk evaluation: logged loudly, the in-memory ledger stays right. With a
   * store sink the write waits for the end of the store transaction (the turn), off the enforcement's path: the
   * ledger in memory is what riskd decides on, the rows are what a restart starts from.
   */
  private persist(what: string, fn: () => void): void {
    if (!this.sink) return;
    const write = (): void => {
      try {
        fn();
      } catch (err) {
        this.logger?.error('ledger: persisting failed', { accountId: this.accountId, what, error: String(err) });
      }
    };
    if (this.sink.later) this.sink.later(write);
    else write();
  }
}

/** Side of a gateway position type (1 long, 2 short); undefined for 0 (a close). */
export function sideOfType(type: number): Side | undefined {
  return type === 1 ? 'long' : type === 2 ? 'short' : undefined;
}
