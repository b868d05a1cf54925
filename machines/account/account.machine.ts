// The account root statechart: one actor (= one actor system) per account, so a fault stays in its account.
// Parallel regions:
//   tradingDay  the current trading day (context.tradingDay); resets at the configured time, catching up missed ones
//   session     RULE-009 calendar phase: unknown | disabled | inside | outside (+ blackout flag in context)
//   lockout     unlocked | locked: locked while any account-wide lock child holds (driven by the children's
//               lock.held / lock.released events); the kill switch is behaviour of `locked` (killSwitch.ts guards)
//   symbolBlocks  clear | blocking: while a RULE-011 symbol lock holds, the kill switch for its symbol
//   wake        one timer that wakes the machine at the next reset or session boundary (capped), see clock.ts
// Spawned children: one `position` machine per open position (RULE-008 grace), id `pos:<contractId>`, and one
// `lock` machine per lock (machines/lock), id `lock:<lockId>`: each releases itself by its own condition and
// tells the account, which then drops it from `locks` (the account's register of held locks) and stops it.
// Every event carries `now`; all decisions are pure reducers (reducers.ts, locks.ts); the machine only routes,
// assigns and emits. Intents and lock changes leave through `emit` only, and every intent of riskd leaves here:
// merged per step (strongest wins) and never repeated while the same one is in flight (intents.ts).
import { enqueueActions, raise, setup, type ActorRefFrom, type AnyActorRef } from 'xstate';
import { MAX_WAKE_MS, positionMachine, type PositionEvent, type PositionInput } from '../position/position.machine.ts';
import { lockMachine, type LockInput } from '../lock/lock.machine.ts';
import type { LockEvent } from '../lock/types.ts';
import { chain, isAccountWide, releaseLocks, type Step } from './locks.ts';
import { accountLockAgainst, accountLockAgainstOrder, symbolLockAgainst, symbolLockAgainstOrder } from './killSwitch.ts';
import { admitIntents, forgetInFlight, intentOut, onSettled } from './intents.ts';
import {
  advanceTime,
  initialCore,
  onAdminUnlock,
  onCanTrade,
  onConfigUpdated,
  onPositionClosed,
  onResumed,
  onSeedLocks,
  onVerdicts,
  trackPosition,
} from './reducers.ts';
import type { AccountCore, AccountEmitted, AccountEvent, AccountInput, LockEntry, SessionPhase } from './types.ts';

/** Bump when the machine's states or context change shape; stored with every snapshot row. */
export const ACCOUNT_MACHINE_ID = 'account';
// 2: locks are lock children (machines/lock); v1 snapshots are migrated (src/runtime/actors/migrate.ts).
export const ACCOUNT_MACHINE_VERSION = 2;

export type PositionRef = ActorRefFrom<typeof positionMachine>;
export interface AccountContext extends AccountCore {
  positionActors: Record<string, PositionRef>;
}

export const positionChildId = (contractId: string): string => `pos:${contractId}`;
export const lockChildId = (lockId: string): string => `lock:${lockId}`;

