// Order handling: validation with the gateway's real error codes and messages, market/limit/stop/trailing
// orders, Auto-OCO brackets, cancel/modify, closeContract/partialCloseContract, and the fill path that
// drives positions, trades, balances and the event sequence the hubs stream.
import type { SimModifyOrderRequest, SimPlaceOrderRequest, SimPlaceResult, SimResult } from '../types.ts';
import type { StampClock } from '../time.ts';
import type { AccountBook, SimAccount } from './accounts.ts';
import type { EventBus } from './bus.ts';
import { isOnTick, roundToTick, type ContractCatalog, type ContractSpec } from './contracts.ts';
import type { Book, Market } from './market.ts';
import { streamOrder, WORKING, type SimOrder } from './orders.ts';
import type { PositionBook } from './positions.ts';
import type { TradeLedger } from './trades.ts';

/** Who is acting: the trader's own platform may cancel on live accounts; the API may not. */
export type Actor = 'api' | 'platform';

const OK: SimResult = { success: true, errorCode: 0, errorMessage: null };
const fail = (errorCode: number, errorMessage: string | null = null): SimResult => ({ success: false, errorCode, errorMessage });

const PLACEABLE_TYPES = new Set([1, 2, 4, 5, 6, 7]);
const MAX_TRAIL_TICKS = 1000;
/** Seen live when ProjectX refuses order mutations outside the session. */
const CLOSED_MESSAGE = 'Instrument is not in an active trading status';

export interface OrderEngineDeps {
  accounts: AccountBook;
  catalog: ContractCatalog;
  market: Market;
  positions: PositionBook;
  trades: TradeLedger;
  bus: EventBus;
  clock: StampClock;
  bracketsOnFlat: 'keep' | 'cancel';
}

export class OrderEngine {
  private readonly orders = new Map<number, SimOrder>();
  private readonly tags = new Map<number, Set<string>>();
  /** contractId -> ids of Open (status 1) orders: the only ones the market can fill. */
  private readonly open = new Map<string, Set<number>>();
  private nextOrderId = 3470001001;
  private matching = false;
  /** null = every order fills in one execution; n = executions of at most n contracts. */
  maxFillSize: number | null = null;
  /** 0 = market orders fill synchronously; > 0 = they fill this many ms after being accepted. */
  fillDelayMs = 0;
  /**
   * true: an exit is reported as one trade row per lot it closed (each with that lot's P&L and fees, one orderId),
   * as seen live (projectx-api.md §8.25); false: one row per execution.
   */
  exitRowsPerLot = false;
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly rematch = new Set<string>();

  constructor(private readonly d: OrderEngineDeps) {
    d.market.onMove((contractId) => this.match(contractId));
  }

  get(orderId: number): SimOrder | undefined {
    return this.orders.get(orderId);
  }

  list(accountId: number): SimOrder[] {
    return [...this.orders.values()].filter((o) => o.accountId === accountId);
  }

  // ---------------------------------------------------------------- place

  place(req: SimPlaceOrderRequest): SimPlaceResult {
    const orderId = this.nextOrderId++;
    const acct = this.d.accounts.get(req.accountId);
    if (!acct) return { orderId, ...fail(1) };
    const c = this.d.catalog.get(String(req.contractId));
    if (!c) return { orderId, ...fail(8, 'Invalid symbol') };
    if (!c.activeContract) return { orderId, ...fail(9) };
    const book = this.d.market.book(c.id);
    const o = this.newOrder(orderId, acct.id, c, req);

    const refusal = this.validatePlace(req, acct, c, book);
    if (refusal) {
      o.status = 5;
      this.store(o);
      this.emit(o);
      return { orderId, ...refusal };
    }
    if (o.customTag !== null) this.tagsOf(acct.id).add(o.customTag);

    // Type-specific prices.
    if (o.type === 6) o.limitPrice = book.bid; // JoinBid
    if (o.type === 7) o.limitPrice = book.ask; // JoinAsk
    if (o.type === 5) this.initTrail(o, c, book, Number(req.trailPrice));

    // Auto-OCO children exist at once, Suspended (8), without prices, carrying their signed offsets.
    const sl = req.stopLossBracket ? this.newChild(o, c, req.stopLossBracket, 'SL') : undefined;
    const tp = req.takeProfitBracket ? this.newChild(o, c, req.takeProfitBracket, 'TP') : undefined;
    if (tp && sl) tp.linkedOrderId = sl.id; // the TP points at its SL sibling
    const children = [sl, tp].filter((x): x is SimOrder => x !== undefined);
    for (const ch of children) {
      this.store(ch);
      o.childIds.push(ch.id);
    }
    this.store(o);
    for (const ch of children) this.emit(ch);

    if (o.type === 2) {
      o.status = 6; // Pending, then filled at the touch
      this.emit(o);
      this.executeMarket(o);
    } else {
      o.status = 1;
      this.emit(o);
      const px = this.triggerPrice(o, book, true);
      if (px !== null) this.fill(o, px);
    }
    this.match(c.id);
    return { orderId, ...OK };
  }

