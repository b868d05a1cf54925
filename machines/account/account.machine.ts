// The account root statechart: one actor (= one actor system) per account, so a fault stays in its account.
// Parallel regions:
//   tradingDay  current: the trading day in context.tradingDay; its reset transition (at nextResetAt, once
//               however many were missed) releases until_reset locks and starts the next day
//   session     RULE-009's calendar: unknown -> disabled | inside | outside | blackout | closed (holiday), moved by
//               the boundary transition at context.session.nextBoundary (src/calendar), which also sets the
//               session lock on going outside, flattens at a window's end and turns a blackout into a cooldown
//   lockout     unlocked | locked: locked while any account-wide lock child holds (driven by the children's
//               lock.held / lock.released events); the kill switch is behaviour of `locked` (killSwitch.ts guards)
//   symbolBlocks  clear | blocking: while a RULE-011 symbol lock holds, the kill switch for its symbol
// Timers only wake the machine (`after` with delays from the absolute deadlines in context, capped; the provided
// `wake` sends clock.tick { now }); every event with a later `now` first runs what is due (`catchUpFirst`).
// Spawned children: one `position` machine per open position (RULE-008 grace), id `pos:<contractId>`, and one
// `lock` machine per lock (machines/lock), id `lock:<lockId>`: each releases itself by its own condition and
// tells the account, which then drops it from `locks` (the account's register of held locks) and stops it.
// What riskd's own enforcement left behind is answered here too (ownOrders.ts): an order it could not cancel on an
// account that refuses cancels (enforcement.fillWatched) is closed when it fills (order.filled), and the stop it
// placed (enforcement.stopPlaced) is cancelled when its position closes; the executor only reports these facts.
// Every event carries `now`; all decisions are pure reducers (reducers.ts, locks.ts); the machine only routes,
// assigns and emits. Intents and lock changes leave through `emit` only, and every intent of riskd leaves here:
// merged per step (strongest wins) and never repeated while the same one is in flight (intents.ts).
import { enqueueActions, raise, setup, type ActorRefFrom, type AnyActorRef } from 'xstate';
import { MAX_WAKE_MS, positionMachine, type PositionEvent, type PositionInput } from '../position/position.machine.ts';
import { lockMachine, type LockInput } from '../lock/lock.machine.ts';
import { chain, heldLocks, isAccountWide, releaseLocks, type Step } from './locks.ts';
import { accountLockAgainst, accountLockAgainstOrder, symbolLockAgainst, symbolLockAgainstOrder } from './killSwitch.ts';
import { admitIntents, forgetInFlight, intentOut, onSettled } from './intents.ts';
import { onFillWatched, onOrderEnded, onOrderFilled, onStopPlaced } from './ownOrders.ts';
import {
  advanceTime,
  crossSessionBoundary,
  initialCore,
  onAdminUnlock,
  onCanTrade,
  onConfigUpdated,
  onPositionClosed,
  onResumed,
  onSeedLocks,
  onVerdicts,
  resetDue,
  sessionDue,
  sessionStateOf,
  startNewDay,
  trackPosition,
  type SessionRegionState,
} from './reducers.ts';
import type { AccountCore, AccountEmitted, AccountEvent, AccountInput, LockEntry } from './types.ts';

/** Bump when the machine's states or context change shape; stored with every snapshot row. */
export const ACCOUNT_MACHINE_ID = 'account';
// 2: locks are lock children (machines/lock); v1 snapshots are migrated (src/runtime/actors/migrate.ts).
// 3: tradingDay and session are timed states (no wake region); v2 snapshots are migrated.
// 4: close-on-fill watches and riskd's own stops are context (fillWatches, ownStops); v3 snapshots are migrated.
export const ACCOUNT_MACHINE_VERSION = 4;

export type PositionRef = ActorRefFrom<typeof positionMachine>;
export interface AccountContext extends AccountCore {
  positionActors: Record<string, PositionRef>;
}

export const positionChildId = (contractId: string): string => `pos:${contractId}`;
export const lockChildId = (lockId: string): string => `lock:${lockId}`;

/**
 * The live child for a contract, or undefined. Checks the actor's real children, not only the ref in context:
 * a sendTo to a missing child would put the whole account into error (e.g. a child dropped on restore).
 */
