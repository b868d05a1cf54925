// When the account machine hears the events of a turn (daemon.runMachine). One socket read holds a whole fill
// (order working, order filled, trade, position, account events); the facts of the first ones decide nothing on an
// unlocked account, and running them first (one XState macrostep each) would stand between the position event and
// its enforcement. Pure: the daemon keeps the waiting events and runs what this says.
import type { AccountEvent } from '../../machines/account/index.ts';

/**
 * later: facts that decide nothing now (an unlocked account): they wait until the hub is quiet, in order.
 * now: may decide (a verdict that sets a lock, canTrade, any fact on an armed kill switch): the account's waiting
 *   events run first, then these, in arrival order, in one batch.
 * lockFreeVerdict: verdicts that set no lock, on an account whose kill switch is not armed (see deliveryOf).
 */
export type Urgency = 'later' | 'now' | 'lockFreeVerdict';

/**
 * Facts a lock-free verdict may overtake: none of them can change how the machine admits its intents (the in-flight
 * register and the locks are untouched by them, and no lock is armed to judge them). A closed position can (it
 * forgets the intents in flight for its contract, and cancels riskd's own stop), canTrade can set a lock, and the
 * facts about riskd's own orders (order.filled, order.ended, enforcement.fillWatched, enforcement.stopPlaced) can
 * emit or stop a close or cancel: with any of them waiting, order is kept.
 */
const OVERTAKABLE: ReadonlySet<AccountEvent['type']> = new Set(['order.working', 'position.protection', 'position.opened', 'position.changed']);

export interface Delivery {
  /** Run now, in this order, in one batch. */
  now: readonly AccountEvent[];
  /** Wait until the hub is quiet, in this order (replaces the account's waiting events). */
  wait: readonly AccountEvent[];
}

/**
 * What runs now and what waits. A lock-free verdict runs alone, ahead of the facts that wait (they follow at the
 * turn's end, after its request has left); the machine's decision is the same, since none of those facts bears
 * on it. Everything else keeps arrival order.
 */
export function deliveryOf(events: readonly AccountEvent[], urgency: Urgency, waiting: readonly AccountEvent[]): Delivery {
  if (urgency === 'later') return { now: [], wait: [...waiting, ...events] };
  if (urgency === 'lockFreeVerdict') {
    const verdicts = events.filter((e) => e.type === 'rule.verdicts');
    const facts = events.filter((e) => e.type !== 'rule.verdicts');
    if (waiting.every(overtakable) && facts.every(overtakable)) return { now: verdicts, wait: [...waiting, ...facts] };
  }
  return { now: [...waiting, ...events], wait: [] };
}

const overtakable = (e: AccountEvent): boolean => OVERTAKABLE.has(e.type);
