// Model-based test of the account machine's regions (tradingDay, session, lockout): explicit payload events,
// shortest paths to every (state, incoming transition), replayed against live actors under fake timers;
// afterwards every state and transition of the machine must have been exercised, the timed ones included
// (an `after` step fires the next timer). Two models share the coverage: the whole machine's facts, and the
// calendar's (a news blackout, a holiday, resets, rule on/off) whose paths are also replayed with a
// persist -> restore (a new actor from getPersistedSnapshot(), then system.resumed, as after a kill -9) after
// every step, reaching the same states, trading day, session deadlines and locks as the actor that lived through.
// Position and lock children have their own model tests; here RULE-008 is off so no position child is spawned.
// Lock children do run in the live replay, but a pure traversal cannot run children: the model never hears
// their lock.held / lock.released, so the lockout region and the lock register are compared through the live
// invariant (lockout agrees with the register) and the coverage check, not against the model.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, type Actor, type AnyStateMachine } from 'xstate';
import { TestModel } from 'xstate/graph';
import { accountMachine, lockStatus, type AccountEvent } from '../../../machines/account/index.ts';
import { afterEvents, allStates, allTransitions, CoverageRecorder } from '../position/mbt.ts';
import { ct, riskConfig, sessionOn } from './fixtures.ts';

const T0 = ct('2026-06-10T10:00'); // Wednesday, inside the futures window
const base = riskConfig({ rules: { no_stop_loss_grace: { enabled: false, grace: 30_000 } }, admin: { unlock: 'allowed' } });
const withSession = { ...base, rules: { ...base.rules, session_block_outside: sessionOn() } };
const input = { accountId: 7, config: withSession, now: T0 };
const delayedUnlock = { ...withSession, admin: { unlock: 'delayed' as const, unlock_delay: 60_000 } };

const verdict = (kind: 'cooldown' | 'until_reset', now: number, cooldownMs = 60_000): AccountEvent => ({
  type: 'rule.verdicts',
  now,
  verdicts: [{ rule: kind === 'cooldown' ? 'RULE-006' : 'RULE-003', intents: [], message: kind, numbers: {}, lock: { kind, rule: kind === 'cooldown' ? 'RULE-006' : 'RULE-003', reason: kind, ...(kind === 'cooldown' ? { until: now + cooldownMs } : {}) } }],
});

const payloadEvents: AccountEvent[] = [
  { type: 'system.resumed', now: T0 },
  verdict('cooldown', T0),
  verdict('cooldown', T0, 90_000), // a longer cooldown: the lock child extends
  verdict('until_reset', T0),
  { type: 'account.canTrade', canTrade: false, now: T0 },
  { type: 'account.canTrade', canTrade: true, now: T0 },
  { type: 'admin.unlock', now: T0, by: 'mbt' },
  { type: 'clock.tick', now: T0 + 120_000 }, // cooldown over
  { type: 'clock.tick', now: ct('2026-06-10T15:11') }, // window closed: until_session
  { type: 'clock.tick', now: ct('2026-06-10T17:01') }, // reset + window open
  { type: 'config.updated', config: base, now: T0 }, // session rule off
  { type: 'config.updated', config: withSession, now: T0 },
  { type: 'config.updated', config: delayedUnlock, now: T0 }, // admin unlocks wait: lock.releasePending
  { type: 'position.opened', contractId: 'A', symbol: 'ES', size: 1, side: 'long', now: T0 },
  { type: 'position.changed', contractId: 'A', symbol: 'ES', size: 2, side: 'long', now: T0 },
  { type: 'position.closed', contractId: 'A', symbol: 'ES', size: 0, side: 'long', now: T0 },
  { type: 'position.protection', contractId: 'A', protected: true, now: T0 },
  { type: 'order.working', orderId: 1, contractId: 'B', symbol: 'NQ', now: T0 },
  { type: 'position.violated', contractId: 'A', graceUntil: T0, now: T0 },
  { type: 'position.finished', contractId: 'A' },
  { type: 'enforcement.settled', intents: [{ type: 'flatten', accountId: 7 }], now: T0 },
  {
    type: 'locks.seed',
    now: T0,
    locks: [{ id: 'seeded', kind: 'cooldown', rule: 'RULE-007', reason: 'seeded', symbol: null, since: T0 - 1_000, until: T0 + 60_000, releaseCondition: '', flattenOnSet: false }],
  },
];

