// The simulated exchange + broker: one object wiring accounts, contracts, market, orders, positions
// and fills around one event bus and one clock.
import { createPrng } from '../prng.ts';
import { StampClock } from '../time.ts';
import type { SimAccountSeed } from '../types.ts';
import { AccountBook } from './accounts.ts';
import { EventBus } from './bus.ts';
import { ContractCatalog } from './contracts.ts';
import { Market } from './market.ts';
import { OrderEngine } from './matching.ts';
import { PositionBook } from './positions.ts';
import { TradeLedger } from './trades.ts';

export interface EngineOptions {
  seed: number;
  now: () => number;
  accounts: SimAccountSeed[];
  bracketsOnFlat: 'keep' | 'cancel';
}

export class SimEngine {
  readonly bus = new EventBus();
  readonly clock: StampClock;
  readonly catalog = new ContractCatalog();
  readonly accounts: AccountBook;
  readonly market: Market;
  readonly positions: PositionBook;
  readonly trades: TradeLedger;
  readonly orders: OrderEngine;

  constructor(o: EngineOptions) {
    this.clock = new StampClock(o.now);
    this.accounts = new AccountBook(o.accounts, this.bus);
    this.market = new Market(this.catalog, this.bus, this.clock, createPrng(o.seed));
    this.positions = new PositionBook(this.bus, this.clock);
    this.trades = new TradeLedger(this.bus, this.clock);
    this.orders = new OrderEngine({
      accounts: this.accounts,
      catalog: this.catalog,
      market: this.market,
      positions: this.positions,
      trades: this.trades,
      bus: this.bus,
      clock: this.clock,
      bracketsOnFlat: o.bracketsOnFlat,
    });
  }
}
