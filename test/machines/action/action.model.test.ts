// Model-based test of one enforcement action's statechart (machines/action): for every way an action can start
// (send, queued stop move, held cancel, held close, resumed after a restart) and every kind, the shortest paths to
// every state AND transition (xstate/graph) are replayed against a live actor whose REST call and check are
// promises the test settles and whose `after` timers run on a SimulatedClock. Afterwards every state and transition
// of the machine must have been exercised. Faults come with the events: timeout, 429 (Retry-After), 5xx, refusals,
// errors, the confirming event never arriving, a fill racing a cancel, a restart mid-action.
import { afterAll, describe, expect, it } from 'vitest';
import { assign, createActor, fromPromise, SimulatedClock, type AnyEventObject, type InspectionEvent } from 'xstate';
import { getStateNodes, TestModel } from 'xstate/graph';
import {
  actionMachine,
  type ActionEvent,
  type ActionInput,
  type CallAnswer,
  type CheckAnswer,
} from '../../../machines/action/index.ts';
import { afterEvents, allStates, allTransitions, CoverageRecorder, transitionSerializer } from '../position/mbt.ts';

const timing = { confirmTimeoutMs: 2000, maxAttempts: 3, retryBackoffMs: 250, fillSettleMs: 300 };
const NOT_TIGHTER = 99;

const starts: { name: string; input: ActionInput }[] = [
  { name: 'close', input: { kind: 'close', startAs: 'send', now: 0, ...timing } },
  { name: 'reduce', input: { kind: 'reduce', startAs: 'send', now: 0, ...timing } },
  { name: 'cancel', input: { kind: 'cancel', startAs: 'send', now: 0, orderId: 7, ...timing } },
  { name: 'modifyStop', input: { kind: 'modifyStop', startAs: 'send', now: 0, orderId: 7, ...timing } },
  { name: 'placeStop', input: { kind: 'placeStop', startAs: 'send', now: 0, ...timing } },
  { name: 'queued stop move', input: { kind: 'modifyStop', startAs: 'queued', sendAt: 400, now: 0, orderId: 7, ...timing } },
  { name: 'queued stop move no longer tighter', input: { kind: 'modifyStop', startAs: 'queued', sendAt: 400, now: 0, orderId: NOT_TIGHTER, ...timing } },
  { name: 'cancel held for a market fill', input: { kind: 'cancel', startAs: 'heldForFill', now: 0, orderId: 7, ...timing } },
  { name: 'close held for its position event', input: { kind: 'close', startAs: 'heldForPosition', now: 0, ...timing } },
  { name: 'close resumed after a restart', input: { kind: 'close', startAs: 'resumed', attempts: 1, now: 0, ...timing } },
  { name: 'close under a lock (kill switch)', input: { kind: 'close', startAs: 'send', now: 0, underLock: true, maxLockRetries: 1, ...timing, maxAttempts: 1 } },
];

const callAnswers: CallAnswer[] = [
  { answer: 'accepted', at: 1000 },
  { answer: 'unknown', detail: 'timeout after 5000 ms', at: 1000 },
  { answer: 'unknown', detail: 'HTTP 429', retryAfterMs: 5000, at: 1000 },
  { answer: 'refused', refusal: 'already-gone', detail: 'PositionNotFound', at: 1000 },
  { answer: 'refused', refusal: 'account-refuses', detail: 'Live accounts not supported', at: 1000 },
  { answer: 'refused', refusal: 'invalid-size', detail: 'InvalidCloseSize', at: 1000 },
  { answer: 'refused', refusal: 'rejected', detail: 'market closed', at: 1000 },
];
const checkAnswers: CheckAnswer[] = (['done', 'pending', 'changed', 'unchanged'] as const).map((state) => ({ state, detail: `REST says ${state}`, at: 2000 }));
/** The account still holds its lock when the answer comes (the kill switch's close may be redone): only for a close under a lock. */
const lockedCheckAnswers: CheckAnswer[] = (['changed', 'unchanged'] as const).map((state) => ({ state, detail: `REST says ${state}, still locked`, at: 2000, underLock: true }));
const ledgerEvents: ActionEvent[] = [
  { type: 'CONFIRMED', detail: 'position closed (ledger event)', at: 1500 },
  { type: 'OVERTAKEN', detail: 'filled before cancel', at: 1500 },
  { type: 'MOOT', detail: 'the fills closed it', at: 1500 },
  { type: 'SEND_NOW', at: 1500 },
  { type: 'BUDGET_GRANTED', at: 500 },
  { type: 'SUPERSEDED', detail: 'a tighter move came', at: 1500 },
  { type: 'ABANDON', detail: 'shutdown', at: 1500 },
];
const actorEvents = (underLock: boolean): AnyEventObject[] => [
  ...callAnswers.map((output) => ({ type: 'xstate.done.actor.call', output })),
  { type: 'xstate.error.actor.call', error: new Error('socket hang up') },
  ...[...checkAnswers, ...(underLock ? lockedCheckAnswers : [])].map((output) => ({ type: 'xstate.done.actor.check', output })),
  { type: 'xstate.error.actor.check', error: new Error('HTTP 503') },
];

