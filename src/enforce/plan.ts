// Planning: which gateway mutations an intent needs, from what is known when it arrives. Pure over the facts it is
// given (the ledger's view, the per-account memory, what the executor's registry holds): no I/O, no calls back into
// the executor. This file plans one position or one order (close, reduce, cancel); an account-wide intent
// (flatten, cancelAll) is planAccountWide.ts, a stop move planStopMove.ts.
import type { ActionKind } from '../../machines/action/index.ts';
import type { OrderSide } from '../gateway/models.ts';
import type { Intent } from '../rules/types.ts';
import type { AccountMemory } from './accountMemory.ts';
import { ENDPOINT, orderKey, positionKey, type Step } from './actionSpec.ts';
import type { AccountStateView } from './types.ts';

/** The action that holds a registry key (settled perhaps, one of its calls still unanswered). */
export interface KeyHolder {
  kind: ActionKind;
  rowId: number;
  /** A throttled stop move not sent yet. */
  queued: boolean;
  orderId?: number;
  side?: OrderSide;
  stopPrice?: number;
}

/** What planning reads of the per-account memory (AccountMemory fits). */
export type MemoryFacts = Pick<AccountMemory, 'refuses' | 'watchOf' | 'ownStop' | 'lastStopSent' | 'lastModifyAt'>;

/** What is known about one account when its intent is planned. */
export interface PlanFacts {
  /** The ledger's view of the account, if there is one. */
  view?: AccountStateView;
  /** False while the ledger holds only what the store remembered (no REST snapshot since this start). */
  reconciled?: boolean;
  memory: MemoryFacts;
  /** The action holding a registry key (actionSpec.ts), if any. */
  holder(key: string): KeyHolder | undefined;
}

/** A close, a reduce or a cancel. */
export function planOne(i: Extract<Intent, { type: 'close' | 'reduce' | 'cancel' }>, facts: PlanFacts): Step {
  switch (i.type) {
    case 'close':
      return {
        do: 'start',
        spec: { kind: 'close', key: positionKey(i.accountId, i.contractId), contractId: i.contractId, ...knownSize(facts.view, i.contractId) },
      };
    case 'reduce': {
      if (!(Number.isInteger(i.size) && i.size > 0)) {
        return { do: 'skip', outcome: `not executed: reduce size must be a positive integer, got ${String(i.size)}`, status: 'failed' };
      }
      const kind = facts.memory.refuses(i.accountId, 'partialClose') ? 'close' : 'reduce';
      return {
        do: 'start',
        spec: {
          kind,
          key: positionKey(i.accountId, i.contractId),
          contractId: i.contractId,
          size: i.size,
          ...knownSize(facts.view, i.contractId),
          ...(kind === 'close' ? { note: 'account refuses partial close: closing the whole position' } : {}),
        },
      };
    }
    case 'cancel': {
      const known = facts.view?.workingOrders().find((o) => o.id === i.orderId);
      return planCancel(i.accountId, i.orderId, known?.contractId, facts);
    }
  }
}

/**
 * Cancel an order, or watch it when the account refuses cancels (its fill is answered by a close), or nothing when
 * its fills already cover it (its Filled status is on the way).
 */
export function planCancel(accountId: number, orderId: number, contractId: string | undefined, facts: PlanFacts): Step {
  const fields = { endpoint: ENDPOINT.cancel, contractId: contractId ?? null, extra: { orderId } };
  if (facts.memory.refuses(accountId, 'cancel')) {
    return {
      do: 'skip',
      outcome: `cancel not attempted: account refuses cancels; order ${orderId} will be closed on fill`,
      status: 'skipped',
      fields,
      watch: { orderId, ...(contractId !== undefined ? { contractId } : {}) },
    };
  }
  const filled = filledBeforeItsStatus(facts.view, orderId);
  if (filled !== undefined) {
    return { do: 'skip', outcome: `nothing to do: order ${orderId} is filled (its ${filled} contract fill(s) arrived before its status)`, status: 'skipped', fields };
  }
  return { do: 'start', spec: { kind: 'cancel', key: orderKey(accountId, orderId), orderId, ...(contractId !== undefined ? { contractId } : {}) } };
}

/** The position's size per the ledger, if it shows one. */
export function knownSize(view: AccountStateView | undefined, contractId: string): { startSize?: number } {
  const p = view?.positions().find((x) => x.contractId === contractId);
  return p ? { startSize: p.size } : {};
}

/** Contracts filled of a working order whose fills already cover its size (its Filled status is on the way). */
export function filledBeforeItsStatus(view: AccountStateView | undefined, orderId: number): number | undefined {
  const o = view?.workingOrders().find((x) => x.id === orderId);
  const filled = o && view?.filledSizeOf ? view.filledSizeOf(orderId) : 0;
  return o && filled >= o.size ? filled : undefined;
}