/** The observable abstraction of an account snapshot (finite): region values and which locks are held. */
function abstract(s: { value: unknown; context: { locks: { kind: string; rule: string; until: number | null }[]; config: { admin: { unlock: string } } } }) {
  return { value: s.value, locks: s.context.locks.map((l) => `${l.kind}/${l.rule}/${l.until ?? ''}`).sort(), unlock: s.context.config.admin.unlock };
}

/** The event that led to a state, as much as tells payload events of one type apart (lengths, policies). */
function eventKey(e: { type: string }): string {
  const a = e as AccountEvent;
  if (a.type === 'rule.verdicts') return `${a.type} ${a.verdicts.map((v) => v.lock?.until ?? '').join()}`;
  if (a.type === 'config.updated') return `${a.type} ${a.config.admin.unlock} ${a.config.rules.session_block_outside.enabled}`;
  return a.type;
}

/** What the model decides alone (without lock children): every region but lockout. */
function withoutLocks(s: { value: unknown }) {
  const { lockout: _decidedByLockChildren, ...regions } = s.value as Record<string, unknown>;
  return regions;
}

// (cast: TestModel's generics do not accept a machine with typed emitted events)
const model = new TestModel(accountMachine as unknown as AnyStateMachine, {
  input,
  events: (s) => [...payloadEvents, ...afterEvents(s)],
  // Key: the abstraction plus the type of the event that led here (each handler becomes reachable as a node).
  serializeState: ((s: Parameters<typeof abstract>[0], e: { type: string } | undefined) =>
    `${JSON.stringify(abstract(s))}${e ? ` <= ${eventKey(e)}` : ''}`) as never,
});
const paths = model.getShortestPaths();
const coverage = new CoverageRecorder(() => true); // no children here: every inspected actor is the account

// The calendar's model: the futures week with a news blackout (flatten) Wednesday noon and Friday a holiday
// (Thursday 17:00 to Friday 15:10 closed); only time moves, plus a daily lock, a restart and the rule off/on.
const blackout = { start: ct('2026-06-10T12:00'), end: ct('2026-06-10T12:30'), flatten: true };
const calendar = { ...base, rules: { ...base.rules, session_block_outside: sessionOn({ blackouts: [blackout], holidays: ['2026-06-12'] }) } };
const calendarInput = { accountId: 7, config: calendar, now: T0 };
const timeEvents: AccountEvent[] = [
  { type: 'system.resumed', now: T0 },
  verdict('until_reset', T0),
  { type: 'clock.tick', now: ct('2026-06-10T12:10') }, // in the blackout
  { type: 'clock.tick', now: ct('2026-06-10T15:11') }, // the window ended: outside, session lock
  { type: 'clock.tick', now: ct('2026-06-10T17:01') }, // reset + the next window opens
  { type: 'clock.tick', now: ct('2026-06-11T18:00') }, // reset + holiday: closed
  { type: 'clock.tick', now: ct('2026-06-12T16:00') }, // the holiday's window would have ended: outside
  { type: 'config.updated', config: base, now: T0 }, // session rule off
  { type: 'config.updated', config: calendar, now: T0 },
];
const timeModel = new TestModel(accountMachine as unknown as AnyStateMachine, {
  input: calendarInput,
  events: (s) => [...timeEvents, ...afterEvents(s)],
  serializeState: ((s: Parameters<typeof abstract>[0], e: { type: string } | undefined) =>
    `${JSON.stringify(abstract(s))}${e ? ` <= ${eventKey(e)}` : ''}`) as never,
});
const timePaths = timeModel.getShortestPaths();
/** What the session and trading day regions hold: states and deadlines (the lock register follows the children). */
const timeView = (s: { value: unknown; context: { tradingDay: unknown; session: unknown } }) => ({
  ...withoutLocks(s),
  tradingDay: [(s.value as { tradingDay: unknown }).tradingDay, s.context.tradingDay],
  session: [(s.value as { session: unknown }).session, s.context.session],
});

