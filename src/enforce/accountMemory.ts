// What the executor remembers per account between actions, for planning (in memory; after a restart the kill
// switch and the rules redo what matters, and the refusals come back from the store): what the gateway refused,
// orders it could not cancel (not cancelled again, left out of a sweep), the stops riskd placed (a move modifies
// them), the last stop price and modify time per order (never loosen, at most one modify a second), and the
// cancels the gateway accepted whose end the ledger has not seen yet. Acting on a watched order's fill or on a
// stop whose position closed is the account machine's decision (machines/account/ownOrders.ts), which keeps its
// own copy in the persisted snapshot.
import type { Order } from '../gateway/models.ts';
import type { AccountRefusal } from './types.ts';

/** An order the account refused to cancel while enforcement wanted it gone: its fill is answered by a close. */
export interface CloseOnFillWatch {
  accountId: number;
  orderId: number;
  contractId?: string;
  rule: string;
  reason: string;
}

export type Refusal = AccountRefusal['what'];

const orderKey = (accountId: number, orderId: number) => `${accountId}:${orderId}`;
const contractKey = (accountId: number, contractId: string) => `${accountId}:${contractId}`;

export class AccountMemory {
  private readonly refused: Record<Refusal, Set<number>> = { cancel: new Set(), partialClose: new Set() };
  private readonly watches = new Map<string, CloseOnFillWatch>();
  /** account:contract -> id of the stop riskd placed, so a later move modifies it rather than stacking stops. */
  private readonly ownStops = new Map<string, number>();
  /** orderId -> epoch ms of the last Order/modify sent. */
  private readonly modifiedAt = new Map<number, number>();
  /** orderId -> last stop price riskd asked for. */
  private readonly stopSent = new Map<number, number>();
  /** account -> orders whose Order/cancel the gateway accepted, until their final status reaches the ledger. */
  private readonly cancelsAccepted = new Map<number, Set<number>>();

  constructor(refusals: readonly AccountRefusal[] = []) {
    for (const r of refusals) this.refused[r.what].add(r.accountId);
  }

  refuses(accountId: number, what: Refusal): boolean {
    return this.refused[what].has(accountId);
  }

  /** Remembers a refusal; false when it was known already. */
  noteRefusal(accountId: number, what: Refusal): boolean {
    if (this.refused[what].has(accountId)) return false;
    this.refused[what].add(accountId);
    return true;
  }

  refusals(): AccountRefusal[] {
    return (['cancel', 'partialClose'] as const).flatMap((what) => [...this.refused[what]].map((accountId) => ({ accountId, what })));
  }

  /** Watches an order; the first refusal's rule and reason stay with it. */
  watch(w: CloseOnFillWatch): void {
    const key = orderKey(w.accountId, w.orderId);
    if (!this.watches.has(key)) this.watches.set(key, w);
  }

  watchOf(accountId: number, orderId: number): CloseOnFillWatch | undefined {
    return this.watches.get(orderKey(accountId, orderId));
  }

  unwatch(accountId: number, orderId: number): void {
    this.watches.delete(orderKey(accountId, orderId));
  }

  watchList(accountId?: number): CloseOnFillWatch[] {
    return [...this.watches.values()].filter((w) => accountId === undefined || w.accountId === accountId);
  }

  ownStop(accountId: number, contractId: string): number | undefined {
    return this.ownStops.get(contractKey(accountId, contractId));
  }

  setOwnStop(accountId: number, contractId: string, orderId: number): void {
    this.ownStops.set(contractKey(accountId, contractId), orderId);
  }

  /** Forgets riskd's stop on the contract (only if it is `orderId`, when given). */
  dropOwnStop(accountId: number, contractId: string, orderId?: number): void {
    const key = contractKey(accountId, contractId);
    if (orderId === undefined || this.ownStops.get(key) === orderId) this.ownStops.delete(key);
  }

  lastModifyAt(orderId: number): number | undefined {
    return this.modifiedAt.get(orderId);
  }

  noteModify(orderId: number, at: number): void {
    this.modifiedAt.set(orderId, at);
  }

  lastStopSent(orderId: number): number | undefined {
    return this.stopSent.get(orderId);
  }

  noteStopSent(orderId: number, price: number): void {
    this.stopSent.set(orderId, price);
  }

  noteCancelAccepted(accountId: number, orderId: number): void {
    let ids = this.cancelsAccepted.get(accountId);
    if (!ids) this.cancelsAccepted.set(accountId, (ids = new Set()));
    ids.add(orderId);
  }

  /** Orders of the account whose cancel the gateway accepted and whose final status the ledger has not seen. */
  cancelsAcceptedOf(accountId: number): number[] {
    return [...(this.cancelsAccepted.get(accountId) ?? [])];
  }

  /** An order reached a final status: drop what was remembered about it (its watch is the caller's to end). */
  forgetOrder(accountId: number, o: Order): void {
    this.modifiedAt.delete(o.id);
    this.stopSent.delete(o.id);
    this.dropOwnStop(accountId, o.contractId, o.id);
    const cancels = this.cancelsAccepted.get(accountId);
    if (cancels?.delete(o.id) && cancels.size === 0) this.cancelsAccepted.delete(accountId);
  }
}
