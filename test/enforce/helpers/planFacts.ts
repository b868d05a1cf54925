// The facts planning reads (src/enforce/plan.ts), built from plain data: a ledger view of given positions and
// orders, the real per-account memory, and the registry's key holders.
import { AccountMemory } from '../../../src/enforce/accountMemory.ts';
import type { KeyHolder, PlanFacts } from '../../../src/enforce/plan.ts';
import type { AccountStateView } from '../../../src/enforce/types.ts';
import { OrderSide, OrderStatus, OrderType, type Order } from '../../../src/gateway/models.ts';

export interface ViewData {
  positions?: { contractId: string; size: number; side?: 'long' | 'short' }[];
  orders?: Order[];
  /** Contracts filled so far per order id; absent: the view has no fill counts. */
  filled?: Record<number, number>;
  /** Signed size (long +) of the fills since each contract's latest position event; absent: the view has none. */
  fillsSince?: Record<string, number>;
}

/** The account's ledger view; symbols are the contract id's fourth part (CON.F.US.MNQ.Z25 -> MNQ). */
export function viewOf(data: ViewData): AccountStateView {
  const symbolOf = (c: string) => c.split('.')[3] ?? '';
  const { filled, fillsSince } = data;
  return {
    positions: () => (data.positions ?? []).map((p) => ({ ...p, symbol: symbolOf(p.contractId) })),
    workingOrders: () => data.orders ?? [],
    symbolOf,
    ...(filled ? { filledSizeOf: (id: number) => filled[id] ?? 0 } : {}),
    ...(fillsSince ? { fillsSincePosition: (c: string) => fillsSince[c] ?? 0 } : {}),
  };
}

export function facts(f: { view?: AccountStateView; reconciled?: boolean; memory?: AccountMemory; holders?: Record<string, KeyHolder> } = {}): PlanFacts {
  const holders = f.holders ?? {};
  return {
    ...(f.view ? { view: f.view } : {}),
    ...(f.reconciled !== undefined ? { reconciled: f.reconciled } : {}),
    memory: f.memory ?? new AccountMemory(),
    holder: (key) => holders[key],
  };
}

/** A working order (a sell stop of 1 unless told otherwise). */
export function order(id: number, o: Partial<Order> & { contractId: string }): Order {
  return {
    id,
    accountId: 7,
    creationTimestamp: 0,
    updateTimestamp: 0,
    status: OrderStatus.Open,
    type: OrderType.Stop,
    side: OrderSide.Ask,
    size: 1,
    fillVolume: 0,
    ...o,
  };
}
