// Planning a flatten or a cancelAll: which positions to close and which orders to cancel, from the ledger's view or,
// when the ledger cannot be trusted for it, from the lists REST returned (the executor reads them). Then, once a
// flatten's actions settled, whether a REST sweep must look for leftovers. Pure (see plan.ts).
import { OrderType, isWorkingStatus, type Order } from '../gateway/models.ts';
import type { Intent } from '../rules/types.ts';
import { orderKey, positionKey, type ActionSpec, type Step } from './actionSpec.ts';
import { planCancel, type PlanFacts } from './plan.ts';
import type { AccountStateView, EnforcementStatus } from './types.ts';

export type AccountWideIntent = Extract<Intent, { type: 'flatten' } | { type: 'cancelAll' }>;

/** The REST sweep after a flatten: which lists it reads, from looks started after `after` (a lookMark()). */
export interface Sweep {
  orders: boolean;
  after?: number;
  /** Contracts whose close the flatten saw done: a position the ledger shows there opened after it. */
  closedContracts: ReadonlySet<string>;
}

/** What to read over REST when the ledger's view cannot be used; a list not to read counts as empty. */
export interface ListsToRead {
  positions: boolean;
  orders: boolean;
  /** The row's outcome if the read fails (the error follows it). */
  unreadable: string;
}

/** Open positions and working orders as REST listed them. */
export interface AccountLists {
  positions: readonly { contractId: string; size: number }[];
  orders: readonly Order[];
}

export type AccountWidePlan =
  | Extract<Step, { do: 'skip' }>
  /** A sweep that found nothing left over: no row at all. */
  | { do: 'nothing' }
  | {
      do: 'act';
      /** The request's reason for these rows (a sweep says it is one). */
      reason: string;
      /** Sent first: open exposure is what loses money. */
      closes: (ActionSpec & { contractId: string })[];
      cancels: Step[];
      /** Some order to cancel rests (not a market order): a bracket group may leave a leftover. */
      resting: boolean;
    };

/**
 * Where the plan learns what is open: the ledger's view, or REST. The sweep after a flatten always asks REST (it
 * exists to catch what the ledger does not show); so does a flatten decided before the account's first REST
 * snapshot since this start (the ledger then holds only what the store remembered).
 */
export function accountWideSource(i: AccountWideIntent, facts: PlanFacts, sweep?: Sweep): { view: AccountStateView } | ListsToRead {
  const view = sweep || facts.reconciled === false ? undefined : facts.view;
  if (view) return { view };
  return {
    positions: i.type === 'flatten',
    orders: !sweep || sweep.orders,
    unreadable: sweep ? 'flatten sweep could not verify positions/orders' : 'not executed: could not list positions/orders',
  };
}

export function planAccountWide(
  i: AccountWideIntent,
  reason: string,
  from: { view: AccountStateView } | { lists: AccountLists },
  facts: PlanFacts,
  sweep?: Sweep,
): AccountWidePlan {
  const view = 'view' in from ? from.view : undefined;
  let positions = 'view' in from ? (i.type === 'flatten' ? from.view.positions() : []) : from.lists.positions;
  positions = positions.filter((p) => p.size > 0);
  let orders = ('view' in from ? from.view.workingOrders() : from.lists.orders).filter((o) => isWorkingStatus(o.status));
  const held = (key: string) => facts.holder(key) !== undefined;
  if (i.type === 'flatten') {
    // A market order on a contract riskd is closing is that close's own order (closeContract places one and
    // returns no id), which must never be cancelled, however slowly it fills; or the trader's, which fills before
    // a cancel could land. The position it leaves, if any, arrives as an event of its own.
    const closing = (c: string) => positions.some((p) => p.contractId === c) || held(positionKey(i.accountId, c));
    orders = orders.filter((o) => !(o.type === OrderType.Market && closing(o.contractId)));
  }
  if (sweep) {
    // Only what nobody is already working on; anything found is a leftover of the flatten. A position the ledger
    // shows where the flatten's close is done opened after it: the kill switch's to close (its position event
    // decides), not a leftover; closing it here as well would be a second decision (an absorbed audit row).
    const shown = facts.view?.positions();
    const newer = (c: string) => sweep.closedContracts.has(c) && shown?.some((p) => p.contractId === c && p.size > 0) === true;
    positions = positions.filter((p) => !held(positionKey(i.accountId, p.contractId)) && !newer(p.contractId));
    orders = orders.filter((o) => !held(orderKey(i.accountId, o.id)) && !facts.memory.watchOf(i.accountId, o.id));
    if (positions.length === 0 && orders.length === 0) return { do: 'nothing' };
    reason = `${reason} (flatten sweep: still open per REST after the flatten)`;
  }
  if (i.type === 'cancelAll' && i.symbol !== undefined) {
    if (!view) return { do: 'skip', outcome: 'not executed: cancelAll by symbol needs the ledger view', status: 'failed' };
    const sym = i.symbol.toUpperCase();
    orders = orders.filter((o) => view.symbolOf(o.contractId).toUpperCase() === sym);
  }
  if (positions.length === 0 && orders.length === 0) {
    return { do: 'skip', outcome: i.type === 'flatten' ? 'nothing to do: no open position or working order' : 'nothing to do: no working order', status: 'skipped' };
  }
  return {
    do: 'act',
    reason,
    closes: positions.map((p) => ({ kind: 'close', key: positionKey(i.accountId, p.contractId), contractId: p.contractId, startSize: p.size })),
    cancels: orders.map((o) => planCancel(i.accountId, o.id, o.contractId, facts)),
    resting: orders.some((o) => o.type !== OrderType.Market),
  };
}

/**
 * After a flatten's actions settled (`ends`, closes first, as planned): the REST sweep that catches leftovers, if
 * there can be any. Partial exits and bracket groups behave inconsistently at the gateway (quirk 7): a leftover stop
 * or target could flip the account. There can be some when it had resting orders to cancel (a bracket group:
 * positions and orders are read), or an action the hub did not confirm (the ledger may be behind on positions: a
 * positions read that started after the closes were answered is enough, and the closes' own checks usually made
 * one already). A flatten of positions alone that the hub confirmed leaves nothing the ledger does not show.
 * `answered`: per close, lookMark() when its latest call was answered.
 */
export function flattenSweep(
  plan: Extract<AccountWidePlan, { do: 'act' }>,
  ends: readonly EnforcementStatus[],
  answered: readonly (number | undefined)[],
): Sweep | undefined {
  const unconfirmed = ends.some((e) => e !== 'confirmed' && e !== 'skipped');
  if (!plan.resting && !unconfirmed) return undefined;
  const after = answered.length > 0 && answered.every((m) => m !== undefined) ? Math.max(...(answered as number[])) : undefined;
  const closedContracts = new Set(plan.closes.filter((_, k) => ends[k] === 'confirmed' || ends[k] === 'reconciled').map((c) => c.contractId));
  return { orders: plan.resting, closedContracts, ...(after !== undefined ? { after } : {}) };
}
