// Netted positions, one per (account, contract): scale-ins average the price, partial exits shrink the size,
// a fill through zero closes the position and opens a new one the other way (new position id).
// Realized P&L is computed through ticks: (exit - avg) / tickSize * tickValue * size.
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
}

export interface FillEffect {
  /** Gross realized P&L of the closing part; null when the fill only opened/added. */
  realized: number | null;
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

    if (!pos) {
      const p = this.create(accountId, c, dir, size, price);
      events.push({ action: 1, data: PositionBook.stream(p) });
    } else if (pos.type === dir) {
      pos.averagePrice = avgDigits((pos.averagePrice * pos.size + price * size) / (pos.size + size));
      pos.size += size;
      events.push({ action: 1, data: PositionBook.stream(pos) });
    } else {
      const closing = Math.min(size, pos.size);
      const ticks = (pos.type === 1 ? price - pos.averagePrice : pos.averagePrice - price) / c.tickSize;
      realized = cents(Number(ticks.toFixed(6)) * c.tickValue * closing);
      pos.size -= closing;
      if (pos.size === 0) {
        this.open.delete(k);
        events.push({ action: 2, data: { ...PositionBook.stream(pos), type: 0, size: 0 } });
        const rest = size - closing;
        if (rest > 0) {
          const p = this.create(accountId, c, dir, rest, price);
          events.push({ action: 1, data: PositionBook.stream(p) });
        }
      } else {
        events.push({ action: 1, data: PositionBook.stream(pos) });
      }
    }
    const flat = !this.open.has(k);
    return {
      realized,
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
