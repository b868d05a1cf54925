// Model-based test of the lock machine (one per lock kind): every shortest path to every (state, transition) is
// replayed twice against live actors under fake timers: once straight, once with a persist -> restore (a new
// actor from the persisted snapshot, as after a kill -9, then `system.resumed`) after every step. Both runs
// must reach the model's state with the same deadline, pending unlock and release words, and the restored run
// must have its wake timer armed again. Afterwards every state and transition must have been exercised.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor, setup, type AnyActorRef } from 'xstate';
import { TestModel } from 'xstate/graph';
import { lockMachine, type LockEvent, type LockInput, type LockToParent } from '../../../machines/lock/lock.machine.ts';
import { lockWithClock, type LockEntry } from '../../../machines/account/index.ts';
import { afterEvents, allStates, allTransitions, CoverageRecorder, transitionSerializer } from '../position/mbt.ts';

const T = Date.UTC(2026, 5, 10, 15, 0);

function entry(kind: LockEntry['kind']): LockEntry {
  return {
    id: `7:RULE-X:${kind}:${T}`,
    kind,
    rule: 'RULE-007',
    reason: kind,
    symbol: kind === 'symbol' ? 'ES' : null,
    since: T,
    until: kind === 'cooldown' || kind === 'until_session' ? T + 60_000 : kind === 'until_reset' ? T + 3_600_000 : null,
    releaseCondition: '',
    flattenOnSet: false,
  };
}

const payloadEvents: LockEvent[] = [
  { type: 'clock.tick', now: T + 10_000 },
  { type: 'clock.tick', now: T + 200_000 },
  { type: 'system.resumed', now: T + 10_000 },
  { type: 'system.resumed', now: T + 200_000 },
  { type: 'lock.extend', until: T + 120_000, reason: 'longer', now: T + 1_000 },
  { type: 'lock.extend', until: T + 30_000, reason: 'shorter', now: T + 1_000 },
  { type: 'admin.unlock', by: 'mbt', delayMs: 0, now: T + 2_000 },
  { type: 'admin.unlock', by: 'mbt', delayMs: 90_000, now: T + 2_000 },
  { type: 'tradingDay.reset', lastResetAt: T + 5_000, now: T + 5_000 },
  { type: 'session.opened', now: T + 5_000 },
  { type: 'account.canTrade', canTrade: false, now: T + 3_000 },
  { type: 'account.canTrade', canTrade: true, now: T + 3_000 },
  { type: 'symbols.blocked', symbols: ['es'], now: T + 3_000 },
  { type: 'symbols.blocked', symbols: [], now: T + 3_000 },
];

/** The lock machine under a parent that records what the child sends it (the account's role). */
const harnessFor = (logic: typeof lockMachine, input: LockInput) =>
  setup({
    types: { context: {} as { received: LockToParent[] }, events: {} as LockToParent },
    actors: { lock: logic },
  }).createMachine({
    context: { received: [] },
    invoke: { id: 'l', src: 'lock', input },
    on: {
      'lock.held': { actions: assign({ received: ({ context, event }) => [...context.received, event] }) },
      'lock.extended': { actions: assign({ received: ({ context, event }) => [...context.received, event] }) },
      'lock.releasePending': { actions: assign({ received: ({ context, event }) => [...context.received, event] }) },
      'lock.released': { actions: assign({ received: ({ context, event }) => [...context.received, event] }) },
    },
  });

// Traversal resolves actions without a parent, so the model's sendParent actions are no-ops; replay uses the real ones.
const modelMachine = lockMachine.provide({ actions: { reportHeld: () => {}, reportExtended: () => {}, reportPending: () => {}, reportReleased: () => {} } });
const coverage = new CoverageRecorder((ev) => (ev.actorRef as AnyActorRef).id === 'l');

/** What must survive a restore: state, deadline, pending unlock, release words. */
const durable = (s: { value: unknown; context: { lock: LockEntry; unlockAt: number | null; releasedHow: string | null } }) => ({
  value: s.value,
  until: s.context.lock.until,
  reason: s.context.lock.reason,
  unlockAt: s.context.unlockAt,
  releasedHow: s.context.releasedHow,
});

afterEach(() => vi.useRealTimers());

const KINDS: LockEntry['kind'][] = ['cooldown', 'until_reset', 'until_session', 'until_can_trade', 'symbol'];