function liveChild(self: AnyActorRef, context: AccountContext, contractId: string): PositionRef | undefined {
  const ref = context.positionActors[contractId];
  const children = (self.getSnapshot() as { children: Record<string, unknown> }).children;
  return ref && children[positionChildId(contractId)] === ref ? ref : undefined;
}

/**
 * The running lock child for a lock id, or undefined: a sendTo to a missing child would fault the account, and one
 * already released (its report not yet handled) has nothing left to hear.
 */
function liveLock(self: AnyActorRef, lockId: string): AnyActorRef | undefined {
  const ref = lockChild(self, lockId);
  return ref?.getSnapshot().status === 'active' ? ref : undefined;
}

/** The lock child for a lock id in any status (a pure transition, e.g. graph traversal, has no children). */
function lockChild(self: AnyActorRef, lockId: string): AnyActorRef | undefined {
  return (self.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> } | undefined)?.children?.[lockChildId(lockId)];
}

/** Split the reducer's output: core fields go to context, facts to emit (deduplicated intents already). */
function coreOf(c: AccountContext): AccountCore {
  const { positionActors: _refs, ...core } = c;
  return core;
}

const none = (core: AccountCore): Step => ({ core, out: [] });

/** What `apply` needs of enqueueActions' `enqueue`. */
interface Enqueue {
  (action: () => void): unknown;
  assign(v: Partial<AccountContext>): unknown;
  emit(e: AccountEmitted): unknown;
  spawnChild(src: 'lock', options: { id: string; input: LockInput }): unknown;
  sendTo(ref: AnyActorRef, e: PositionEvent): unknown;
}

/**
 * Write a reducer's result: core fields to context, a lock machine for every lock it added, then its facts in
 * order (intents merged and admitted), then the facts for lock children.
 */
function apply(enqueue: Enqueue, context: AccountContext, self: AnyActorRef, step: Step): void {
  const admitted = admitIntents(step.core, step.out);
  enqueue.assign({ ...admitted.core });
  const known = new Set(context.locks.map((l) => l.id));
  for (const lock of admitted.core.locks) {
    if (!known.has(lock.id) && !liveLock(self, lock.id)) enqueue.spawnChild('lock', { id: lockChildId(lock.id), input: { lock, now: admitted.core.now } });
  }
  for (const o of admitted.out) enqueue.emit(o);
  // One step can tell a lock several things (a reset and a due unlock; the session opening seen twice), and the
  // first may release it. A sendTo checks the child when the step is resolved but delivers after it, so a child
  // released by an earlier command would still be sent the next one (XState's "sent to stopped actor" warning).
  // Each command is therefore delivered in order and checked as it is delivered.
  for (const cmd of step.toLocks ?? []) enqueue(() => liveLock(self, cmd.lockId)?.send(cmd.event));
}

/**
 * The event's time has passed the next reset or session boundary: the root runs those first and raises the event
 * again (catchUpFirst), so no region may act on it before (the kill switch judges the re-raised one).
 */
function timeDue(context: AccountCore, event: AccountEvent): boolean {
  return 'now' in event && (resetDue(context, event.now) || sessionDue(context, event.now));
}

type PositionFactEvent = Extract<AccountEvent, { type: 'position.opened' | 'position.changed' | 'position.closed' }>;
const isPositionFact = (e: AccountEvent): e is PositionFactEvent =>
  e.type === 'position.opened' || e.type === 'position.changed' || e.type === 'position.closed';
const isExposureFact = (e: AccountEvent): e is Extract<AccountEvent, { type: 'position.opened' | 'position.changed' }> =>
  e.type === 'position.opened' || e.type === 'position.changed';

/**
 * One position fact, in one step (so its intents merge with what the event's time step decided): the time it
 * carries, the register of positions, and, when `kill` names the lock that forbids it, the close intent. The
 * position's grace child hears of the change. Returns the input of the grace child (RULE-008) a new position
 * gets, unless the kill switch closes it.
 */
