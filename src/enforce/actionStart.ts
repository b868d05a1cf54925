// Where a new action's statechart (machines/action) starts: held for the event that likely makes it moot, queued
// by the stop-modify throttle, or sent at once. Pure over the ledger's view and the memory's modify times.
import type { ActionStart } from '../../machines/action/index.ts';
import { OrderType, isWorkingStatus } from '../gateway/models.ts';
import type { ActionSpec } from './actionSpec.ts';
import type { MemoryFacts } from './plan.ts';
import type { AccountStateView } from './types.ts';

export interface StartFacts {
  view?: AccountStateView;
  memory: Pick<MemoryFacts, 'lastModifyAt'>;
  /** Minimum spacing of Order/modify calls on one order. */
  modifyMinIntervalMs: number;
  now: number;
}

export function startOf(a: ActionSpec, facts: StartFacts): { startAs: ActionStart; sendAt?: number } {
  if (a.kind === 'modifyStop' && a.orderId !== undefined) {
    const sendAt = (facts.memory.lastModifyAt(a.orderId) ?? -Infinity) + facts.modifyMinIntervalMs;
    if (sendAt > facts.now) return { startAs: 'queued', sendAt };
  }
  if (a.kind === 'close' && a.contractId !== undefined && fillsCloseIt(facts.view, a.contractId)) return { startAs: 'heldForPosition' };
  if (a.kind === 'cancel' && isWorkingMarketOrder(facts.view, a.orderId)) return { startAs: 'heldForFill' };
  return { startAs: 'send' };
}

/**
 * True when the fills received since the position's latest event bring it to flat: the trader's own exit
 * (or a stop) ran ahead of its position event, so a close now would hit a flat contract or, worse, land on
 * the next position the trader opens.
 */
export function fillsCloseIt(view: AccountStateView | undefined, contractId: string): boolean {
  if (!view?.fillsSincePosition) return false;
  const p = view.positions().find((x) => x.contractId === contractId);
  if (!p || p.side === undefined) return false;
  const net = view.fillsSincePosition(contractId);
  return net !== 0 && (p.side === 'long' ? p.size : -p.size) + net === 0;
}

/** A market order fills before a cancel could land: its cancel waits for its fill. */
function isWorkingMarketOrder(view: AccountStateView | undefined, orderId: number | undefined): boolean {
  const o = view?.workingOrders().find((x) => x.id === orderId);
  return o !== undefined && o.type === OrderType.Market && isWorkingStatus(o.status);
}
