// An in-process stand-in for the gateway REST API, used while the simulator is not available: it keeps positions
// and working orders per account, behaves like ProjectX on the mutations the executor uses (per-endpoint error
// codes, live accounts refusing cancel/partial close), records every call, and injects faults on demand.
import { GatewayError, GatewayHttpError, GatewayTimeoutError, RateLimitedError } from '../../../src/gateway/errors.ts';
import { OrderStatus, OrderType, PositionType, type Order, type OrderSide, type Position } from '../../../src/gateway/models.ts';
import type { CallOpts, EnforcementRest } from '../../../src/enforce/types.ts';

export interface RecordedCall {
  endpoint: string;
  accountId: number;
  contractId?: string;
  orderId?: number;
  size?: number;
  stopPrice?: number | null;
  customTag?: string | null;
  priority?: string;
}

/** timeout-executed: the mutation ran but the answer never came; 500-executed likewise with HTTP 500. */
/** accepted-noop: success:true but nothing happens (a close that never takes effect). */
export type Fault = 'timeout-executed' | 'timeout-lost' | '429' | '500-executed' | 'hold' | 'accepted-noop' | 'rejected-market-closed';

export class FakeGateway implements EnforcementRest {
  calls: RecordedCall[] = [];
  private positions = new Map<number, Map<string, Position>>();
  private orders = new Map<number, Map<number, Order>>();
  private live = new Set<number>();
  private faults = new Map<string, Fault[]>();
  private held: { release: () => void }[] = [];
  private nextOrderId = 3_470_001_000;
  private nextPositionId = 900;
  /** Called after each executed mutation with what changed, so a test can play the hub. */
  onChange: (accountId: number, change: { kind: 'position'; contractId: string; size: number } | { kind: 'order'; order: Order }) => void = () => {};

  setLive(accountId: number): void {
    this.live.add(accountId);
  }

  openPosition(accountId: number, contractId: string, size: number, type: PositionType = PositionType.Long): void {
    this.acctPositions(accountId).set(contractId, {
      id: ++this.nextPositionId,
      accountId,
      contractId,
      creationTimestamp: 0,
      type,
      size,
      averagePrice: 100,
    });
  }

  addOrder(accountId: number, o: Partial<Order> & { contractId: string; type: Order['type']; side: OrderSide }): Order {
    const order: Order = {
      id: ++this.nextOrderId,
      accountId,
      creationTimestamp: 0,
      updateTimestamp: 0,
      status: OrderStatus.Open,
      size: 1,
      fillVolume: 0,
      ...o,
    };
    this.acctOrders(accountId).set(order.id, order);
    return order;
  }

  /** The trader flattens on their own platform (not a riskd call: not recorded). */
  traderClose(accountId: number, contractId: string): void {
    this.acctPositions(accountId).delete(contractId);
  }

  position(accountId: number, contractId: string): Position | undefined {
    return this.acctPositions(accountId).get(contractId);
  }

  order(accountId: number, orderId: number): Order | undefined {
    return this.acctOrders(accountId).get(orderId);
  }

  /** The next `count` calls to `endpoint` (e.g. 'Position/closeContract') get `fault`. */
  fault(endpoint: string, fault: Fault, count = 1): void {
    const q = this.faults.get(endpoint) ?? [];
    for (let i = 0; i < count; i++) q.push(fault);
    this.faults.set(endpoint, q);
  }

  /** Let every 'hold'-ed call complete. */
  releaseHeld(): void {
    const h = this.held;
    this.held = [];
    for (const x of h) x.release();
  }

  mutations(): RecordedCall[] {
    return this.calls.filter((c) => !c.endpoint.includes('search') && !c.endpoint.includes('query'));
  }

  // --- EnforcementRest -----------------------------------------------------------------------------------

  async searchOpenPositions(accountId: number, o?: CallOpts): Promise<Position[]> {
    this.calls.push({ endpoint: 'Position/searchOpen', accountId, priority: o?.priority });
    this.readFault('Position/searchOpen');
    return [...this.acctPositions(accountId).values()].map((p) => ({ ...p }));
  }

  async queryWorkingOrders(accountId: number, o?: CallOpts): Promise<Order[]> {
    this.calls.push({ endpoint: 'Order/v2/query', accountId, priority: o?.priority });
    this.readFault('Order/v2/query');
    return [...this.acctOrders(accountId).values()].map((x) => ({ ...x }));
  }

  closeContract(accountId: number, contractId: string, o?: CallOpts): Promise<void> {
    this.calls.push({ endpoint: 'Position/closeContract', accountId, contractId, priority: o?.priority });
    return this.mutate('Position/closeContract', () => {
      if (!this.acctPositions(accountId).has(contractId)) throw new GatewayError('/api/Position/closeContract', 2, null);
      this.acctPositions(accountId).delete(contractId);
      this.onChange(accountId, { kind: 'position', contractId, size: 0 });
    });
  }