function positionFact(enqueue: Enqueue, context: AccountContext, self: AnyActorRef, event: PositionFactEvent, kill: LockEntry | undefined): PositionInput | undefined {
  const timed = advanceTime(coreOf(context), event.now);
  const known = timed.core.positions[event.contractId] !== undefined;
  let step = chain(timed, (c) => (event.type === 'position.closed' ? onPositionClosed(c, event.contractId) : none(trackPosition(c, event))));
  if (kill) {
    const why = `${known ? 'position increased' : 'new position'} while locked: ${kill.reason}`;
    step = { ...step, out: [...step.out, intentOut({ type: 'close', accountId: context.accountId, contractId: event.contractId }, kill.rule, why)] };
  }
  apply(enqueue, context, self, step);
  const ref = liveChild(self, context, event.contractId);
  if (ref) {
    // Guarded sendTo: a missing child would put the whole account into error.
    if (event.type === 'position.closed') enqueue.sendTo(ref, { type: 'position.closed', contractId: event.contractId, now: event.now });
    else enqueue.sendTo(ref, { type: 'position.changed', contractId: event.contractId, size: event.size, side: event.side, now: event.now });
    return undefined;
  }
  const grace = context.config.rules.no_stop_loss_grace;
  if (event.type === 'position.closed' || known || kill || !grace.enabled || event.size <= 0) return undefined;
  return { contractId: event.contractId, symbol: event.symbol, size: event.size, side: event.side, openedAt: event.now, graceMs: grace.grace };
}

/** One working order in one step: the time it carries and, when `kill` names the lock that forbids it, the cancel. */
function orderFact(enqueue: Enqueue, context: AccountContext, self: AnyActorRef, event: Extract<AccountEvent, { type: 'order.working' }>, kill: LockEntry | undefined): void {
  const step = advanceTime(coreOf(context), event.now);
  const out = kill ? [intentOut({ type: 'cancel', accountId: context.accountId, orderId: event.orderId }, kill.rule, `new order while locked: ${kill.reason}`)] : [];
  apply(enqueue, context, self, { ...step, out: [...step.out, ...out] });
}

