// One lock as behaviour: held (active | releasePending) -> released. Meant to run as a child of the account
// machine, one per lock, each released by its own condition:
//   cooldown         its deadline (`lock.until`, absolute epoch ms) passes
//   until_session    the next allowed session window opens (or its `until`, the window's start, passes)
//   until_reset      the trading-day reset after the lock began
//   until_can_trade  the gateway reports canTrade true
//   symbol           the symbol leaves symbol_blocks.symbols
// An admin unlock releases at once (delayMs 0) or moves the lock to `releasePending` until `unlockAt`; a repeat
// never postpones it, and the lock's own condition still releases it meanwhile. A longer cooldown extends the
// lock, a shorter one is ignored. Timers only wake the machine (the provided `wake` sends `clock.tick { now }`);
// the guards compare that time with the deadlines in context, so a restored lock re-arms on `system.resumed`.
// Pure: no clock, no I/O.
import { assign, sendParent, setup } from 'xstate';
import { MAX_WAKE_MS } from '../position/position.machine.ts';
import type { LockEntry, LockEvent, LockToParent } from './types.ts';
export type { LockEvent, LockToParent } from './types.ts';

export interface LockInput {
  lock: LockEntry;
  now: number;
}

export interface LockContext {
  lock: LockEntry;
  /** When a delayed admin unlock takes effect (releasePending only). */
  unlockAt: number | null;
  unlockBy: string | null;
  unlockRequestedAt: number | null;
  /** Latest time seen in an event. */
  now: number;
  /** How and when it was released (released only): the audit's words. */
  releasedHow: string | null;
  releasedAt: number | null;
}

/** The deadline this lock releases itself at, if its kind has one. */
export function ownDeadline(lock: LockEntry): number | null {
  return lock.kind === 'cooldown' || lock.kind === 'until_session' ? lock.until : null;
}

/** The next instant the lock must look at the clock (null: only events release it). */
export function nextLockDeadline(c: Pick<LockContext, 'lock' | 'unlockAt'>): number | null {
  const times = [ownDeadline(c.lock), c.unlockAt].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times);
}

const eventNow = (e: LockEvent): number => e.now;

/** Whether the lock's own deadline (cooldown, until_session) has passed at `now`. */
export function deadlinePassed(lock: LockEntry, now: number): boolean {
  const d = ownDeadline(lock);
  return d !== null && now >= d;
}

const lockSetup = setup({
  types: {
    context: {} as LockContext,
    events: {} as LockEvent,
    input: {} as LockInput,
  },
  guards: {
    deadlinePassed: ({ context, event }) => deadlinePassed(context.lock, eventNow(event)),
    unlockDue: ({ context, event }) => context.unlockAt !== null && eventNow(event) >= context.unlockAt,
    longer: ({ context, event }) =>
      event.type === 'lock.extend' && context.lock.kind === 'cooldown' && context.lock.until !== null && event.until > context.lock.until,
    immediateUnlock: ({ event }) => event.type === 'admin.unlock' && event.delayMs <= 0,
    resetEndsIt: ({ context, event }) => event.type === 'tradingDay.reset' && context.lock.kind === 'until_reset' && context.lock.since < event.lastResetAt,
    sessionEndsIt: ({ context }) => context.lock.kind === 'until_session',
    canTradeEndsIt: ({ context, event }) => event.type === 'account.canTrade' && event.canTrade && context.lock.kind === 'until_can_trade',
    symbolUnblocked: ({ context, event }) =>
      event.type === 'symbols.blocked' && context.lock.kind === 'symbol' && !event.symbols.some((s) => s.toUpperCase() === (context.lock.symbol ?? '').toUpperCase()),
  },
  delays: {
    // Default without a clock: wake hourly. The runtime provides the deadline-based one (machines/account/clock.ts).
    lockWake: () => MAX_WAKE_MS,
  },
  actions: {
    /** Provided by the runtime: send self `clock.tick { now }`. Default: nothing (pure model). */
    wake: () => {},
    seenNow: assign({ now: ({ context, event }) => Math.max(context.now, eventNow(event)) }),
    extend: assign({
      lock: ({ context, event }) => (event.type === 'lock.extend' ? { ...context.lock, until: event.until, reason: event.reason } : context.lock),
    }),
    scheduleUnlock: assign({
      unlockAt: ({ event }) => (event.type === 'admin.unlock' ? event.now + event.delayMs : null),
      unlockBy: ({ event }) => (event.type === 'admin.unlock' ? event.by : null),
      unlockRequestedAt: ({ event }) => (event.type === 'admin.unlock' ? event.now : null),
    }),
    releasedBy: assign({
      releasedHow: (_, params: { how: string }) => params.how,
      releasedAt: ({ event }) => eventNow(event),
    }),
    releasedByAdmin: assign({
      releasedHow: ({ event }) => (event.type === 'admin.unlock' ? `admin unlock by ${event.by}` : 'admin unlock'),
      releasedAt: ({ event }) => eventNow(event),
    }),
    reportHeld: sendParent(({ context }): LockToParent => ({ type: 'lock.held', lockId: context.lock.id, lock: context.lock })),
    reportExtended: sendParent(({ context }): LockToParent => ({ type: 'lock.extended', lockId: context.lock.id, lock: context.lock })),
    reportPending: sendParent(({ context }): LockToParent => ({
      type: 'lock.releasePending',
      lockId: context.lock.id,
      by: context.unlockBy ?? '',
      requestedAt: context.unlockRequestedAt ?? context.now,
      unlockAt: context.unlockAt ?? context.now,
    })),
    reportReleased: sendParent(({ context }): LockToParent => ({
      type: 'lock.released',
      lockId: context.lock.id,
      lock: context.lock,
      how: context.releasedHow ?? '',
      at: context.releasedAt ?? context.now,
    })),
  },
});

