// What riskd's own enforcement left on the account that a later fact must be answered for, decided here (not in
// the executor: one brain). The executor reports what it did (enforcement.fillWatched, enforcement.stopPlaced);
// the ledger's facts (order.filled, order.ended, position.closed) then decide:
//   - close on fill: an order riskd wanted cancelled on an account that refuses cancels (live and follower
//     accounts, projectx-api.md quirk 11) is watched; when it fills, the position it opened is closed.
//   - riskd's own stop (RULE-012 trade management): once its position is flat, the stop is cancelled, so it
//     cannot open a new position.
// Both live in context, so they survive a restart with the snapshot.
import { intentOut } from './intents.ts';
import type { Step } from './locks.ts';
import type { AccountCore, FillWatch, LockOwner } from './types.ts';

const none = (core: AccountCore): Step => ({ core, out: [] });

/** The watch on an order, if riskd must close what its fill opens. */
export function fillWatchOf(core: AccountCore, orderId: number): FillWatch | undefined {
  return core.fillWatches[String(orderId)];
}

/** The stop riskd placed on a contract, if it still remembers one. */
export function ownStopOf(core: AccountCore, contractId: string): number | undefined {
  return core.ownStops[contractId];
}

/** A cancel was refused (or not tried) on an account that refuses cancels: the order is watched. The first reason stays. */
export function onFillWatched(core: AccountCore, w: { orderId: number; contractId?: string; rule: LockOwner; reason: string; now: number }): AccountCore {
  if (fillWatchOf(core, w.orderId)) return core;
  const watch: FillWatch = { orderId: w.orderId, rule: w.rule, reason: w.reason, since: w.now, ...(w.contractId !== undefined ? { contractId: w.contractId } : {}) };
  return { ...core, fillWatches: { ...core.fillWatches, [String(w.orderId)]: watch } };
}

/** A watched order filled (fully or partly): close the position it opened. */
export function onOrderFilled(core: AccountCore, orderId: number, contractId: string): Step {
  const watch = fillWatchOf(core, orderId);
  if (!watch) return none(core);
  const close = { type: 'close', accountId: core.accountId, contractId } as const;
  const why = `Order ${orderId} filled on an account that refuses cancels; closing the position it opened (${watch.reason})`;
  return { core, out: [intentOut(close, watch.rule, why, { orderId })] };
}

/** An order reached a final status: nothing is watched or remembered about it any more. */
export function onOrderEnded(core: AccountCore, orderId: number, contractId: string): AccountCore {
  let next = core;
  if (fillWatchOf(next, orderId)) {
    const { [String(orderId)]: _ended, ...rest } = next.fillWatches;
    next = { ...next, fillWatches: rest };
  }
  if (ownStopOf(next, contractId) === orderId) next = forgetOwnStop(next, contractId);
  return next;
}

/**
 * riskd's stop on a contract is working (its place was confirmed). If the position is already flat (it closed while
 * the place was in flight), the new stop is an orphan: cancelled at once.
 */
export function onStopPlaced(core: AccountCore, contractId: string, orderId: number): Step {
  const next = { ...core, ownStops: { ...core.ownStops, [contractId]: orderId } };
  return core.positions[contractId] ? none(next) : cancelOwnStop(next, contractId);
}

/** The position is flat: the stop riskd placed on it is cancelled and forgotten. */
export function cancelOwnStop(core: AccountCore, contractId: string): Step {
  const orderId = ownStopOf(core, contractId);
  if (orderId === undefined) return none(core);
  const cancel = { type: 'cancel', accountId: core.accountId, orderId } as const;
  const why = `Position closed: cancelling the protective stop ${orderId} riskd placed, so it cannot open a new position`;
  return { core: forgetOwnStop(core, contractId), out: [intentOut(cancel, 'RULE-012', why, { orderId, contractId })] };
}

function forgetOwnStop(core: AccountCore, contractId: string): AccountCore {
  const { [contractId]: _gone, ...rest } = core.ownStops;
  return { ...core, ownStops: rest };
}
