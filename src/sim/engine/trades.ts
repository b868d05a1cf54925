// The fill ledger ("half-turn" trades): one row per fill with gross P&L (null on opening fills),
// per-contract fees and commissions. Like the real gateway (projectx-api.md §8.26), `commissions` is streamed
// with GatewayUserTrade but absent from REST Trade/search rows.
import { restTime, streamTime, type Stamp, type StampClock } from '../time.ts';
import type { EventBus } from './bus.ts';
import { cents } from './bus.ts';
import type { ContractSpec } from './contracts.ts';

export interface SimTrade {
  id: number;
  accountId: number;
  contractId: string;
  created: Stamp;
  price: number;
  profitAndLoss: number | null;
  fees: number;
  commissions: number;
  side: number;
  size: number;
  voided: boolean;
  orderId: number;
}

export class TradeLedger {
  private readonly rows: SimTrade[] = [];
  private nextId = 3100000101;

  constructor(
    private readonly bus: EventBus,
    private readonly clock: StampClock,
  ) {}

  record(accountId: number, c: ContractSpec, orderId: number, side: number, size: number, price: number, pnl: number | null): SimTrade {
    const t: SimTrade = {
      id: this.nextId++,
      accountId,
      contractId: c.id,
      created: this.clock.stamp(),
      price,
      profitAndLoss: pnl,
      fees: cents(c.feePerContract * size),
      commissions: cents(c.commissionPerContract * size),
      side,
      size,
      voided: false,
      orderId,
    };
    this.rows.push(t);
    this.bus.user({ accountId, target: 'GatewayUserTrade', action: 0, data: TradeLedger.stream(t) });
    return t;
  }

  list(accountId: number): SimTrade[] {
    return this.rows.filter((t) => t.accountId === accountId);
  }

  static rest(t: SimTrade): Record<string, unknown> {
    const { commissions: _streamOnly, ...row } = TradeLedger.base(t);
    return { ...row, creationTimestamp: restTime(t.created) };
  }

  /** Stream form keeps `profitAndLoss: null` on opening fills (it is not omitted). */
  static stream(t: SimTrade): Record<string, unknown> {
    return { ...TradeLedger.base(t), creationTimestamp: streamTime(t.created) };
  }

  private static base(t: SimTrade): Record<string, unknown> {
    return {
      id: t.id,
      accountId: t.accountId,
      contractId: t.contractId,
      creationTimestamp: '',
      price: t.price,
      profitAndLoss: t.profitAndLoss,
      fees: t.fees,
      commissions: t.commissions,
      side: t.side,
      size: t.size,
      voided: t.voided,
      orderId: t.orderId,
    };
  }
}