/** On a time event: release if the deadline or a delayed unlock is due, else re-enter `state` (re-arming its timer). */
const timeCheck = (state: 'active' | 'releasePending') => [
  { guard: 'deadlinePassed', target: '#lock.released', actions: ['seenNow', { type: 'releasedBy', params: { how: 'deadline passed' } }] },
  ...(state === 'releasePending'
    ? ([{ guard: 'unlockDue', target: '#lock.released', actions: ['seenNow', { type: 'releasedBy', params: { how: 'admin unlock (after delay)' } }] }] as const)
    : []),
  { target: state, reenter: true, actions: 'seenNow' },
] as const;

export const lockMachine = lockSetup.createMachine({
  id: 'lock',
  context: ({ input }) => ({ lock: input.lock, unlockAt: null, unlockBy: null, unlockRequestedAt: null, now: input.now, releasedHow: null, releasedAt: null }),
  initial: 'held',
  states: {
    held: {
      initial: 'active',
      // Once, as the lock begins (a restore does not re-run it): the account counts it as held.
      entry: 'reportHeld',
      // The lock's own release condition, in either sub-state.
      on: {
        'tradingDay.reset': [
          { guard: 'resetEndsIt', target: 'released', actions: ['seenNow', { type: 'releasedBy', params: { how: 'trading-day reset' } }] },
          { actions: 'seenNow' },
        ],
        'session.opened': [
          { guard: 'sessionEndsIt', target: 'released', actions: ['seenNow', { type: 'releasedBy', params: { how: 'session window opened' } }] },
          { actions: 'seenNow' },
        ],
        'account.canTrade': [
          { guard: 'canTradeEndsIt', target: 'released', actions: ['seenNow', { type: 'releasedBy', params: { how: 'canTrade true' } }] },
          { actions: 'seenNow' },
        ],
        'symbols.blocked': [
          { guard: 'symbolUnblocked', target: 'released', actions: ['seenNow', { type: 'releasedBy', params: { how: 'symbol no longer blocked' } }] },
          { actions: 'seenNow' },
        ],
      },
      states: {
        active: {
          after: { lockWake: { target: 'active', reenter: true, actions: 'wake' } },
          on: {
            // A tick or a restore: re-check now, else re-arm the wake timer from the deadline (XState restores
            // no timers, and a wall-clock jump moves no setTimeout).
            'clock.tick': timeCheck('active'),
            'system.resumed': timeCheck('active'),
            // Re-entered so the wake timer is computed from the new deadline.
            'lock.extend': [{ guard: 'longer', target: 'active', reenter: true, actions: ['seenNow', 'extend', 'reportExtended'] }, { actions: 'seenNow' }],
            'admin.unlock': [
              { guard: 'immediateUnlock', target: '#lock.released', actions: ['seenNow', 'releasedByAdmin'] },
              { target: 'releasePending', actions: ['seenNow', 'scheduleUnlock', 'reportPending'] },
            ],
          },
        },
        releasePending: {
          after: { lockWake: { target: 'releasePending', reenter: true, actions: 'wake' } },
          on: {
            'clock.tick': timeCheck('releasePending'),
            'system.resumed': timeCheck('releasePending'),
            'lock.extend': [{ guard: 'longer', target: 'releasePending', reenter: true, actions: ['seenNow', 'extend', 'reportExtended'] }, { actions: 'seenNow' }],
            // A repeated delayed request never postpones the pending release; an immediate one releases.
            'admin.unlock': [{ guard: 'immediateUnlock', target: '#lock.released', actions: ['seenNow', 'releasedByAdmin'] }, { actions: 'seenNow' }],
          },
        },
      },
    },
    released: {
      type: 'final',
      entry: 'reportReleased',
    },
  },
});

export type LockMachine = typeof lockMachine;
