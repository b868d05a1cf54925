// A moving market per contract: best bid/ask, last trade, session stats. Every change is streamed as a
// SPARSE GatewayQuote delta (only changed fields + symbol, lastUpdated, timestamp and the undocumented
// `contract`), trade prints as GatewayTrade arrays and top-of-book rows as GatewayDepth arrays.
import type { Prng } from '../prng.ts';
import { millisTime, streamTime, type StampClock } from '../time.ts';
import type { EventBus } from './bus.ts';
import { roundToTick, type ContractCatalog, type ContractSpec } from './contracts.ts';

export interface Book {
  bid: number;
  ask: number;
  last: number | null;
  open: number;
  high: number;
  low: number;
  volume: number;
  prevClose: number;
}

type QuoteFields = Pick<Book, 'bid' | 'ask' | 'last' | 'open' | 'high' | 'low' | 'volume'> & { change: number; changePercent: number };

export class Market {
  private readonly books = new Map<string, Book>();
  private timer: NodeJS.Timeout | null = null;
  /** Contracts outside their trading session ('*' = all): no walk, no fills, orders refused. */
  private readonly closed = new Set<string>();
  private readonly moveListeners = new Set<(contractId: string) => void>();

  constructor(
    private readonly catalog: ContractCatalog,
    private readonly bus: EventBus,
    private readonly clock: StampClock,
    private readonly prng: Prng,
  ) {
    for (const c of catalog.all()) {
      const p = c.startPrice;
      const prevClose = roundToTick(p - 40 * c.tickSize, c.tickSize);
      this.books.set(c.id, { bid: p, ask: roundToTick(p + c.tickSize, c.tickSize), last: p, open: prevClose, high: p, low: prevClose, volume: 1000, prevClose });
    }
  }

  /** Called after every price change (the matching engine checks resting orders). */
  onMove(l: (contractId: string) => void): () => void {
    this.moveListeners.add(l);
    return () => this.moveListeners.delete(l);
  }

  book(contractId: string): Book {
    const c = this.mustContract(contractId);
    const b = this.books.get(c.id);
    if (!b) throw new Error(`sim market: no book for ${contractId}`);
    return b;
  }

  /**
   * Moves the market to `price`: bid = ask = last = price (a locked book, so a market order fills exactly
   * at `price`), prints one lot, streams the quote, then fills any resting order the move crossed.
   */
  setPrice(contractId: string, price: number): void {
    const c = this.mustContract(contractId);
    if (!Number.isFinite(price) || price <= 0) throw new Error(`sim market.setPrice(${contractId}): price must be a positive number, got ${price}`);
    const p = roundToTick(price, c.tickSize);
    this.apply(c, { bid: p, ask: p }, { price: p, size: 1, aggressor: 0 });
  }

  /** Sets an explicit bid/ask (and optionally a last trade). */
  setQuote(contractId: string, q: { bid: number; ask: number; last?: number }): void {
    const c = this.mustContract(contractId);
    if (!(q.ask >= q.bid)) throw new Error(`sim market.setQuote(${contractId}): ask ${q.ask} below bid ${q.bid}`);
    const print = q.last !== undefined ? { price: roundToTick(q.last, c.tickSize), size: 1, aggressor: 0 as const } : undefined;
    this.apply(c, { bid: roundToTick(q.bid, c.tickSize), ask: roundToTick(q.ask, c.tickSize) }, print);
  }

  isOpen(contractId: string): boolean {
    return !this.closed.has('*') && !this.closed.has(contractId.toUpperCase());
  }

  /** Opens/closes the session for some contracts (or all). Reopening re-checks resting orders. */
  setOpen(open: boolean, contractIds?: string[]): void {
    const keys = contractIds ? contractIds.map((id) => this.mustContract(id).id.toUpperCase()) : ['*'];
    if (!contractIds && open) this.closed.clear();
    for (const k of keys) {
      if (open) this.closed.delete(k);
      else this.closed.add(k);
    }
    if (open) for (const c of this.catalog.active()) if (this.isOpen(c.id)) for (const l of this.moveListeners) l(c.id);
  }