afterEach(() => vi.useRealTimers());

describe('account machine regions (model-based)', () => {
  it('has a path for every reachable (state, transition)', () => {
    expect(paths.length).toBeGreaterThan(50);
  });

  for (const path of paths) {
    it(path.description.slice(0, 200) + ` [${path.steps.length} steps]`, () => {
      vi.useFakeTimers({ now: T0 });
      const actor = createActor(accountMachine, { input, inspect: coverage.inspect }).start();
      for (const { event, state } of path.steps) {
        const type: string = event.type;
        if (type === 'xstate.init') {
          // started above
        } else if (type.startsWith('xstate.after.')) {
          vi.advanceTimersToNextTimer();
        } else {
          actor.send(event);
        }
        const live = actor.getSnapshot();
        expect(withoutLocks(live)).toEqual(withoutLocks(state as never));
        expect(live.status).toBe('active');
        expect(live.value).toMatchObject({ lockout: lockStatus(live.context).locked ? 'locked' : 'unlocked' });
      }
      actor.stop();
    });
  }

  it('the calendar model reaches every session and trading day state', () => {
    const reached = new Set(timePaths.map((p) => JSON.stringify((p.state.value as { session: string }).session)));
    expect([...reached].sort()).toEqual(['"blackout"', '"closed"', '"disabled"', '"inside"', '"outside"', '"unknown"'].sort());
  });

  for (const path of timePaths) {
    it(`calendar, restored after each step: ${path.description.slice(0, 160)} [${path.steps.length} steps]`, () => {
      vi.useFakeTimers({ now: T0 });
      const lived = createActor(accountMachine, { input: calendarInput, inspect: coverage.inspect }).start();
      let restored: Actor<typeof accountMachine> = createActor(accountMachine, { input: calendarInput }).start();
      let now = T0; // the instant of the latest event: the restart happens right then
      for (const { event, state } of path.steps) {
        const type: string = event.type;
        if (type === 'xstate.init') continue;
        if (type.startsWith('xstate.after.')) vi.advanceTimersToNextTimer();
        else {
          lived.send(event as AccountEvent);
          restored.send(event as AccountEvent);
          now = (event as { now: number }).now;
        }
        expect(withoutLocks(lived.getSnapshot())).toEqual(withoutLocks(state as never));
        // kill -9 and restart at the same instant: a new actor from the persisted snapshot, then resumed.
        const persisted = restored.getPersistedSnapshot();
        restored.stop();
        restored = createActor(accountMachine, { input: calendarInput, snapshot: persisted, inspect: coverage.inspect }).start();
        restored.send({ type: 'system.resumed', now });
        const [a, b] = [lived.getSnapshot(), restored.getSnapshot()];
        expect(b.status).toBe('active');
        // Before any event the calendar is unread (`unknown`); the restart's system.resumed reads it.
        if (a.matches({ session: 'unknown' })) continue;
        expect(b.value).toEqual(a.value);
        expect(timeView(b)).toEqual(timeView(a));
        expect(b.context.locks).toEqual(a.context.locks);
        expect(b.value).toMatchObject({ lockout: lockStatus(b.context).locked ? 'locked' : 'unlocked' });
      }
      lived.stop();
      restored.stop();
    });
  }

  afterAll(() => {
    const missingStates = [...allStates(accountMachine)].filter((s) => !coverage.states.has(s));
    const missingTransitions = [...allTransitions(accountMachine)].filter((t) => !coverage.transitions.has(t));
    expect(missingStates).toEqual([]);
    expect(missingTransitions).toEqual([]);
  });
});
