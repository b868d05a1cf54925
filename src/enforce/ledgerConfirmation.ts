// What a ledger event (a hub event the ledger applied) says about the action in flight on its key: its goal is met
// ('CONFIRMED'), a cancel lost the race to a fill or another end ('OVERTAKEN'), a held action is no longer needed
// ('MOOT'), a held close must go now ('SEND_NOW'), or nothing. Pure: the executor tells the action's chart. The REST
// counterpart, for an action the hub did not confirm, is verification.ts.
import { OrderStatus, isWorkingStatus, type Order } from '../gateway/models.ts';
import { fillsCloseIt } from './actionStart.ts';
import type { ActionSpec } from './actionSpec.ts';
import type { AccountStateView } from './types.ts';
import { samePrice } from './verification.ts';

export interface LedgerVerdict {
  type: 'CONFIRMED' | 'OVERTAKEN' | 'MOOT';
  detail: string;
}

/** A position event for the sent close or reduce of its contract. */
export function positionConfirms(a: Pick<ActionSpec, 'kind' | 'size' | 'startSize'>, size: number): LedgerVerdict | undefined {
  if (size === 0) return { type: 'CONFIRMED', detail: 'position closed (ledger event)' };
  if (a.kind !== 'reduce') return undefined;
  const target = a.startSize !== undefined ? a.startSize - (a.size ?? 0) : undefined;
  return target === undefined || size <= target ? { type: 'CONFIRMED', detail: `position reduced to ${size} (ledger event)` } : undefined;
}

/**
 * The position event a held close waited for: flat means nothing to send; still open means close it now, unless
 * more fills are still ahead of their events (keep waiting: undefined).
 */
export function heldCloseAfter(size: number, view: AccountStateView | undefined, contractId: string | undefined): LedgerVerdict | { type: 'SEND_NOW' } | undefined {
  if (size === 0) return { type: 'MOOT', detail: 'not sent: the fills that arrived first closed the position (position event)' };
  if (contractId !== undefined && fillsCloseIt(view, contractId)) return undefined;
  return { type: 'SEND_NOW' };
}

/**
 * An order event for the cancel of that order, held (not sent: a market order expected to fill) or sent. Only a
 * final status says anything, and only 'Cancelled' is the cancel's doing; a fill (or an expiry, a rejection) that got
 * there first is recorded as what happened: the goal, no working order, is met, and the position a fill opened is
 * the rules' to judge from the ledger.
 */
export function orderEndsCancel(o: Order, held: boolean): LedgerVerdict | undefined {
  if (isWorkingStatus(o.status)) return undefined;
  if (held) {
    return { type: 'MOOT', detail: `not sent: market order ${o.id} ${o.status === OrderStatus.Filled ? 'filled' : statusName(o.status)} before a cancel was needed (ledger event)` };
  }
  if (o.status === OrderStatus.Cancelled) {
    const partly = o.fillVolume > 0 ? ` after ${o.fillVolume} of ${o.size} filled` : '';
    return { type: 'CONFIRMED', detail: `order cancelled${partly} (ledger event)` };
  }
  const what = o.status === OrderStatus.Filled ? `filled before cancel: ${o.fillVolume} contract(s) filled` : `${statusName(o.status)} before cancel`;
  return { type: 'OVERTAKEN', detail: `${what}; the cancel did not take effect (ledger event, status ${o.status})` };
}

/** A working order of the contract, for its sent stop move: the modify's new price, or the stop its place made. */
export function orderConfirmsStop(s: Pick<ActionSpec, 'kind' | 'orderId' | 'stopPrice'> & { tags: readonly string[] }, o: Order): LedgerVerdict | undefined {
  if (!isWorkingStatus(o.status)) return undefined;
  if (s.kind === 'modifyStop' && s.orderId === o.id && samePrice(o.stopPrice, s.stopPrice)) {
    return { type: 'CONFIRMED', detail: `stop ${o.id} now at ${o.stopPrice} (ledger event)` };
  }
  if (s.kind === 'placeStop' && o.customTag && s.tags.includes(o.customTag)) {
    return { type: 'CONFIRMED', detail: `stop ${o.id} working at ${o.stopPrice} (ledger event)` };
  }
  return undefined;
}

function statusName(status: number): string {
  const name = Object.entries(OrderStatus).find(([, v]) => v === status)?.[0];
  return name ? name.toLowerCase() : `status ${status}`;
}