for (const kind of KINDS) {
  const input: LockInput = { lock: entry(kind), now: T };
  const harness = harnessFor(lockMachine, input);
  const model = new TestModel(modelMachine, {
    input,
    events: (s) => [...payloadEvents, ...(afterEvents(s) as unknown as LockEvent[])],
    serializeState: transitionSerializer as never,
    filterEvents: (s) => s.status === 'active',
  });
  const paths = model.getShortestPaths();

  describe(`lock machine, ${kind} (model-based)`, () => {
    it('the model has paths to every transition', () => {
      expect(paths.length).toBeGreaterThan(5);
    });

    for (const path of paths) {
      it(path.description, () => {
        // Straight run.
        vi.useFakeTimers({ now: T });
        const parent = createActor(harness, { inspect: coverage.inspect }).start();
        const child = () => parent.getSnapshot().children.l as AnyActorRef;
        for (const { event, state } of path.steps) {
          const type: string = event.type;
          if (type.startsWith('xstate.after.')) vi.advanceTimersToNextTimer();
          else if (type !== 'xstate.init') child().send(event);
          expect(child().getSnapshot().value).toEqual(state.value);
          expect(child().getSnapshot().context).toEqual(state.context);
        }
        const received = parent.getSnapshot().context.received;
        const last = path.state.value;
        expect(received[0]).toMatchObject({ type: 'lock.held', lockId: input.lock.id });
        if (last === 'released') expect(received.at(-1)).toMatchObject({ type: 'lock.released', lockId: input.lock.id, how: path.state.context.releasedHow });
        else expect(received.map((r) => r.type)).not.toContain('lock.released');
        parent.stop();
        vi.useRealTimers();

        // Same path, persisted and restored into a new actor after every step.
        vi.useFakeTimers({ now: T });
        let restored = createActor(harness).start();
        let lastNow = T; // riskd's time at the restart: that of the last event it received
        for (const { event, state } of path.steps) {
          const type: string = event.type;
          if (type.startsWith('xstate.after.')) vi.advanceTimersToNextTimer();
          else if (type !== 'xstate.init') {
            (restored.getSnapshot().children.l as AnyActorRef).send(event);
            lastNow = (event as LockEvent).now;
          }
          const persisted = JSON.parse(JSON.stringify(restored.getPersistedSnapshot()));
          restored.stop();
          vi.clearAllTimers();
          restored = createActor(harness, { snapshot: persisted }).start();
          const c = restored.getSnapshot().children.l as AnyActorRef | undefined;
          expect(c, 'the lock child comes back').toBeDefined();
          const snap = c!.getSnapshot();
          if (snap.status === 'active') {
            c!.send({ type: 'system.resumed', now: lastNow });
            expect(vi.getTimerCount(), 'wake timer re-armed').toBe(1);
          }
          expect(durable(c!.getSnapshot())).toEqual(durable(state as never));
        }
        restored.stop();
      });
    }
  });
}

describe('lock machine (coverage)', () => {
  afterAll(() => {
    const missingStates = [...allStates(lockMachine)].filter((s) => !coverage.states.has(s));
    const missingTransitions = [...allTransitions(lockMachine)].filter((t) => !coverage.transitions.has(t));
    expect(missingStates).toEqual([]);
    expect(missingTransitions).toEqual([]);
  });
  it('ran every kind', () => expect(KINDS).toHaveLength(5));
});

describe('lock machine on a clock: deadlines are absolute and survive a restore', () => {
  const clock = { now: () => Date.now() };
  const cooldown = harnessFor(lockWithClock(clock) as unknown as typeof lockMachine, { lock: entry('cooldown'), now: T });

  it('a cooldown persisted 10 s in and restored 20 s later releases exactly at its deadline', () => {
    vi.useFakeTimers({ now: T });
    const a = createActor(cooldown).start();
    vi.advanceTimersByTime(10_000);
    const persisted = JSON.parse(JSON.stringify(a.getPersistedSnapshot()));
    a.stop();
    vi.clearAllTimers();
    vi.setSystemTime(T + 30_000);
    const b = createActor(cooldown, { snapshot: persisted }).start();
    const child = () => b.getSnapshot().children.l as AnyActorRef;
    child().send({ type: 'system.resumed', now: Date.now() });
    vi.advanceTimersByTime(30_000 - 1);
    expect(child().getSnapshot().value).toEqual({ held: 'active' });
    vi.advanceTimersByTime(1);
    expect(b.getSnapshot().context.received).toEqual([
      { type: 'lock.held', lockId: entry('cooldown').id, lock: entry('cooldown') },
      { type: 'lock.released', lockId: entry('cooldown').id, lock: entry('cooldown'), how: 'deadline passed', at: T + 60_000 },
    ]);
  });

  it('a longer cooldown moves the timer; a shorter one does not', () => {
    vi.useFakeTimers({ now: T });
    const a = createActor(cooldown).start();
    const child = () => a.getSnapshot().children.l as AnyActorRef;
    child().send({ type: 'lock.extend', until: T + 30_000, reason: 'shorter', now: T });
    child().send({ type: 'lock.extend', until: T + 90_000, reason: 'longer', now: T });
    vi.advanceTimersByTime(90_000 - 1);
    expect(child().getSnapshot().context.lock).toMatchObject({ until: T + 90_000, reason: 'longer' });
    vi.advanceTimersByTime(1);
    expect(a.getSnapshot().context.received.map((r) => r.type)).toEqual(['lock.held', 'lock.extended', 'lock.released']);
  });

  it('a delayed admin unlock releases at unlockAt, also across a restore after it was due', () => {
    vi.useFakeTimers({ now: T });
    const reset = harnessFor(lockWithClock(clock) as unknown as typeof lockMachine, { lock: entry('until_reset'), now: T });
    const a = createActor(reset).start();
    (a.getSnapshot().children.l as AnyActorRef).send({ type: 'admin.unlock', by: 'ops', delayMs: 15 * 60_000, now: T });
    const persisted = JSON.parse(JSON.stringify(a.getPersistedSnapshot()));
    a.stop();
    vi.clearAllTimers();
    vi.setSystemTime(T + 20 * 60_000); // down past the unlock instant
    const b = createActor(reset, { snapshot: persisted }).start();
    (b.getSnapshot().children.l as AnyActorRef).send({ type: 'system.resumed', now: Date.now() });
    expect(b.getSnapshot().context.received.at(-1)).toMatchObject({ type: 'lock.released', how: 'admin unlock (after delay)', at: T + 20 * 60_000 });
  });
});