  partialCloseContract(accountId: number, contractId: string, size: number, o?: CallOpts): Promise<void> {
    this.calls.push({ endpoint: 'Position/partialCloseContract', accountId, contractId, size, priority: o?.priority });
    return this.mutate('Position/partialCloseContract', () => {
      const ep = '/api/Position/partialCloseContract';
      if (this.live.has(accountId)) throw new GatewayError(ep, 9, 'Live accounts not supported');
      const p = this.acctPositions(accountId).get(contractId);
      if (!p) throw new GatewayError(ep, 2, null);
      if (size >= p.size) throw new GatewayError(ep, 5, null);
      p.size -= size;
      this.onChange(accountId, { kind: 'position', contractId, size: p.size });
    });
  }

  cancelOrder(accountId: number, orderId: number, o?: CallOpts): Promise<void> {
    this.calls.push({ endpoint: 'Order/cancel', accountId, orderId, priority: o?.priority });
    return this.mutate('Order/cancel', () => {
      if (this.live.has(accountId)) throw new GatewayError('/api/Order/cancel', 6, 'Live accounts not supported');
      const order = this.acctOrders(accountId).get(orderId);
      if (!order) throw new GatewayError('/api/Order/cancel', 2, null);
      this.acctOrders(accountId).delete(orderId);
      this.onChange(accountId, { kind: 'order', order: { ...order, status: OrderStatus.Cancelled } });
    });
  }

  placeOrder(
    req: { accountId: number; contractId: string; type: Order['type']; side: OrderSide; size: number; stopPrice?: number | null; customTag?: string | null },
    o?: CallOpts,
  ): Promise<number> {
    this.calls.push({
      endpoint: 'Order/place',
      accountId: req.accountId,
      contractId: req.contractId,
      size: req.size,
      stopPrice: req.stopPrice,
      customTag: req.customTag,
      priority: o?.priority,
    });
    return this.mutate('Order/place', () => {
      const dup = [...this.acctOrders(req.accountId).values()].some((x) => req.customTag && x.customTag === req.customTag);
      if (dup) throw new GatewayError('/api/Order/place', 2, null);
      const order = this.addOrder(req.accountId, {
        contractId: req.contractId,
        type: req.type ?? OrderType.Stop,
        side: req.side,
        size: req.size,
        stopPrice: req.stopPrice ?? null,
        customTag: req.customTag ?? null,
      });
      this.onChange(req.accountId, { kind: 'order', order: { ...order } });
      return order.id;
    });
  }

  modifyOrder(req: { accountId: number; orderId: number; stopPrice?: number | null }, o?: CallOpts): Promise<void> {
    this.calls.push({ endpoint: 'Order/modify', accountId: req.accountId, orderId: req.orderId, stopPrice: req.stopPrice, priority: o?.priority });
    return this.mutate('Order/modify', () => {
      const order = this.acctOrders(req.accountId).get(req.orderId);
      if (!order) throw new GatewayError('/api/Order/modify', 2, null);
      if (req.stopPrice !== undefined) order.stopPrice = req.stopPrice;
      this.onChange(req.accountId, { kind: 'order', order: { ...order } });
    });
  }

  // --- internals -----------------------------------------------------------------------------------------

  /** A read given any fault times out (a read changes nothing, so how it failed does not matter). */
  private readFault(endpoint: string): void {
    if (this.faults.get(endpoint)?.shift() !== undefined) throw new GatewayTimeoutError(`/api/${endpoint}`, 5000, false);
  }

  private async mutate<T>(endpoint: string, run: () => T): Promise<T> {
    const fault = this.faults.get(endpoint)?.shift();
    const api = `/api/${endpoint}`;
    switch (fault) {
      case undefined:
        return run();
      case 'accepted-noop':
        return undefined as T;
      case 'rejected-market-closed':
        // closeContract 5 / partialCloseContract 6 = OrderRejected (market closed or no price), message null.
        throw new GatewayError(api, endpoint === 'Position/partialCloseContract' ? 6 : 5, null);
      case 'hold':
        await new Promise<void>((r) => this.held.push({ release: r }));
        return run();
      case 'timeout-executed':
        try {
          run();
        } catch {
          // the caller never learns the answer either way
        }
        throw new GatewayTimeoutError(api, 5000, true);
      case 'timeout-lost':
        throw new GatewayTimeoutError(api, 5000, true);
      case '429':
        throw new RateLimitedError(api, undefined);
      case '500-executed':
        try {
          run();
        } catch {
          // as above
        }
        throw new GatewayHttpError(api, 500, 'Internal Server Error', true);
    }
  }

  private acctPositions(accountId: number): Map<string, Position> {
    let m = this.positions.get(accountId);
    if (!m) this.positions.set(accountId, (m = new Map()));
    return m;
  }

  private acctOrders(accountId: number): Map<number, Order> {
    let m = this.orders.get(accountId);
    if (!m) this.orders.set(accountId, (m = new Map()));
    return m;
  }
}