/** The machine as the tests provide it: the stop re-check answers by order id, as the executor's reads would. */
const testMachine = actionMachine.provide({
  actions: { assessThrottledStop: assign({ stopSkip: ({ context }) => (context.orderId === NOT_TIGHTER ? 'stop is already at 4990; 4995 would not tighten it' : undefined) }) },
});

type Started = { src: 'call' | 'check'; input: unknown; settle: (v: unknown) => void; fail: (e: unknown) => void };

/** A live actor whose REST call and check are promises the test settles, with timers on a simulated clock. */
function live(input: ActionInput, inspect?: (ev: InspectionEvent) => void) {
  const clock = new SimulatedClock();
  const started: Started[] = [];
  const pending = (src: Started['src']) =>
    fromPromise<never, unknown>(({ input: i }) => new Promise((settle, fail) => started.push({ src, input: i, settle: settle as (v: unknown) => void, fail })));
  const logic = testMachine.provide({ actors: { call: pending('call') as never, check: pending('check') as never } });
  const actor = createActor(logic, { input, clock, ...(inspect ? { inspect } : {}) });
  actor.start();
  return { actor, clock, started };
}

const flush = () => new Promise<void>((r) => setImmediate(r));
const coverage = new CoverageRecorder(() => true);

/**
 * Finer than mbt.ts's keys (which merge the guarded branches of one event): every transition definition by
 * source, event and position among that event's branches, eventless (`always`) branches included.
 */
type Def = { source: { id: string; transitions: Map<string, unknown[]>; always?: unknown[] }; eventType: string };
const branchKey = (t: Def): string => {
  const list = t.eventType === '' ? (t.source.always ?? []) : (t.source.transitions.get(t.eventType) ?? []);
  return `${t.source.id} --${t.eventType || 'always'}#${list.indexOf(t)}-->`;
};
const allBranches = new Set(
  getStateNodes(actionMachine.root).flatMap((n) => {
    const node = n as unknown as Def['source'];
    return [...[...node.transitions.values()].flat(), ...(node.always ?? [])].map((t) => branchKey(t as Def));
  }),
);
const branchesTaken = new Set<string>();
const inspect = (ev: InspectionEvent): void => {
  coverage.inspect(ev);
  if (ev.type === '@xstate.microstep') for (const t of (ev as unknown as { _transitions: Def[] })._transitions) branchesTaken.add(branchKey(t));
};

