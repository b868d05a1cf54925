// REST verification of one action's goal: what the gateway's lists say about it. Pure over the reads it is given
// (positions first; orders only when the positions cannot decide), so a flat position costs one request.
import { OrderType, isWorkingStatus, type Order, type Position } from '../gateway/models.ts';

/** What an action set out to make true. */
export interface Goal {
  kind: 'close' | 'reduce' | 'cancel' | 'modifyStop' | 'placeStop';
  contractId?: string;
  orderId?: number;
  /** reduce: contracts to close. */
  size?: number;
  /** Position size when the action began, if known. */
  startSize?: number;
  stopPrice?: number;
  /** placeStop: the customTags its attempts used. */
  tags: readonly string[];
}

export interface Verdict {
  /** done: goal met; pending: a market order is still working; changed: partial progress; unchanged: nothing happened. */
  state: 'done' | 'pending' | 'changed' | 'unchanged';
  detail: string;
  /** placeStop: the working stop found by its tag. */
  placedOrderId?: number;
}

export interface Reads {
  positions(): Promise<Position[]>;
  orders(): Promise<Order[]>;
}

export async function verify(goal: Goal, reads: Reads): Promise<Verdict> {
  switch (goal.kind) {
    case 'close':
    case 'reduce': {
      const p = (await reads.positions()).find((x) => x.contractId === goal.contractId && x.size > 0);
      if (!p) return { state: 'done', detail: 'position is flat' };
      const target = goal.kind === 'reduce' && goal.startSize !== undefined ? goal.startSize - (goal.size ?? 0) : undefined;
      if (target !== undefined && p.size <= target) return { state: 'done', detail: `position reduced to ${p.size}` };
      const orders = await reads.orders();
      if (orders.some((o) => o.contractId === goal.contractId && o.type === OrderType.Market && isWorkingStatus(o.status))) {
        return { state: 'pending', detail: `position ${p.size} open with a market order working` };
      }
      if (goal.kind === 'reduce' && goal.startSize === undefined) {
        // Without the size before the reduce, a re-send could reduce twice.
        return { state: 'changed', detail: `position ${p.size} open; size before the reduce unknown` };
      }
      if (goal.startSize !== undefined && p.size !== goal.startSize) {
        return { state: 'changed', detail: `position size changed ${goal.startSize} -> ${p.size}` };
      }
      return { state: 'unchanged', detail: `position ${p.size} still open, no fill` };
    }
    case 'cancel': {
      const o = (await reads.orders()).find((x) => x.id === goal.orderId && isWorkingStatus(x.status));
      return o ? { state: 'unchanged', detail: `order ${goal.orderId} still working` } : { state: 'done', detail: `order ${goal.orderId} no longer working` };
    }
    case 'modifyStop': {
      const o = (await reads.orders()).find((x) => x.id === goal.orderId && isWorkingStatus(x.status));
      if (!o) return { state: 'changed', detail: `stop order ${goal.orderId} no longer working` };
      if (samePrice(o.stopPrice, goal.stopPrice)) return { state: 'done', detail: `stop ${goal.orderId} at ${o.stopPrice}` };
      return { state: 'unchanged', detail: `stop ${goal.orderId} still at ${o.stopPrice}` };
    }
    case 'placeStop': {
      const o = (await reads.orders()).find((x) => x.customTag !== undefined && x.customTag !== null && goal.tags.includes(x.customTag));
      if (o) return { state: 'done', detail: `stop ${o.id} working at ${o.stopPrice}`, placedOrderId: o.id };
      return { state: 'unchanged', detail: "no stop with riskd's tag is working" };
    }
  }
}

/** Prices from the gateway are decimals: compare with a tolerance far below any tick. */
export function samePrice(a: number | null | undefined, b: number | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && Math.abs(a - b) < 1e-9;
}
