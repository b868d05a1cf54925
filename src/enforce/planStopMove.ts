// Planning a stop move (RULE-012): modify the stop, place one, or nothing. Never loosen, only a working order, no
// stop while the position is being closed, one throttled move per contract at a time (the tighter one wins).
// Pure (see plan.ts).
import { isWorkingStatus, type Order } from '../gateway/models.ts';
import type { Intent } from '../rules/types.ts';
import { ENDPOINT, positionKey, stopKey, type ActionSpec, type Step } from './actionSpec.ts';
import type { MemoryFacts, PlanFacts } from './plan.ts';
import { isTighter, tightest } from './stops.ts';

export type StopMoveIntent = Extract<Intent, { type: 'moveStop' }>;

/** The stop order to move must be read over REST (no ledger view): plan again with the working orders read. */
export interface StopToRead {
  do: 'read';
  orderId: number;
  /** The row's outcome if the read fails (the error follows it). */
  unreadable: string;
}

/** The working orders REST listed, for the stop order the first plan asked about. */
export interface StopRead {
  orderId: number;
  orders: readonly Order[];
}

export function planStopMove(i: StopMoveIntent, facts: PlanFacts): Step | StopToRead;
export function planStopMove(i: StopMoveIntent, facts: PlanFacts, read: StopRead): Step;
export function planStopMove(i: StopMoveIntent, facts: PlanFacts, read?: StopRead): Step | StopToRead {
  let orderId: number | undefined;
  let orders: readonly Order[] | undefined;
  if (read) {
    ({ orderId, orders } = read);
  } else {
    const closing = facts.holder(positionKey(i.accountId, i.contractId));
    if (closing) {
      // A stop placed or moved while the position is being closed could outlive it and open a new position.
      return {
        do: 'skip',
        outcome: `not executed: ${closing.kind} in flight for this contract (row #${closing.rowId})`,
        status: 'skipped',
        fields: { endpoint: i.orderId !== undefined ? ENDPOINT.modifyStop : ENDPOINT.placeStop, contractId: i.contractId, extra: { stopPrice: i.stopPrice } },
      };
    }
    orderId = i.orderId ?? facts.memory.ownStop(i.accountId, i.contractId);
    if (orderId !== undefined) {
      orders = facts.view?.workingOrders();
      if (!orders) return { do: 'read', orderId, unreadable: 'not executed: could not read the current stop' };
    }
  }
  let ownStopGone = false;
  let current: number | undefined;
  if (orderId !== undefined) {
    const o = orders?.find((x) => x.id === orderId && isWorkingStatus(x.status));
    if (!o && i.orderId === undefined) {
      // riskd's own stop is gone (filled or cancelled): place a new one.
      ownStopGone = true;
      orderId = undefined;
    } else if (!o) {
      return {
        do: 'skip',
        outcome: `not executed: stop order ${orderId} is not working`,
        status: 'skipped',
        fields: { endpoint: ENDPOINT.modifyStop, contractId: i.contractId, extra: { orderId, stopPrice: i.stopPrice } },
      };
    } else {
      current = tightest(i.side, o.stopPrice ?? undefined, facts.memory.lastStopSent(o.id));
    }
  }
  const fields = { endpoint: orderId !== undefined ? ENDPOINT.modifyStop : ENDPOINT.placeStop, contractId: i.contractId };
  if (orderId !== undefined && current !== undefined && !isTighter(i.side, current, i.stopPrice)) {
    return {
      do: 'skip',
      outcome: `not executed: stop ${orderId} is at ${current}; ${i.stopPrice} would not tighten it (never loosen)`,
      status: 'skipped',
      fields: { ...fields, extra: { orderId, stopPrice: i.stopPrice, currentStop: current } },
    };
  }
  const key = stopKey(i.accountId, i.contractId);
  let supersedes: string | undefined;
  const held = facts.holder(key);
  if (held?.queued && held.kind === 'modifyStop' && held.orderId === orderId) {
    // A throttled move is waiting: the tighter target wins, the other is recorded as superseded.
    if (held.side !== undefined && held.stopPrice !== undefined && isTighter(held.side, held.stopPrice, i.stopPrice)) {
      supersedes = `superseded by a tighter stop ${i.stopPrice} before it was sent`;
    } else {
      return {
        do: 'skip',
        outcome: `not executed: a move to ${held.stopPrice} is already queued (row #${held.rowId})`,
        status: 'skipped',
        fields: { ...fields, extra: { orderId, stopPrice: i.stopPrice } },
      };
    }
  }
  return {
    do: 'start',
    spec: {
      kind: orderId !== undefined ? 'modifyStop' : 'placeStop',
      key,
      contractId: i.contractId,
      stopPrice: i.stopPrice,
      side: i.side,
      size: i.size,
      ...(orderId !== undefined ? { orderId } : {}),
    },
    ...(supersedes !== undefined ? { supersedes } : {}),
    ...(ownStopGone ? { forgetOwnStop: true as const } : {}),
  };
}

/**
 * A throttled stop move is due: why it is no longer needed (riskd or the trader moved the stop meanwhile, or the
 * stop is gone), if so. `orders`: the ledger's working orders of the account; undefined when the runtime keeps no
 * ledger at all (then only the price riskd sent is known).
 */
export function queuedMoveMoot(a: ActionSpec, orders: readonly Order[] | undefined, memory: Pick<MemoryFacts, 'lastStopSent'>): string | undefined {
  if (a.side === undefined || a.stopPrice === undefined || a.orderId === undefined) return undefined;
  const o = orders?.find((x) => x.id === a.orderId);
  if (orders && !o) return `stop order ${a.orderId} is no longer working`;
  const current = tightest(a.side, o?.stopPrice ?? undefined, memory.lastStopSent(a.orderId));
  if (current !== undefined && !isTighter(a.side, current, a.stopPrice)) {
    return `stop is already at ${current}; ${a.stopPrice} would not tighten it (never loosen)`;
  }
  return undefined;
}