export const accountSetup = setup({
  types: {
    context: {} as AccountContext,
    events: {} as AccountEvent,
    emitted: {} as AccountEmitted,
    input: {} as AccountInput,
  },
  actors: { position: positionMachine, lock: lockMachine },
  guards: {
    heldLockIsAccountWide: ({ event }) => event.type === 'lock.held' && isAccountWide(event.lock),
    noOtherAccountWideLock: ({ context, event }) =>
      event.type === 'lock.released' && !context.locks.some((l) => l.id !== event.lockId && isAccountWide(l)),
    /** The event's time has passed the next reset or session boundary: run those first. */
    timeIsDue: ({ context, event }) => timeDue(context, event),
    resetDue: ({ context, event }) => event.type === 'tradingDay.reset' && resetDue(context, event.now),
    calendarSays: ({ context, event }, params: { state: SessionRegionState }) =>
      event.type === 'session.boundary' && sessionStateOf(context, event.now) === params.state,
    /** The window ends into an ordinary outside period and flatten_at_end is on. */
    windowEndFlattens: ({ context, event }) =>
      event.type === 'session.boundary' && context.config.rules.session_block_outside.flatten_at_end && sessionStateOf(context, event.now) === 'outside',
    heldLockIsSymbol: ({ event }) => event.type === 'lock.held' && event.lock.kind === 'symbol',
    noOtherSymbolLock: ({ context, event }) =>
      event.type === 'lock.released' && !context.locks.some((l) => l.id !== event.lockId && l.kind === 'symbol'),
    /** A new position, a larger one or a reversal that a held account-wide lock forbids (killSwitch.ts). */
    exposureIsNew: ({ context, event }) => isExposureFact(event) && !timeDue(context, event) && accountLockAgainst(context, event) !== undefined,
    /** A working order a held account-wide lock forbids (a reducing order may survive, killSwitch.ts). */
    orderIsForbidden: ({ context, event }) => event.type === 'order.working' && !timeDue(context, event) && accountLockAgainstOrder(context, event) !== undefined,
    /** Added exposure in a blocked symbol (that no account-wide lock already closes). */
    exposureInBlockedSymbol: ({ context, event }) => isExposureFact(event) && !timeDue(context, event) && symbolLockAgainst(context, event) !== undefined,
    /** A working order in a blocked symbol (that no account-wide lock already cancels). */
    orderInBlockedSymbol: ({ context, event }) => event.type === 'order.working' && !timeDue(context, event) && symbolLockAgainstOrder(context, event) !== undefined,
  },
  delays: {
    // Default without a clock: wake hourly. The runtime provides deadline-based delays (clock.ts).
    untilReset: () => MAX_WAKE_MS,
    untilSessionBoundary: () => MAX_WAKE_MS,
  },
  actions: {
    /** Provided by the runtime: send self `clock.tick { now }`. Default: nothing (pure model). */
    wake: () => {},
    rearm: raise({ type: 'wake.rearm' }),
    /** config.updated: the calendar (rule on or off, windows) may answer differently now. */
    recheckSession: raise(({ event }) => ({ type: 'session.boundary' as const, now: 'now' in event ? event.now : 0 })),

    /**
     * An event whose time passed the next reset or session boundary waits for them: the reset, then the
     * boundary (after the lock deadlines), then the event itself again, all within this one step.
     */
    catchUpFirst: enqueueActions(({ context, event, enqueue }) => {
      if (!('now' in event)) return;
      if (resetDue(context, event.now)) enqueue.raise({ type: 'tradingDay.reset', now: event.now });
      if (sessionDue(context, event.now)) enqueue.raise({ type: 'session.boundary', now: event.now });
      enqueue.raise(event as AccountEvent);
    }),

    /** The reset transition: until_reset locks hear of it (and end), the new trading day starts. */
    startNewDay: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'tradingDay.reset') return;
      apply(enqueue, context, self, startNewDay(coreOf(context), event.now));
    }),

    /** The boundary transition: due lock deadlines first, then the calendar's answer (session.ts). */
    crossSessionBoundary: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'session.boundary') return;
      apply(enqueue, context, self, chain(advanceTime(coreOf(context), event.now), (c) => crossSessionBoundary(c, event.now)));
    }),

    /** Time-only events: deadlines; then pass the time on to every position and lock child. */
    onTime: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'clock.tick' && event.type !== 'system.resumed') return;
      // After a restart (or a rebuild) nothing riskd decided is in flight any more: every decision may be made
      // again, and a hard lock re-asserts its flatten over positions still open (the crash may have cut it short).
      const step = event.type === 'system.resumed'
        ? chain(advanceTime(forgetInFlight(coreOf(context), () => true), event.now), onResumed)
        : advanceTime(coreOf(context), event.now);
      apply(enqueue, context, self, step);
      for (const contractId of Object.keys(context.positionActors)) {
        const ref = liveChild(self, context, contractId);
        if (ref) enqueue.sendTo(ref, event satisfies PositionEvent);
      }
      // Every lock still held re-checks its deadline and re-arms its timer from it: after a restore (XState
      // restores no timers) and on each tick (a wall-clock jump moves no setTimeout). Those whose end was already
      // told (a due deadline, the reset that ran before this event) and those this step told are skipped.
      const told = new Set((step.toLocks ?? []).map((c) => c.lockId));
      for (const lock of heldLocks(step.core)) {
        const ref = told.has(lock.id) ? undefined : liveLock(self, lock.id);
        if (ref) enqueue.sendTo(ref, event);
      }
    }),

    onVerdicts: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'rule.verdicts') return;
      apply(enqueue, context, self, chain(advanceTime(coreOf(context), event.now), (c) => onVerdicts(c, event.verdicts, event.now)));
    }),

    /** Track a position fact (no lock forbids it, or none is held): the register and its RULE-008 grace child. */
    onPosition: enqueueActions(({ context, event, enqueue, self }) => {
      if (!isPositionFact(event)) return;
      const grace = positionFact(enqueue, context, self, event, undefined);
      if (!grace) return;
      enqueue.assign({
        positionActors: ({ context: c, spawn }) => ({ ...c.positionActors, [grace.contractId]: spawn('position', { id: positionChildId(grace.contractId), input: grace }) }),
      });
    }),

    /** Kill switch of `lockout.locked`: new exposure while an account-wide lock holds is tracked and closed. */
    closeNewExposure: enqueueActions(({ context, event, enqueue, self }) => {
      if (!isPositionFact(event)) return;
      positionFact(enqueue, context, self, event, accountLockAgainst(coreOf(context), event));
    }),

    /** Kill switch of `symbolBlocks.blocking`: new exposure in a blocked symbol is tracked and closed. */
    closeBlockedExposure: enqueueActions(({ context, event, enqueue, self }) => {
      if (!isPositionFact(event)) return;
      positionFact(enqueue, context, self, event, symbolLockAgainst(coreOf(context), event));
    }),

    onProtection: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'position.protection') return;
      apply(enqueue, context, self, advanceTime(coreOf(context), event.now));
      const ref = liveChild(self, context, event.contractId);
      if (ref) enqueue.sendTo(ref, event);
    }),

    /** A working order no lock forbids: only the time it carries. */
    onOrderWorking: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'order.working') return;
      apply(enqueue, context, self, advanceTime(coreOf(context), event.now));
    }),

    /** Kill switch of `lockout.locked`: a working order an account-wide lock forbids is cancelled. */
    cancelNewOrder: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'order.working') return;
      orderFact(enqueue, context, self, event, accountLockAgainstOrder(coreOf(context), event));
    }),

    /** Kill switch of `symbolBlocks.blocking`: a working order in a blocked symbol is cancelled. */
    cancelBlockedOrder: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'order.working') return;
      orderFact(enqueue, context, self, event, symbolLockAgainstOrder(coreOf(context), event));
    }),

    onCanTrade: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'account.canTrade') return;
      apply(enqueue, context, self, chain(advanceTime(coreOf(context), event.now), (c) => onCanTrade(c, event.canTrade, event.now)));
    }),

    onAdminUnlock: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'admin.unlock') return;
      apply(enqueue, context, self, chain(advanceTime(coreOf(context), event.now), (c) => onAdminUnlock(c, event)));
    }),

    onConfigUpdated: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'config.updated') return;
      apply(enqueue, context, self, chain(advanceTime(coreOf(context), event.now), (c) => onConfigUpdated(c, event.config, event.now)));
    }),

    onSeedLocks: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'locks.seed') return;
      apply(enqueue, context, self, chain(advanceTime(coreOf(context), event.now), (c) => onSeedLocks(c, event.locks, event.now)));
    }),

    onPositionViolated: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'position.violated') return;
      if (!context.positions[event.contractId]) return; // closed meanwhile
      const grace = Math.round(context.config.rules.no_stop_loss_grace.grace / 1000);
      const p = context.positions[event.contractId]!;
      const close = { type: 'close', accountId: context.accountId, contractId: event.contractId } as const;
      const why = `${p.symbol} ${p.side} ${p.size} had no protective stop within the ${grace}s grace period: position closed`;
      apply(enqueue, context, self, { core: coreOf(context), out: [intentOut(close, 'RULE-008', why, { limit: grace * 1000, symbol: p.symbol, contractId: p.contractId, size: p.size })] });
    }),

    /** The executor could not cancel an order on an account that refuses cancels: its fill will be closed. */
    watchFill: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'enforcement.fillWatched') return;
      apply(enqueue, context, self, none(onFillWatched(advanceTime(coreOf(context), event.now).core, event)));
    }),

    /** An order filled: if riskd watches it, the position it opened is closed. */
    closeWatchedFill: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'order.filled') return;
      apply(enqueue, context, self, chain(advanceTime(coreOf(context), event.now), (c) => onOrderFilled(c, event.orderId, event.contractId)));
    }),

    /** An order reached a final status: its watch, or the memory of it as riskd's stop, ends. */
    onOrderEnded: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'order.ended') return;
      apply(enqueue, context, self, none(onOrderEnded(advanceTime(coreOf(context), event.now).core, event.orderId, event.contractId)));
    }),

    /** A stop riskd placed is working: remembered (cancelled at once if its position is already flat). */
    rememberOwnStop: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'enforcement.stopPlaced') return;
      apply(enqueue, context, self, chain(advanceTime(coreOf(context), event.now), (c) => onStopPlaced(c, event.contractId, event.orderId)));
    }),

    onEnforcementSettled: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'enforcement.settled') return;
      enqueue.assign({ inFlight: onSettled(coreOf(context), event.intents).inFlight ?? [], recheck: false });
      if (context.recheck) enqueue.emit({ type: 'rules.recheck', accountId: context.accountId });
    }),

    /** A cooldown's machine took a later deadline: the register follows and the store hears of it. */
    onLockExtended: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'lock.extended' || !context.locks.some((l) => l.id === event.lockId)) return;
      enqueue.assign({ locks: context.locks.map((l) => (l.id === event.lockId ? event.lock : l)) });
      enqueue.emit({ type: 'lock.set', accountId: context.accountId, lock: event.lock, extended: true });
    }),

    onLockReleasePending: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'lock.releasePending') return;
      const pending = { lockId: event.lockId, by: event.by, requestedAt: event.requestedAt, effectiveAt: event.unlockAt };
      enqueue.assign({ pendingUnlocks: [...context.pendingUnlocks.filter((p) => p.lockId !== event.lockId), pending] });
    }),

    /** A lock machine released its lock: out of the register (audited), its finished child stopped. */
    onLockReleased: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'lock.released') return;
      const step = releaseLocks(coreOf(context), (l) => l.id === event.lockId, event.how, event.at);
      enqueue.assign({ locks: step.core.locks, pendingUnlocks: step.core.pendingUnlocks });
      for (const o of step.out) enqueue.emit(o);
      if (lockChild(self, event.lockId)) enqueue.stopChild(lockChildId(event.lockId));
    }),

    /** A finished position child is stopped and forgotten (finished children would otherwise stay in snapshots). */
    onPositionFinished: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'position.finished') return;
      const ref = context.positionActors[event.contractId];
      if (!ref) return;
      enqueue.stopChild(ref);
      const { [event.contractId]: _gone, ...rest } = context.positionActors;
      enqueue.assign({ positionActors: rest });
    }),
  },
});