describe('action machine (model-based)', () => {
  for (const start of starts) {
    const model = new TestModel(testMachine, {
      input: start.input,
      events: (s) => [...ledgerEvents, ...(actorEvents(start.input.underLock === true) as ActionEvent[]), ...(afterEvents(s) as unknown as ActionEvent[])],
      serializeState: transitionSerializer as never,
      // Only what the state handles: the running actor's answers, its own deadline, the events it listens to.
      filterEvents: (s, e) => s.status === 'active' && s.can(e),
    });
    const paths = model.getShortestPaths();

    describe(start.name, () => {
      it('has paths', () => expect(paths.length).toBeGreaterThan(2));

      for (const path of paths) {
        it(path.description, async () => {
          const { actor, clock, started } = live(start.input, inspect);
          /** What the previous call and the latest check answered: a call is only ever re-sent after a check proved nothing happened, or as a refused reduce's close. */
          let lastCall: CallAnswer | undefined;
          let checkSinceCall: CheckAnswer | undefined;
          let seen = 0;
          const auditStarts = () => {
            for (; seen < started.length; seen++) {
              const s = started[seen]!;
              if (s.src !== 'call') continue;
              if (start.input.startAs === 'resumed' && seen === 0) throw new Error('a resumed action was sent before any check');
              if (lastCall) {
                const fallback = lastCall.answer === 'refused';
                const provenUnchanged = lastCall.answer === 'unknown' && checkSinceCall?.state === 'unchanged';
                const resumedUnchanged = checkSinceCall?.state === 'unchanged' && start.input.startAs === 'resumed';
                // Under a lock, a close is redone once a fresh check shows the position still open and the lock held.
                const stillOpenUnderLock = checkSinceCall?.underLock === true && (checkSinceCall.state === 'changed' || checkSinceCall.state === 'unchanged');
                expect(fallback || provenUnchanged || resumedUnchanged || stillOpenUnderLock, 're-sent without a check proving nothing happened').toBe(true);
              }
              checkSinceCall = undefined;
            }
          };
          auditStarts();
          for (const { event, state } of path.steps) {
            const type: string = event.type;
            const before = actor.getSnapshot();
            if (type === 'xstate.init') {
              // started above
            } else if (type.startsWith('xstate.after.')) {
              const delay = before.context.wakeAt - before.context.at;
              if (delay > 0) {
                clock.increment(delay - 1);
                expect(actor.getSnapshot().value, 'woke before its deadline').toEqual(before.value);
              }
              clock.increment(delay > 0 ? 1 : 0);
            } else if (type.startsWith('xstate.done.actor.') || type.startsWith('xstate.error.actor.')) {
              const src = type.endsWith('.call') ? 'call' : 'check';
              const open = started[started.length - 1];
              expect(open?.src, `the ${src} actor is the one running`).toBe(src);
              const e = event as AnyEventObject;
              if (type.startsWith('xstate.done.')) {
                open!.settle(e.output);
                if (src === 'call') lastCall = e.output as CallAnswer;
                else checkSinceCall = e.output as CheckAnswer;
              } else {
                open!.fail(e.error);
                if (src === 'call') lastCall = undefined;
              }
              await flush();
            } else {
              actor.send(event);
            }
            auditStarts();
            const now = actor.getSnapshot();
            expect(now.value).toEqual(state.value);
            expect(now.context).toEqual(state.context);
          }
          const end = actor.getSnapshot();
          // Every send the chart counted was a real call, and nothing else called the gateway.
          expect(started.filter((s) => s.src === 'call').length).toBe(end.context.attempts - (start.input.attempts ?? 0));
          if (end.status === 'done') expect(end.output!.status).toBe(end.value);
          actor.stop();
        });
      }
    });
  }

  afterAll(() => {
    // `start` is transient (left in the same macrostep it is entered), so no snapshot shows it; its transitions are checked.
    const missingStates = [...allStates(actionMachine)].filter((s) => s !== 'action.start' && !coverage.states.has(s));
    const missingTransitions = [...allTransitions(actionMachine)].filter((t) => !coverage.transitions.has(t));
    expect(missingStates).toEqual([]);
    expect(missingTransitions).toEqual([]);
    expect(allBranches.size).toBeGreaterThan(40); // not vacuous: the chart has ~50 branches
    expect([...allBranches].filter((b) => !branchesTaken.has(b))).toEqual([]);
  });
});