  /** One random-walk step on every active, open contract (±1 tick, 1-tick spread, sometimes a print). */
  step(): void {
    for (const c of this.catalog.active()) {
      if (!this.isOpen(c.id)) continue;
      const b = this.book(c.id);
      const r = this.prng.next();
      const move = r < 0.35 ? -1 : r < 0.7 ? 1 : 0;
      const bid = roundToTick(b.bid + move * c.tickSize, c.tickSize);
      const ask = roundToTick(bid + c.tickSize, c.tickSize);
      const aggressor = this.prng.chance(0.5) ? 0 : 1;
      const print = this.prng.chance(0.6) ? { price: aggressor === 0 ? ask : bid, size: this.prng.int(1, 5), aggressor } : undefined;
      this.apply(c, { bid, ask }, print);
    }
  }

  /** A fill by a simulated account prints on the tape too. */
  print(contractId: string, price: number, size: number, aggressor: 0 | 1): void {
    const c = this.mustContract(contractId);
    const b = this.book(c.id);
    this.apply(c, { bid: b.bid, ask: b.ask }, { price, size, aggressor }, false);
  }

  start(intervalMs: number): void {
    this.stop();
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.step(), intervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private apply(
    c: ContractSpec,
    top: { bid: number; ask: number },
    print?: { price: number; size: number; aggressor: number },
    notifyMove = true,
  ): void {
    const b = this.book(c.id);
    const before = fields(b);
    b.bid = top.bid;
    b.ask = top.ask;
    const at = this.clock.stamp();
    if (print) {
      b.last = print.price;
      b.volume += print.size;
      b.high = Math.max(b.high, print.price);
      b.low = Math.min(b.low, print.price);
      this.bus.market({
        contractId: c.id,
        target: 'GatewayTrade',
        data: [{ symbolId: c.symbolId, price: print.price, timestamp: millisTime(at.ms), type: print.aggressor, volume: print.size }],
      });
    }
    const after = fields(b);
    const delta: Record<string, unknown> = { symbol: c.symbolId };
    const names: Record<keyof QuoteFields, string> = {
      bid: 'bestBid', ask: 'bestAsk', last: 'lastPrice', open: 'open', high: 'high', low: 'low',
      volume: 'volume', change: 'change', changePercent: 'changePercent',
    };
    let changed = false;
    for (const k of Object.keys(names) as (keyof QuoteFields)[]) {
      if (after[k] !== before[k] && after[k] !== null) {
        delta[names[k]] = after[k];
        changed = true;
      }
    }
    if (changed) {
      delta.lastUpdated = streamTime(at);
      delta.timestamp = millisTime(at.ms);
      delta.contract = c.id;
      this.bus.market({ contractId: c.id, target: 'GatewayQuote', data: delta });
    }
    if (after.bid !== before.bid || after.ask !== before.ask) {
      const ts = streamTime(at);
      this.bus.market({
        contractId: c.id,
        target: 'GatewayDepth',
        data: [
          { timestamp: ts, type: 4, price: b.bid, volume: this.prng.int(1, 30), currentVolume: 0 },
          { timestamp: ts, type: 3, price: b.ask, volume: this.prng.int(1, 30), currentVolume: 0 },
        ],
      });
    }
    if (notifyMove) for (const l of this.moveListeners) l(c.id);
  }

  private mustContract(id: string): ContractSpec {
    const c = this.catalog.get(id);
    if (!c) throw new Error(`sim market: unknown contract "${id}"`);
    return c;
  }
}

function fields(b: Book): QuoteFields {
  const change = b.last === null ? 0 : Number((b.last - b.prevClose).toFixed(10));
  return {
    bid: b.bid, ask: b.ask, last: b.last, open: b.open, high: b.high, low: b.low, volume: b.volume,
    change, changePercent: Math.round((change / b.prevClose) * 10000) / 100,
  };
}