  private validatePlace(req: SimPlaceOrderRequest, acct: SimAccount, c: ContractSpec, book: Book): SimResult | null {
    if (!acct.canTrade) return fail(4, 'Account is not allowed to trade');
    if (!this.d.market.isOpen(c.id)) return fail(5); // OutsideTradingHours, no message
    if (!PLACEABLE_TYPES.has(Number(req.type))) return fail(2, 'Invalid order type');
    if (req.side !== 0 && req.side !== 1) return fail(2, 'Invalid order side');
    if (!Number.isInteger(req.size) || req.size <= 0) return fail(2, 'Invalid order size');
    if (req.customTag != null && this.tagsOf(acct.id).has(req.customTag)) return fail(2, 'Custom tag must be unique per account');
    const price = (v: number | null | undefined, name: string): SimResult | null => {
      if (v == null || !Number.isFinite(v)) return fail(2, `${name} not set.`);
      if (!isOnTick(v, c.tickSize)) return fail(2, `Invalid ${name.toLowerCase()}. Price is not aligned to tick size.`);
      return null;
    };
    if (req.type === 1) {
      const r = price(req.limitPrice, 'Limit Price');
      if (r) return r;
    }
    if (req.type === 4) {
      const r = price(req.stopPrice, 'Stop Price');
      if (r) return r;
    }
    if (req.type === 5) {
      if (req.trailPrice == null) return fail(2, 'Trail Distance not set.');
      if (!isOnTick(req.trailPrice, c.tickSize)) return fail(2, 'Invalid trail price. Price is not aligned to tick size.');
      if (book.last === null) return fail(2, 'Cannot trail without a last price');
      const ticks = Math.round(Math.abs(book.last - req.trailPrice) / c.tickSize);
      if (ticks === 0) return fail(2, 'Trail Distance not set.');
      if (ticks > MAX_TRAIL_TICKS) return fail(2, `Trail Distance exceeds maximum (${MAX_TRAIL_TICKS})`);
    }
    if (req.stopLossBracket || req.takeProfitBracket) {
      if (acct.bracketMode === 'position') return fail(2, 'Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.');
      const long = req.side === 0;
      for (const [b, kind] of [[req.stopLossBracket, 'SL'], [req.takeProfitBracket, 'TP']] as const) {
        if (!b) continue;
        if (!Number.isInteger(b.ticks) || b.ticks === 0) return fail(2, 'Invalid bracket ticks');
        if (![1, 4, 5].includes(Number(b.type))) return fail(2, 'Invalid bracket order type');
        // Signed offsets: long -> SL below (negative), TP above (positive); short -> the reverse.
        const wantNegative = (kind === 'SL') === long;
        if (wantNegative && b.ticks > 0) return fail(2, `Ticks should be less than zero when ${long ? 'longing' : 'shorting'}`);
        if (!wantNegative && b.ticks < 0) return fail(2, `Ticks should be greater than zero when ${long ? 'longing' : 'shorting'}`);
      }
    }
    return null;
  }

  private newOrder(id: number, accountId: number, c: ContractSpec, req: SimPlaceOrderRequest): SimOrder {
    const now = this.d.clock.stamp();
    return {
      id,
      accountId,
      contractId: c.id,
      symbolId: c.symbolId,
      created: now,
      updated: now,
      status: 0,
      type: Number(req.type),
      side: Number(req.side),
      size: req.size,
      limitPrice: req.type === 1 ? (req.limitPrice ?? null) : null,
      stopPrice: req.type === 4 ? (req.stopPrice ?? null) : null,
      fillVolume: 0,
      filledPrice: null,
      customTag: req.customTag ?? null,
      trailDistance: null,
      trailPrice: null,
      parentOrderId: null,
      linkedOrderId: null,
      bracketTicks: null,
      trailTicks: null,
      trailExtreme: null,
      childIds: [],
    };
  }

