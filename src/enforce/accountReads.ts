// The executor's REST reads of an account, coalesced per account, list and priority (see coalesced.ts).
//   'enforce':   reads a mutation waits on (may a close be re-sent after a timeout? is a held close needed?):
//                they go ahead of every other read, as the mutation they gate would.
//   'reconcile': checks after an action whose confirmation is missing, and the sweep after a flatten: they
//                wait behind every enforcement call and never use the slots the rate budget keeps for them.
import type { Order } from '../gateway/models.ts';
import { Coalesced } from './coalesced.ts';
import type { EnforcementRest, OrdersRead, PositionsRead } from './types.ts';

export type ReadPriority = 'enforce' | 'reconcile';
/** lookMark() taken when a mutation was answered: a read that starts later shows its effect. */
export type ReadMark = number;

export class AccountReads {
  private readonly positionReads: Record<ReadPriority, Coalesced<PositionsRead>>;
  private readonly orderReads: Record<ReadPriority, Coalesced<OrdersRead>>;

  /** `heldWorking`: the ids of the orders the ledger holds working, when there is a ledger. */
  constructor(rest: EnforcementRest, now: () => number, heldWorking?: (accountId: number) => readonly number[] | undefined) {
    const positions = (priority: ReadPriority) =>
      new Coalesced(async (id): Promise<PositionsRead> => {
        const at = now();
        return { at, positions: await rest.searchOpenPositions(id, { priority }) };
      });
    const orders = (priority: ReadPriority) =>
      new Coalesced(async (id): Promise<OrdersRead> => {
        const at = now();
        const held = heldWorking?.(id);
        return { at, orders: await rest.queryWorkingOrders(id, { priority }), ...(held ? { heldWorking: held } : {}) };
      });
    this.positionReads = { enforce: positions('enforce'), reconcile: positions('reconcile') };
    this.orderReads = { enforce: orders('enforce'), reconcile: orders('reconcile') };
  }

  /**
   * Open positions, from a Position/searchOpen that starts after `after` (default: after this call), with the
   * time it was sent: the answer can update the ledger (a positions-only reconcile) instead of a read of its own.
   */
  positions(accountId: number, priority: ReadPriority, after?: ReadMark): Promise<PositionsRead> {
    return this.positionReads[priority].get(accountId, after);
  }

  /** Working orders, from an Order/v2/query that starts after `after` (default: after this call). */
  async orders(accountId: number, priority: ReadPriority, after?: ReadMark): Promise<Order[]> {
    return [...(await this.ordersRead(accountId, priority, after)).orders];
  }

  /**
   * The same read with the time it was sent and what the ledger held working then: the answer can update the
   * ledger (an orders-only reconcile) instead of a read of its own.
   */
  ordersRead(accountId: number, priority: ReadPriority, after?: ReadMark): Promise<OrdersRead> {
    return this.orderReads[priority].get(accountId, after);
  }
}