describe('action machine: faults, step by step', () => {
  const close: ActionInput = { kind: 'close', startAs: 'send', now: 0, ...timing };
  const answer = async (s: Started | undefined, v: CallAnswer | CheckAnswer) => {
    s!.settle(v);
    await flush();
  };

  it('timeout: REST proves nothing happened, re-sent after the backoff, then confirmed by the hub', async () => {
    const { actor, clock, started } = live(close);
    await answer(started[0], { answer: 'unknown', detail: 'timeout', at: 1000 });
    expect(started[1]).toMatchObject({ src: 'check', input: { priority: 'enforce' } });
    await answer(started[1], { state: 'unchanged', detail: 'position still 2', at: 1100 });
    expect(actor.getSnapshot().value).toBe('waitingToResend');
    expect(actor.getSnapshot().context.wakeAt).toBe(1100 + 250);
    clock.increment(249);
    expect(started).toHaveLength(2);
    clock.increment(1);
    expect(started[2]).toMatchObject({ src: 'call', input: { kind: 'close', attempt: 2 } });
    await answer(started[2], { answer: 'accepted', at: 1400 });
    actor.send({ type: 'CONFIRMED', detail: 'position closed (ledger event)', at: 1450 });
    expect(actor.getSnapshot().output).toEqual({ status: 'confirmed', outcome: 'position closed (ledger event)', after: 'auto', source: 'ledger' });
  });

  it('429: the re-send honours Retry-After when it is longer than the backoff', async () => {
    const { actor, started } = live(close);
    await answer(started[0], { answer: 'unknown', detail: 'HTTP 429', retryAfterMs: 5000, at: 1000 });
    await answer(started[1], { state: 'unchanged', detail: 'position still 2', at: 1100 });
    expect(actor.getSnapshot().context.wakeAt).toBe(1100 + 5000);
  });

  it('5xx after the gateway executed it: reconciled by REST, never re-sent', async () => {
    const { actor, clock, started } = live(close);
    await answer(started[0], { answer: 'unknown', detail: 'HTTP 502', at: 1000 });
    await answer(started[1], { state: 'done', detail: 'position flat', at: 1100 });
    clock.increment(60_000);
    expect(started.map((s) => s.src)).toEqual(['call', 'check']);
    expect(actor.getSnapshot().output).toMatchObject({ status: 'reconciled', outcome: 'attempt 1: HTTP 502; REST check: position flat', source: 'rest' });
  });

  it('out of attempts: the third unknown outcome fails instead of a fourth send', async () => {
    const { actor, clock, started } = live(close);
    for (let n = 0; n < 3; n++) {
      await answer(started[2 * n], { answer: 'unknown', detail: 'timeout', at: 1000 });
      await answer(started[2 * n + 1], { state: 'unchanged', detail: 'position still 2', at: 1100 });
      clock.increment(10_000);
    }
    expect(started.filter((s) => s.src === 'call')).toHaveLength(3);
    expect(actor.getSnapshot().output).toMatchObject({ status: 'failed', outcome: 'attempt 3: timeout; REST check: position still 2; gave up after 3 attempts' });
  });

  it('the confirming event never arrives: checked at reconcile priority, waits once for a working market order, then hands back', async () => {
    const { actor, clock, started } = live(close);
    await answer(started[0], { answer: 'accepted', at: 1000 });
    expect(actor.getSnapshot().context.wakeAt).toBe(1000 + 2000); // absolute: the answer's time + confirmTimeoutMs
    clock.increment(1999);
    expect(actor.getSnapshot().value).toBe('awaitingConfirmation');
    clock.increment(1);
    expect(started[1]).toMatchObject({ src: 'check', input: { priority: 'reconcile' } });
    await answer(started[1], { state: 'pending', detail: 'close order 5 still working', at: 3100 });
    expect(actor.getSnapshot().value).toBe('awaitingConfirmation');
    clock.increment(2000);
    await answer(started[2], { state: 'pending', detail: 'close order 5 still working', at: 5200 });
    expect(actor.getSnapshot().output).toMatchObject({ status: 'failed', outcome: 'no confirming event within 2000 ms; REST check: close order 5 still working; handed back for re-evaluation' });
    expect(started.filter((s) => s.src === 'call')).toHaveLength(1);
  });

  it('a fill racing a cancel: recorded as what happened (reconciled from the ledger), not as confirmed', async () => {
    const { actor, started } = live({ kind: 'cancel', startAs: 'send', now: 0, orderId: 7, ...timing });
    actor.send({ type: 'OVERTAKEN', detail: 'filled before cancel: 1 contract(s) filled', at: 5 });
    expect(actor.getSnapshot().output).toEqual({ status: 'reconciled', outcome: 'filled before cancel: 1 contract(s) filled', after: 'auto', source: 'ledger' });
    expect(started).toHaveLength(1);
  });

  it('a cancel of a market order waits for its fill: filled within fillSettleMs costs no request', () => {
    const { actor, clock, started } = live({ kind: 'cancel', startAs: 'heldForFill', now: 0, orderId: 7, ...timing });
    clock.increment(299);
    actor.send({ type: 'MOOT', detail: 'not sent: market order 7 filled before a cancel was needed (ledger event)', at: 299 });
    expect(actor.getSnapshot().output?.status).toBe('skipped');
    expect(started).toHaveLength(0);
  });

  it('a restart mid-action: reconciled first; re-sent only when REST proves nothing happened', async () => {
    const resumed: ActionInput = { kind: 'close', startAs: 'resumed', attempts: 1, now: 0, ...timing };
    const done = live(resumed);
    expect(done.started.map((s) => s.src)).toEqual(['check']);
    await answer(done.started[0], { state: 'done', detail: 'position flat', at: 100 });
    expect(done.actor.getSnapshot().output?.status).toBe('reconciled');
    expect(done.started.map((s) => s.src)).toEqual(['check']);

    const open = live(resumed);
    await answer(open.started[0], { state: 'unchanged', detail: 'position still 2', at: 100 });
    open.clock.increment(250);
    expect(open.started.map((s) => s.src)).toEqual(['check', 'call']);
    expect(open.started[1]!.input).toEqual({ kind: 'close', attempt: 2 });
  });

  it('a kill-switch close refused (market closed): rests 1 s, re-checks, closes again only while REST shows it open under the lock', async () => {
    const locked: ActionInput = { ...close, underLock: true };
    const { actor, clock, started } = live(locked);
    await answer(started[0], { answer: 'refused', refusal: 'rejected', detail: 'market closed', at: 1000 });
    expect(actor.getSnapshot().value).toBe('restingUnderLock');
    expect(actor.getSnapshot().context.wakeAt).toBe(2000);
    clock.increment(999);
    expect(started).toHaveLength(1); // nothing before the rest is over
    clock.increment(1);
    expect(started[1]).toMatchObject({ src: 'check', input: { priority: 'reconcile' } });
    await answer(started[1], { state: 'unchanged', detail: 'position 1 still open, no fill', at: 2100, underLock: true });
    expect(started[2]).toMatchObject({ src: 'call', input: { kind: 'close', attempt: 2 } });
    await answer(started[2], { answer: 'refused', refusal: 'rejected', detail: 'market closed', at: 2200 });
    expect(actor.getSnapshot().context.wakeAt).toBe(2200 + 2000); // the rest doubles
    clock.increment(2000);
    // The lock was released meanwhile: the trader may hold the position now; handed back, not re-sent.
    await answer(started[3], { state: 'unchanged', detail: 'position 1 still open, no fill', at: 4300, underLock: false });
    expect(actor.getSnapshot().output).toMatchObject({ status: 'failed', outcome: expect.stringMatching(/no longer locked: handed back/) });
    expect(started.filter((x) => x.src === 'call')).toHaveLength(2);
  });

  it('a live account refuses the partial close: the reduce becomes a close of the whole position', async () => {
    const { actor, started } = live({ kind: 'reduce', startAs: 'send', now: 0, ...timing });
    await answer(started[0], { answer: 'refused', refusal: 'account-refuses', detail: 'Live accounts not supported', at: 100 });
    expect(started[1]).toMatchObject({ src: 'call', input: { kind: 'close', attempt: 2 } });
    expect(actor.getSnapshot().context.kind).toBe('close');
  });
});