  private newChild(parent: SimOrder, c: ContractSpec, b: { ticks: number; type: number }, leg: 'SL' | 'TP'): SimOrder {
    return {
      ...parent,
      id: this.nextOrderId++,
      status: 8,
      type: Number(b.type),
      side: parent.side === 0 ? 1 : 0,
      limitPrice: null,
      stopPrice: null,
      customTag: parent.customTag !== null ? `${parent.customTag}-${leg}` : null,
      trailDistance: b.ticks,
      trailPrice: Number((b.ticks * c.tickSize).toFixed(10)),
      parentOrderId: parent.id,
      linkedOrderId: null,
      bracketTicks: b.ticks,
      trailTicks: null,
      trailExtreme: null,
      childIds: [],
    };
  }

  /** Trailing stop: the absolute trailPrice becomes a whole-tick distance from the last trade. */
  private initTrail(o: SimOrder, c: ContractSpec, book: Book, trailPrice: number): void {
    const last = book.last ?? (o.side === 0 ? book.ask : book.bid);
    const ticks = Math.round(Math.abs(last - trailPrice) / c.tickSize);
    o.trailTicks = ticks;
    o.trailDistance = ticks;
    o.trailPrice = roundToTick(ticks * c.tickSize, c.tickSize);
    o.trailExtreme = last;
    o.stopPrice = roundToTick(o.side === 1 ? last - ticks * c.tickSize : last + ticks * c.tickSize, c.tickSize);
  }

  // ---------------------------------------------------------------- modify / cancel

  modify(req: SimModifyOrderRequest): SimResult {
    const acct = this.d.accounts.get(req.accountId);
    if (!acct) return fail(1);
    const o = this.orders.get(req.orderId);
    if (!o || o.accountId !== acct.id) return fail(2);
    if (o.status !== 1) return fail(3, 'Order is not working');
    const c = this.d.catalog.get(o.contractId);
    if (!c) return fail(7);
    if (!this.d.market.isOpen(c.id)) return fail(3, CLOSED_MESSAGE);
    if (req.size != null && (!Number.isInteger(req.size) || req.size <= 0)) return fail(3, 'Invalid order size');
    for (const [v, name] of [[req.limitPrice, 'limit price'], [req.stopPrice, 'stop price'], [req.trailPrice, 'trail price']] as const) {
      if (v != null && !isOnTick(v, c.tickSize)) return fail(3, `Invalid ${name}. Price is not aligned to tick size.`);
    }
    if (req.size != null) o.size = req.size;
    if (req.limitPrice != null && (o.type === 1 || o.type === 6 || o.type === 7)) o.limitPrice = req.limitPrice;
    if (req.stopPrice != null && o.type === 4) o.stopPrice = req.stopPrice;
    if (req.trailPrice != null && o.type === 5) this.initTrail(o, c, this.d.market.book(c.id), req.trailPrice); // no 1000-tick guard on modify
    o.updated = this.d.clock.stamp();
    this.emit(o);
    const px = this.triggerPrice(o, this.d.market.book(c.id), true);
    if (px !== null) this.fill(o, px);
    this.match(c.id);
    return OK;
  }

  cancel(accountId: number, orderId: number, actor: Actor): SimResult {
    const acct = this.d.accounts.get(accountId);
    if (!acct) return fail(1);
    if (actor === 'api' && !acct.simulated) return fail(6, 'Live accounts not supported');
    const o = this.orders.get(orderId);
    if (!o || o.accountId !== acct.id) return fail(2);
    if (!WORKING.has(o.status)) return fail(3, 'Order is not working');
    this.cancelOne(o);
    // Cancelling an unfilled entry takes its suspended children with it.
    for (const id of o.childIds) {
      const ch = this.orders.get(id);
      if (ch && ch.status === 8) this.cancelOne(ch);
    }
    return OK;
  }

  private cancelOne(o: SimOrder): void {
    o.status = 3;
    o.updated = this.d.clock.stamp();
    if (o.parentOrderId !== null) {
      o.trailDistance = null;
      o.trailPrice = null;
    }
    this.emit(o);
  }

  // ---------------------------------------------------------------- close positions

  closeContract(accountId: number, contractId: string): SimResult {
    const acct = this.d.accounts.get(accountId);
    if (!acct) return fail(1);
    const c = this.d.catalog.get(String(contractId));
    if (!c) return fail(3);
    if (!c.activeContract) return fail(4);
    const pos = this.d.positions.get(acct.id, c.id);
    if (!pos) return fail(2);
    if (!this.d.market.isOpen(c.id)) return fail(5); // OrderRejected
    this.marketExit(acct.id, c, pos.type === 1 ? 1 : 0, pos.size);
    return OK;
  }