/** A root handler whose own work waits until what its time made due (reset, boundary) has run. */
function afterCatchUp<const A extends string[]>(...actions: A) {
  return [{ guard: 'timeIsDue' as const, actions: 'catchUpFirst' as const }, { actions }];
}

/** A session state timed to the next boundary: a capped wake re-enters (re-arming) until it is due. */
function untilBoundary<const On extends object>(state: SessionRegionState, on?: On) {
  return {
    after: { untilSessionBoundary: { target: state, reenter: true, actions: 'wake' as const } },
    on: { 'wake.rearm': { target: state, reenter: true }, ...on },
  };
}

/** The account-wide kill switch: new exposure is closed, a forbidden working order cancelled; the account is locked. */
const KILL_SWITCH = {
  'position.opened': { target: 'locked', guard: 'exposureIsNew', actions: 'closeNewExposure' },
  'position.changed': { target: 'locked', guard: 'exposureIsNew', actions: 'closeNewExposure' },
  'order.working': { target: 'locked', guard: 'orderIsForbidden', actions: 'cancelNewOrder' },
} as const;

export const accountMachine = accountSetup.createMachine({
  id: ACCOUNT_MACHINE_ID,
  type: 'parallel',
  context: ({ input }) => ({ ...initialCore(input), positionActors: {} }),
  on: {
    // A tick re-arms the timers too: a wall-clock jump moves no setTimeout.
    'clock.tick': afterCatchUp('onTime', 'rearm'),
    'system.resumed': afterCatchUp('onTime', 'rearm'),
    'rule.verdicts': afterCatchUp('onVerdicts'),
    'position.opened': afterCatchUp('onPosition'),
    'position.changed': afterCatchUp('onPosition'),
    'position.closed': afterCatchUp('onPosition'),
    'position.protection': afterCatchUp('onProtection'),
    'order.working': afterCatchUp('onOrderWorking'),
    'order.filled': afterCatchUp('closeWatchedFill'),
    'order.ended': afterCatchUp('onOrderEnded'),
    'account.canTrade': afterCatchUp('onCanTrade'),
    'admin.unlock': afterCatchUp('onAdminUnlock'),
    'config.updated': afterCatchUp('onConfigUpdated', 'recheckSession', 'rearm'),
    'locks.seed': afterCatchUp('onSeedLocks'),
    'position.violated': { actions: 'onPositionViolated' },
    'enforcement.settled': { actions: 'onEnforcementSettled' },
    'enforcement.fillWatched': afterCatchUp('watchFill'),
    'enforcement.stopPlaced': afterCatchUp('rememberOwnStop'),
    'position.finished': { actions: 'onPositionFinished' },
  },
  states: {
    tradingDay: {
      initial: 'current',
      states: {
        // The trading day in context.tradingDay (id, lastResetAt); it ends at nextResetAt.
        current: {
          after: { untilReset: { target: 'current', reenter: true, actions: 'wake' } },
          on: {
            'tradingDay.reset': { guard: 'resetDue', target: 'current', reenter: true, actions: 'startNewDay' },
            'wake.rearm': { target: 'current', reenter: true },
          },
        },
      },
    },
    session: {
      // 'unknown' until the first event reads the calendar (its boundary is due at once); then the boundary
      // transition goes wherever the calendar says, at each next boundary.
      initial: 'unknown',
      on: {
        'session.boundary': [
          { guard: { type: 'calendarSays', params: { state: 'disabled' } }, target: '.disabled', actions: 'crossSessionBoundary' },
          { guard: { type: 'calendarSays', params: { state: 'blackout' } }, target: '.blackout', actions: 'crossSessionBoundary' },
          { guard: { type: 'calendarSays', params: { state: 'inside' } }, target: '.inside', actions: 'crossSessionBoundary' },
          { guard: { type: 'calendarSays', params: { state: 'closed' } }, target: '.closed', actions: 'crossSessionBoundary' },
          { guard: { type: 'calendarSays', params: { state: 'outside' } }, target: '.outside', actions: 'crossSessionBoundary' },
        ],
      },
      states: {
        unknown: {},
        // RULE-009 is off: only a config change reads the calendar again.
        disabled: {},
        inside: untilBoundary('inside', {
          // The window's end: the session lock begins and, with flatten_at_end, flattens the account.
          'session.boundary': { guard: 'windowEndFlattens', target: 'outside', actions: 'crossSessionBoundary' },
        }),
        outside: untilBoundary('outside'),
        blackout: untilBoundary('blackout'),
        closed: untilBoundary('closed'),
      },
    },
    // Account-wide locks, as the lock children report them, and the kill switch while one holds. In a parallel
    // machine an event a region handles never reaches the root's `on`: the lock reports' bookkeeping is the
    // region's own `on`, and a kill-switch transition does the position/order bookkeeping of the root's handler
    // (plus the intent) in the same step. So no other region may handle position.* or order.working.
    // (The kill-switch transitions name their own state as target, which neither exits nor re-enters it, so that
    // `riskd diagram` and the inspector draw them.)
    lockout: {
      initial: 'unlocked',
      on: {
        'lock.extended': { actions: 'onLockExtended' },
        'lock.releasePending': { actions: 'onLockReleasePending' },
        'lock.released': { actions: 'onLockReleased' },
      },
      states: {
        unlocked: {
          on: {
            'lock.held': { guard: 'heldLockIsAccountWide', target: 'locked' },
            // A lock set earlier in this same step (a session boundary or reset the event's own time crossed) is in
            // the register before its child reports held: the kill switch already applies, and the account is locked.
            ...KILL_SWITCH,
          },
        },
        locked: {
          on: {
            'lock.released': { guard: 'noOtherAccountWideLock', target: 'unlocked', actions: 'onLockReleased' },
            ...KILL_SWITCH,
          },
        },
      },
    },
    // RULE-011 symbol locks: not account-wide, so not `lockout`; while one holds, new exposure and working orders
    // in its symbol are closed and cancelled (what an account-wide lock already takes stays lockout's).
    symbolBlocks: {
      initial: 'clear',
      states: {
        // (A symbol lock is only set by a verdict, never by a time step: its child reports held before the next fact.)
        clear: { on: { 'lock.held': { guard: 'heldLockIsSymbol', target: 'blocking' } } },
        blocking: {
          on: {
            'lock.released': { guard: 'noOtherSymbolLock', target: 'clear' },
            'position.opened': { target: 'blocking', guard: 'exposureInBlockedSymbol', actions: 'closeBlockedExposure' },
            'position.changed': { target: 'blocking', guard: 'exposureInBlockedSymbol', actions: 'closeBlockedExposure' },
            'order.working': { target: 'blocking', guard: 'orderInBlockedSymbol', actions: 'cancelBlockedOrder' },
          },
        },
      },
    },
  },
});

export type AccountMachine = typeof accountMachine;