const SESSION_STATES: SessionPhase[] = ['unknown', 'disabled', 'inside', 'outside'];

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
  assign(v: Partial<AccountContext>): unknown;
  emit(e: AccountEmitted): unknown;
  spawnChild(src: 'lock', options: { id: string; input: LockInput }): unknown;
  sendTo(ref: AnyActorRef, e: LockEvent | PositionEvent): unknown;
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
  for (const cmd of step.toLocks ?? []) {
    const ref = liveLock(self, cmd.lockId);
    if (ref) enqueue.sendTo(ref, cmd.event);
  }
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
    heldLockIsSymbol: ({ event }) => event.type === 'lock.held' && event.lock.kind === 'symbol',
    noOtherSymbolLock: ({ context, event }) =>
      event.type === 'lock.released' && !context.locks.some((l) => l.id !== event.lockId && l.kind === 'symbol'),
    /** A new position, a larger one or a reversal that a held account-wide lock forbids (killSwitch.ts). */
    exposureIsNew: ({ context, event }) => isExposureFact(event) && accountLockAgainst(context, event) !== undefined,
    /** A working order a held account-wide lock forbids (a reducing order may survive, killSwitch.ts). */
    orderIsForbidden: ({ context, event }) => event.type === 'order.working' && accountLockAgainstOrder(context, event) !== undefined,
    /** Added exposure in a blocked symbol (that no account-wide lock already closes). */
    exposureInBlockedSymbol: ({ context, event }) => isExposureFact(event) && symbolLockAgainst(context, event) !== undefined,
    /** A working order in a blocked symbol (that no account-wide lock already cancels). */
    orderInBlockedSymbol: ({ context, event }) => event.type === 'order.working' && symbolLockAgainstOrder(context, event) !== undefined,
    sessionIs: ({ context }, params: { phase: SessionPhase }) => context.session.phase === params.phase,
  },
  delays: {
    // Default without a clock: wake hourly. The runtime provides deadline-based delays (clock.ts).
    accountWake: () => MAX_WAKE_MS,
  },
  actions: {
    /** Provided by the runtime: send self `clock.tick { now }`. Default: nothing (pure model). */
    wake: () => {},
    rearm: raise({ type: 'wake.rearm' }),

    /** Time-only events: reset, calendar, deadlines; then pass the time on to every position child. */
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
      // Every lock re-checks its deadline and re-arms its timer from it: after a restore (XState restores no
      // timers) and on each tick (a wall-clock jump moves no setTimeout). Those the step already told are skipped.
      const told = new Set((step.toLocks ?? []).map((c) => c.lockId));
      for (const lock of context.locks) {
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

    onEnforcementSettled: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'enforcement.settled') return;
      enqueue.assign({ inFlight: onSettled(coreOf(context), event.intents).inFlight ?? [] });
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

export const accountMachine = accountSetup.createMachine({
  id: ACCOUNT_MACHINE_ID,
  type: 'parallel',
  context: ({ input }) => ({ ...initialCore(input), positionActors: {} }),
  on: {
    'clock.tick': { actions: ['onTime', 'rearm'] },
    'system.resumed': { actions: ['onTime', 'rearm'] },
    'rule.verdicts': { actions: ['onVerdicts', 'rearm'] },
    'position.opened': { actions: ['onPosition', 'rearm'] },
    'position.changed': { actions: ['onPosition', 'rearm'] },
    'position.closed': { actions: ['onPosition', 'rearm'] },
    'position.protection': { actions: ['onProtection', 'rearm'] },
    'order.working': { actions: ['onOrderWorking', 'rearm'] },
    'account.canTrade': { actions: ['onCanTrade', 'rearm'] },
    'admin.unlock': { actions: ['onAdminUnlock', 'rearm'] },
    'config.updated': { actions: ['onConfigUpdated', 'rearm'] },
    'locks.seed': { actions: ['onSeedLocks', 'rearm'] },
    'position.violated': { actions: 'onPositionViolated' },
    'enforcement.settled': { actions: 'onEnforcementSettled' },
    'position.finished': { actions: 'onPositionFinished' },
  },
  states: {
    tradingDay: {
      initial: 'tracking',
      states: { tracking: {} },
    },
    session: {
      initial: 'unknown',
      states: Object.fromEntries(
        SESSION_STATES.map((phase) => [
          phase,
          {
            // 'unknown' is only the initial phase (before the first evaluation); nothing goes back to it.
            always: SESSION_STATES.filter((p) => p !== phase && p !== 'unknown').map((p) => ({
              guard: { type: 'sessionIs' as const, params: { phase: p } },
              target: p,
            })),
          },
        ]),
      ) as Record<SessionPhase, object>,
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
        unlocked: { on: { 'lock.held': { guard: 'heldLockIsAccountWide', target: 'locked' } } },
        locked: {
          on: {
            'lock.released': { guard: 'noOtherAccountWideLock', target: 'unlocked', actions: 'onLockReleased' },
            'position.opened': { target: 'locked', guard: 'exposureIsNew', actions: ['closeNewExposure', 'rearm'] },
            'position.changed': { target: 'locked', guard: 'exposureIsNew', actions: ['closeNewExposure', 'rearm'] },
            'order.working': { target: 'locked', guard: 'orderIsForbidden', actions: ['cancelNewOrder', 'rearm'] },
          },
        },
      },
    },
    // RULE-011 symbol locks: not account-wide, so not `lockout`; while one holds, new exposure and working orders
    // in its symbol are closed and cancelled (what an account-wide lock already takes stays lockout's).
    symbolBlocks: {
      initial: 'clear',
      states: {
        clear: { on: { 'lock.held': { guard: 'heldLockIsSymbol', target: 'blocking' } } },
        blocking: {
          on: {
            'lock.released': { guard: 'noOtherSymbolLock', target: 'clear' },
            'position.opened': { target: 'blocking', guard: 'exposureInBlockedSymbol', actions: ['closeBlockedExposure', 'rearm'] },
            'position.changed': { target: 'blocking', guard: 'exposureInBlockedSymbol', actions: ['closeBlockedExposure', 'rearm'] },
            'order.working': { target: 'blocking', guard: 'orderInBlockedSymbol', actions: ['cancelBlockedOrder', 'rearm'] },
          },
        },
      },
    },
    wake: {
      initial: 'armed',
      states: {
        armed: {
          after: { accountWake: { target: 'armed', reenter: true, actions: 'wake' } },
          on: { 'wake.rearm': { target: 'armed', reenter: true } },
        },
      },
    },
  },
});

export type AccountMachine = typeof accountMachine;