  partialCloseContract(accountId: number, contractId: string, size: number, actor: Actor): SimResult {
    const acct = this.d.accounts.get(accountId);
    if (!acct) return fail(1);
    if (actor === 'api' && !acct.simulated) return fail(9, 'Live accounts not supported');
    const c = this.d.catalog.get(String(contractId));
    if (!c) return fail(3);
    if (!c.activeContract) return fail(4);
    const pos = this.d.positions.get(acct.id, c.id);
    if (!pos) return fail(2);
    if (!Number.isInteger(size) || size <= 0 || size > pos.size) return fail(5);
    if (!this.d.market.isOpen(c.id)) return fail(6); // OrderRejected: market closed (or no price), no message
    this.marketExit(acct.id, c, pos.type === 1 ? 1 : 0, size);
    return OK;
  }

  /** Close paths execute a real market order (with its own id, but none is returned). */
  private marketExit(accountId: number, c: ContractSpec, side: number, size: number): void {
    const o = this.newOrder(this.nextOrderId++, accountId, c, { accountId, contractId: c.id, type: 2, side, size });
    o.status = 6;
    this.store(o);
    this.emit(o);
    this.executeMarket(o);
    this.match(c.id);
  }

  /**
   * Fills a Pending market order at the touch: at once, or after `fillDelayMs` (then the REST answer
   * goes out before the fill events, and REST briefly still shows the old position, like the real venue).
   */
  private executeMarket(o: SimOrder): void {
    const run = (): void => {
      if (o.status !== 6) return; // cancelled meanwhile
      const book = this.d.market.book(o.contractId);
      this.fill(o, o.side === 0 ? book.ask : book.bid);
      this.match(o.contractId);
    };
    if (this.fillDelayMs <= 0) return run();
    const t = setTimeout(() => {
      this.pending.delete(t);
      run();
    }, this.fillDelayMs);
    this.pending.add(t);
  }

