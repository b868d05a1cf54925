// Netted positions, one per (account, contract): scale-ins average the price, partial exits shrink the size,
// a fill through zero closes the position and opens a new one the other way (new position id).
// Realized P&L is computed through ticks: (exit - avg) / tickSize * tickValue * size. Each opening fill is also
// kept as a lot (FIFO): the gateway reports an exit as one trade row per lot it closed, each with that lot's own
// P&L (projectx-api.md §8.25), which the order engine streams when exit rows per lot are on.
import { restTime, streamTime, type Stamp, type StampClock } from '../time.ts';
import type { EventBus } from './bus.ts';
import { cents } from './bus.ts';
import { displayName, type ContractSpec } from './contracts.ts';

export interface SimPosition {
  id: number;
  accountId: number;
  contractId: string;
  contractDisplayName: string;
  created: Stamp;
  type: 1 | 2; // Long, Short
  size: number;
  averagePrice: number;
  /** Open lots, oldest first (one per opening fill). */
  lots: { size: number; price: number }[];
}

export interface FillEffect {
  /** Gross realized P&L of the closing part (against the average price); null when the fill only opened/added. */
  realized: number | null;
  /** The closing part lot by lot (FIFO), each with its own gross P&L against the lot's price; [] when none. */
  closedLots: { size: number; pnl: number }[];
  /** Contracts the fill opened (after closing, on a flip); 0 when none. */
  opened: number;
  /** True when the account is flat in this contract after the fill. */
  flat: boolean;
  /** Streams the position events; called by the engine after the trade event (gateway order). */
  emit(): void;
}

const avgDigits = (x: number): number => Number(x.toFixed(9));

export class PositionBook {
  private readonly open = new Map<string, SimPosition>();
  private nextId = 900000501;

  constructor(
    private readonly bus: EventBus,
    private readonly clock: StampClock,
  ) {}

  get(accountId: number, contractId: string): SimPosition | undefined {
    return this.open.get(key(accountId, contractId));
  }

  list(accountId: number): SimPosition[] {
    return [...this.open.values()].filter((p) => p.accountId === accountId);
  }

  /** Applies one fill (side 0 buy, 1 sell) and returns the realized P&L plus the deferred events. */
  applyFill(accountId: number, c: ContractSpec, side: number, size: number, price: number): FillEffect {
    const k = key(accountId, c.id);
    const pos = this.open.get(k);
    const dir: 1 | 2 = side === 0 ? 1 : 2;
    const events: { action: 1 | 2; data: Record<string, unknown> }[] = [];
    let realized: number | null = null;
    const closedLots: FillEffect['closedLots'] = [];
    let opened = 0;
    const pnl = (type: 1 | 2, from: number, n: number): number => {
      const ticks = (type === 1 ? price - from : from - price) / c.tickSize;
      return cents(Number(ticks.toFixed(6)) * c.tickValue * n);
    };

    if (!pos) {
      const p = this.create(accountId, c, dir, size, price);
      opened = size;
      events.push({ action: 1, data: PositionBook.stream(p) });
    } else if (pos.type === dir) {
      pos.averagePrice = avgDigits((pos.averagePrice * pos.size + price * size) / (pos.size + size));
      pos.size += size;
      pos.lots.push({ size, price });
      opened = size;
      events.push({ action: 1, data: PositionBook.stream(pos) });
    } else {
      const closing = Math.min(size, pos.size);
      realized = pnl(pos.type, pos.averagePrice, closing);
      for (let left = closing; left > 0; ) {
        const lot = pos.lots[0]!;
        const n = Math.min(left, lot.size);
        closedLots.push({ size: n, pnl: pnl(pos.type, lot.price, n) });
        lot.size -= n;
        if (lot.size === 0) pos.lots.shift();
        left -= n;
      }
      pos.size -= closing;
      if (pos.size === 0) {
        this.open.delete(k);
        events.push({ action: 2, data: { ...PositionBook.stream(pos), type: 0, size: 0 } });
        const rest = size - closing;
        if (rest > 0) {
          const p = this.create(accountId, c, dir, rest, price);
          opened = rest;
          events.push({ action: 1, data: PositionBook.stream(p) });
        }
      } else {
        events.push({ action: 1, data: PositionBook.stream(pos) });
      }
    }
    const flat = !this.open.has(k);
    return {
      realized,
      closedLots,
      opened,
      flat,
      emit: () => {
        for (const e of events) this.bus.user({ accountId, target: 'GatewayUserPosition', action: e.action, data: e.data });
      },
    };
  }

  private create(accountId: number, c: ContractSpec, type: 1 | 2, size: number, price: number): SimPosition {
    const p: SimPosition = {
      id: this.nextId++,
      accountId,
      contractId: c.id,
      contractDisplayName: displayName(c),
      created: this.clock.stamp(),
      type,
      size,
      averagePrice: price,
      lots: [{ size, price }],
    };
    this.open.set(key(accountId, c.id), p);
    return p;
  }

  static rest(p: SimPosition): Record<string, unknown> {
    return { ...PositionBook.base(p), creationTimestamp: restTime(p.created) };
  }

  static stream(p: SimPosition): Record<string, unknown> {
    return { ...PositionBook.base(p), creationTimestamp: streamTime(p.created) };
  }

  private static base(p: SimPosition): Record<string, unknown> {
    return {
      id: p.id,
      accountId: p.accountId,
      contractId: p.contractId,
      contractDisplayName: p.contractDisplayName,
      creationTimestamp: '',
      type: p.type,
      size: p.size,
      averagePrice: p.averagePrice,
    };
  }
}

const key = (accountId: number, contractId: string): string => `${accountId}|${contractId}`;
