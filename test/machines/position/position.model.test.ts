// Model-based test of the RULE-008 grace machine: every shortest path (to every state AND transition) is
// replayed against a live actor under fake timers; afterwards every state and transition must have been exercised.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor, setup, type AnyActorRef } from 'xstate';
import { TestModel } from 'xstate/graph';
import { positionMachine, type PositionEvent, type PositionInput, type PositionToParent } from '../../../machines/position/position.machine.ts';
import { afterEvents, allStates, allTransitions, CoverageRecorder, transitionSerializer } from './mbt.ts';

const T = Date.UTC(2026, 5, 10, 15, 0);
const input: PositionInput = { contractId: 'A', symbol: 'ES', size: 1, side: 'long', openedAt: T, graceMs: 30_000 };

const payloadEvents: PositionEvent[] = [
  { type: 'position.protection', contractId: 'A', protected: true, now: T + 1_000 },
  { type: 'position.protection', contractId: 'A', protected: false, now: T + 2_000 },
  { type: 'clock.tick', now: T + 10_000 },
  { type: 'clock.tick', now: T + 100_000 },
  { type: 'system.resumed', now: T + 10_000 },
  { type: 'system.resumed', now: T + 100_000 },
  { type: 'position.changed', contractId: 'A', size: 2, side: 'long', now: T + 3_000 },
  { type: 'position.closed', contractId: 'A', now: T + 4_000 },
];

/** The position machine under a parent that records what the child sends it. */
const harness = setup({
  types: { context: {} as { received: PositionToParent[] }, events: {} as PositionToParent },
  actors: { position: positionMachine },
}).createMachine({
  context: { received: [] },
  invoke: { id: 'p', src: 'position', input },
  on: {
    'position.violated': { actions: assign({ received: ({ context, event }) => [...context.received, event] }) },
    'position.finished': { actions: assign({ received: ({ context, event }) => [...context.received, event] }) },
  },
});

// Traversal resolves actions without a parent, so the model's sendParent actions are no-ops; replay uses the real ones.
const modelMachine = positionMachine.provide({ actions: { reportViolation: () => {}, reportFinished: () => {} } });
const model = new TestModel(modelMachine, {
  input,
  events: (s) => [...payloadEvents, ...(afterEvents(s) as unknown as PositionEvent[])],
  serializeState: transitionSerializer as never,
  // A finished actor ignores events; so does the model.
  filterEvents: (s) => s.status === 'active',
});
const coverage = new CoverageRecorder((ev) => (ev.actorRef as AnyActorRef).id === 'p');
const paths = model.getShortestPaths();

afterEach(() => vi.useRealTimers());

describe('position machine (model-based)', () => {
  it('the model has paths to every transition', () => {
    expect(paths.length).toBeGreaterThan(10);
  });

  for (const path of paths) {
    it(path.description, () => {
      vi.useFakeTimers({ now: T });
      const parent = createActor(harness, { inspect: coverage.inspect }).start();
      const child = parent.getSnapshot().children.p as AnyActorRef;
      for (const { event, state } of path.steps) {
        const type: string = event.type;
        if (type === 'xstate.init') {
          // started above
        } else if (type.startsWith('xstate.after.')) {
          vi.advanceTimersToNextTimer();
        } else {
          child.send(event);
        }
        const live = child.getSnapshot();
        expect(live.value).toEqual(state.value);
        expect(live.context).toEqual(state.context);
      }
      // What the parent heard matches where the path ended.
      const received = parent.getSnapshot().context.received.map((r) => r.type);
      const last = path.state.value;
      if (last === 'violated') expect(received).toEqual(['position.violated']);
      if (last === 'closed') expect(received[received.length - 1]).toBe('position.finished');
      if (last === 'awaitingStop' || last === 'protected') expect(received).toEqual([]);
      parent.stop();
    });
  }

  afterAll(() => {
    const missingStates = [...allStates(positionMachine)].filter((s) => !coverage.states.has(s));
    const missingTransitions = [...allTransitions(positionMachine)].filter((t) => !coverage.transitions.has(t));
    expect(missingStates).toEqual([]);
    expect(missingTransitions).toEqual([]);
  });
});

describe('position machine: grace deadline semantics', () => {
  it('graceUntil is absolute; scaling in keeps it; protection loss restarts it from that time', () => {
    const parent = createActor(harness).start();
    const a = parent.getSnapshot().children.p as AnyActorRef;
    expect(a.getSnapshot().context.graceUntil).toBe(T + 30_000);
    a.send({ type: 'position.changed', contractId: 'A', size: 3, side: 'long', now: T + 20_000 });
    expect(a.getSnapshot().context.graceUntil).toBe(T + 30_000);
    a.send({ type: 'position.protection', contractId: 'A', protected: true, now: T + 25_000 });
    a.send({ type: 'position.protection', contractId: 'A', protected: false, now: T + 90_000 });
    expect(a.getSnapshot().context.graceUntil).toBe(T + 120_000);
    a.send({ type: 'clock.tick', now: T + 119_999 });
    expect(a.getSnapshot().value).toBe('awaitingStop');
    a.send({ type: 'clock.tick', now: T + 120_000 });
    expect(a.getSnapshot().value).toBe('violated');
    expect(parent.getSnapshot().context.received).toEqual([{ type: 'position.violated', contractId: 'A', graceUntil: T + 120_000, now: T + 120_000 }]);
  });
});