  /** Drops scheduled fills (simulator shutdown). */
  stop(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  // ---------------------------------------------------------------- matching and fills

  /** Fills every resting order the current book crosses; re-entrant calls are queued. */
  match(contractId: string): void {
    if (this.matching) {
      this.rematch.add(contractId);
      return;
    }
    this.matching = true;
    try {
      let cid: string | undefined = contractId;
      while (cid !== undefined) {
        this.matchOnce(cid);
        this.rematch.delete(cid);
        cid = this.rematch.values().next().value;
      }
    } finally {
      this.matching = false;
    }
  }

  private matchOnce(contractId: string): void {
    const c = this.d.catalog.get(contractId);
    if (!c || !this.d.market.isOpen(c.id)) return; // a closed market fills nothing
    for (let guard = 0; guard < 10_000; guard++) {
      const book = this.d.market.book(c.id);
      const working = [...(this.open.get(c.id) ?? [])]
        .map((id) => this.orders.get(id))
        .filter((o): o is SimOrder => o !== undefined && o.status === 1)
        .sort((a, b) => a.id - b.id);
      for (const o of working) if (o.type === 5) this.trail(o, c, book);
      let filled = false;
      for (const o of working) {
        if (o.status !== 1) continue; // an earlier fill in this pass cancelled it (OCO)
        const px = this.triggerPrice(o, book, false);
        if (px !== null) {
          this.fill(o, px);
          filled = true;
          break;
        }
      }
      if (!filled) return;
    }
  }

  /** Follows the market with a trailing stop; streams an update when the stop moves. */
  private trail(o: SimOrder, c: ContractSpec, book: Book): void {
    if (o.trailTicks === null || o.trailExtreme === null) return;
    const dist = o.trailTicks * c.tickSize;
    if (o.side === 1 && book.bid > o.trailExtreme) {
      o.trailExtreme = book.bid;
      const stop = roundToTick(book.bid - dist, c.tickSize);
      if (o.stopPrice === null || stop > o.stopPrice) this.moveStop(o, stop);
    } else if (o.side === 0 && book.ask < o.trailExtreme) {
      o.trailExtreme = book.ask;
      const stop = roundToTick(book.ask + dist, c.tickSize);
      if (o.stopPrice === null || stop < o.stopPrice) this.moveStop(o, stop);
    }
  }

  private moveStop(o: SimOrder, stop: number): void {
    o.stopPrice = stop;
    o.updated = this.d.clock.stamp();
    this.emit(o);
  }

  /**
   * The fill price if the order trades against `book`, else null. Arriving marketable limits fill at the
   * touch; resting limits fill at their limit; stops become market orders at the touch.
   */
  private triggerPrice(o: SimOrder, book: Book, arrival: boolean): number | null {
    const buy = o.side === 0;
    switch (o.type) {
      case 1:
      case 6:
      case 7: {
        const l = o.limitPrice;
        if (l === null) return null;
        if (buy && book.ask <= l) return arrival ? book.ask : l;
        if (!buy && book.bid >= l) return arrival ? book.bid : l;
        return null;
      }
      case 4:
      case 5: {
        const s = o.stopPrice;
        if (s === null) return null;
        if (buy && book.ask >= s) return book.ask;
        if (!buy && book.bid <= s) return book.bid;
        return null;
      }
      default:
        return null;
    }
  }

  /**
   * One complete fill, streamed in the gateway's order: order Filled (2), trade, position, account
   * balance, then bracket consequences (children Open with absolute prices, or the OCO sibling cancelled).
   */
  private fill(o: SimOrder, price: number): void {
    const c = this.d.catalog.get(o.contractId);
    if (!c) throw new Error(`sim: order ${o.id} has unknown contract ${o.contractId}`);
    // With partial fills enabled the order trades in chunks: each chunk streams order (status 1 until the
    // last, which is 2), trade, position and account, like several executions of one order.
    const chunk = this.maxFillSize ?? o.size;
    let flat = false;
    while (o.fillVolume < o.size) {
      const q = Math.min(chunk, o.size - o.fillVolume);
      const before = o.fillVolume;
      o.fillVolume += q;
      o.filledPrice = before === 0 ? price : Number((((o.filledPrice ?? price) * before + price * q) / o.fillVolume).toFixed(9));
      o.status = o.fillVolume === o.size ? 2 : 1;
      o.updated = this.d.clock.stamp();
      if (o.status === 2 && o.parentOrderId !== null) {
        o.trailDistance = null;
        o.trailPrice = null;
      }
      this.emit(o);
      const effect = this.d.positions.applyFill(o.accountId, c, o.side, q, price);
      let cash = 0;
      if (this.exitRowsPerLot && effect.closedLots.length > 0) {
        for (const lot of effect.closedLots) cash += lot.pnl - this.d.trades.record(o.accountId, c, o.id, o.side, lot.size, price, lot.pnl).fees;
        if (effect.opened > 0) cash -= this.d.trades.record(o.accountId, c, o.id, o.side, effect.opened, price, null).fees;
      } else {
        cash = (effect.realized ?? 0) - this.d.trades.record(o.accountId, c, o.id, o.side, q, price, effect.realized).fees;
      }
      effect.emit();
      this.d.accounts.applyCash(o.accountId, cash);
      this.d.market.print(c.id, price, q, o.side === 0 ? 0 : 1);
      flat = effect.flat;
    }

    for (const id of o.childIds) {
      const ch = this.orders.get(id);
      if (ch && ch.status === 8) this.activateChild(ch, c, o.filledPrice ?? price, o.size);
    }
    if (o.parentOrderId !== null) {
      // OCO: the other leg of the same entry is cancelled.
      const parent = this.orders.get(o.parentOrderId);
      for (const id of parent?.childIds ?? []) {
        const sib = this.orders.get(id);
        if (sib && sib.id !== o.id && WORKING.has(sib.status)) this.cancelOne(sib);
      }
    }
    if (flat && this.d.bracketsOnFlat === 'cancel') {
      for (const x of this.orders.values()) {
        if (x.accountId === o.accountId && x.contractId === c.id && x.parentOrderId !== null && WORKING.has(x.status)) this.cancelOne(x);
      }
    }
  }

  private activateChild(ch: SimOrder, c: ContractSpec, entryPrice: number, size: number): void {
    const ticks = ch.bracketTicks ?? 0;
    const level = roundToTick(entryPrice + ticks * c.tickSize, c.tickSize);
    ch.size = size;
    if (ch.type === 1) ch.limitPrice = level;
    else ch.stopPrice = level;
    if (ch.type === 5) {
      ch.trailTicks = Math.abs(ticks);
      ch.trailExtreme = entryPrice;
    }
    ch.status = 1;
    ch.updated = this.d.clock.stamp();
    this.emit(ch);
  }

  // ---------------------------------------------------------------- helpers

  private store(o: SimOrder): void {
    this.orders.set(o.id, o);
  }

  /** Every status change is streamed, so this is also where the index of Open (1) orders is kept. */
  private emit(o: SimOrder): void {
    let ids = this.open.get(o.contractId);
    if (!ids) this.open.set(o.contractId, (ids = new Set()));
    if (o.status === 1) ids.add(o.id);
    else ids.delete(o.id);
    this.d.bus.user({ accountId: o.accountId, target: 'GatewayUserOrder', action: 1, data: streamOrder(o) });
  }

  private tagsOf(accountId: number): Set<string> {
    let s = this.tags.get(accountId);
    if (!s) this.tags.set(accountId, (s = new Set()));
    return s;
  }
}
