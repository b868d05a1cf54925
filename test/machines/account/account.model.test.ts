// Model-based test of the account machine: explicit payload events, shortest paths to every (state, incoming
// transition), each replayed twice against live actors under fake timers: once straight, once with a persist ->
// restore after every step (a new actor from the persisted snapshot, as after a kill -9, then `system.resumed`
// as the runtime sends it), which must reach the same states, locks and deadlines as the straight run.
// Afterwards every state and transition of the machine must have been exercised.
// The comparison is generic over the machine's regions and context (nothing here names a session or trading-day
// state), so it keeps working as regions gain states.
// A second model, the calendar's (a news blackout, a holiday, resets, rule on/off), shares the coverage; its paths
// are replayed with a persist -> restore after every step too.
// Position and lock children have their own model tests; here RULE-008 is off so no position child is spawned.
// Lock children do run in the live replay, but a pure traversal cannot run children: the model never hears
// their lock.held / lock.released, so the regions they drive (lockout, symbolBlocks) and the lock register are
// checked through live invariants (each region agrees with the register) and the coverage check.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, type Actor, type AnyActorRef, type AnyStateMachine, type InspectionEvent } from 'xstate';
import { TestModel } from 'xstate/graph';
import { accountMachine, lockStatus, type AccountEvent } from '../../../machines/account/index.ts';
import { afterEvents, allStates, allTransitions, CoverageRecorder } from '../position/mbt.ts';
import { ct, riskConfig, sessionOn } from './fixtures.ts';

const T0 = ct('2026-06-10T10:00'); // Wednesday, inside the futures window
const base = riskConfig({ rules: { no_stop_loss_grace: { enabled: false, grace: 30_000 } }, admin: { unlock: 'allowed' } });
const withSession = { ...base, rules: { ...base.rules, session_block_outside: sessionOn() } };
const input = { accountId: 7, config: withSession, now: T0 };
const delayedUnlock = { ...withSession, admin: { unlock: 'delayed' as const, unlock_delay: 60_000 } };
const unblocked = { ...withSession, rules: { ...withSession.rules, symbol_blocks: { enabled: true, symbols: ['CL'] } } };

const verdict = (kind: 'cooldown' | 'until_reset', now: number, cooldownMs = 60_000): AccountEvent => ({
  type: 'rule.verdicts',
  now,
  verdicts: [{ rule: kind === 'cooldown' ? 'RULE-006' : 'RULE-003', intents: [], message: kind, numbers: {}, lock: { kind, rule: kind === 'cooldown' ? 'RULE-006' : 'RULE-003', reason: kind, ...(kind === 'cooldown' ? { until: now + cooldownMs } : {}) } }],
});
const rtyBlocked = (now: number): AccountEvent => ({
  type: 'rule.verdicts',
  now,
  verdicts: [{ rule: 'RULE-011', intents: [], message: 'RTY blocked', numbers: {}, lock: { kind: 'symbol', rule: 'RULE-011', reason: 'RTY blocked', symbol: 'RTY' } }],
});

/**
 * The facts, each at riskd's time: the account's latest `now` (events never carry an older time than the last
 * one, as in the daemon, so a restore at that time is a restart a moment later) or a later instant.
 */
const facts: ((now: number) => AccountEvent)[] = [
  (now) => ({ type: 'system.resumed', now }),
  (now) => verdict('cooldown', now),
  (now) => verdict('cooldown', now, 90_000), // a longer cooldown: the lock child extends
  (now) => verdict('until_reset', now),
  rtyBlocked,
  (now) => ({ type: 'account.canTrade', canTrade: false, now }),
  (now) => ({ type: 'account.canTrade', canTrade: true, now }),
  (now) => ({ type: 'admin.unlock', now, by: 'mbt' }),
  (now) => ({ type: 'clock.tick', now: now + 120_000 }), // cooldowns over
  (now) => ({ type: 'clock.tick', now: Math.max(now, ct('2026-06-10T15:11')) }), // window closed: until_session
  (now) => ({ type: 'clock.tick', now: Math.max(now, ct('2026-06-10T17:01')) }), // reset + window open
  (now) => ({ type: 'config.updated', config: base, now }), // session rule off
  (now) => ({ type: 'config.updated', config: withSession, now }),
  (now) => ({ type: 'config.updated', config: delayedUnlock, now }), // admin unlocks wait: lock.releasePending
  (now) => ({ type: 'config.updated', config: unblocked, now }), // RTY no longer blocked: its symbol lock ends
  (now) => ({ type: 'position.opened', contractId: 'A', symbol: 'ES', size: 1, side: 'long', now }),
  (now) => ({ type: 'position.changed', contractId: 'A', symbol: 'ES', size: 2, side: 'long', now }), // scaling in
  (now) => ({ type: 'position.closed', contractId: 'A', symbol: 'ES', size: 0, side: 'long', now }),
  (now) => ({ type: 'position.opened', contractId: 'R', symbol: 'RTY', size: 1, side: 'long', now }),
  (now) => ({ type: 'position.changed', contractId: 'R', symbol: 'RTY', size: 2, side: 'long', now }),
  (now) => ({ type: 'position.protection', contractId: 'A', protected: true, now }),
  (now) => ({ type: 'order.working', orderId: 1, contractId: 'B', symbol: 'NQ', now }),
  (now) => ({ type: 'order.working', orderId: 2, contractId: 'R', symbol: 'RTY', now }),
  (now) => ({ type: 'order.working', orderId: 3, contractId: 'A', symbol: 'ES', side: 1, size: 1, now }), // a stop for A
  (now) => ({ type: 'position.violated', contractId: 'A', graceUntil: now, now }),
  () => ({ type: 'position.finished', contractId: 'A' }),
  (now) => ({ type: 'enforcement.settled', intents: [{ type: 'flatten', accountId: 7 }], now }),
  // What riskd's own enforcement left behind (ownOrders.ts): a watched order's fill, riskd's stop on A.
  (now) => ({ type: 'enforcement.fillWatched', orderId: 1, contractId: 'B', rule: 'RULE-003', reason: 'locked', now }),
  (now) => ({ type: 'order.filled', orderId: 1, contractId: 'B', now }),
  (now) => ({ type: 'order.ended', orderId: 1, contractId: 'B', now }),
  (now) => ({ type: 'enforcement.stopPlaced', contractId: 'A', orderId: 3, now }),
  (now) => ({
    type: 'locks.seed',
    now,
    locks: [{ id: 'seeded', kind: 'cooldown', rule: 'RULE-007', reason: 'seeded', symbol: null, since: now - 1_000, until: now + 60_000, releaseCondition: '', flattenOnSet: false }],
  }),
];

/**
 * The observable abstraction of a model snapshot (finite, and small enough to traverse): the regions the model
 * decides, which kinds of lock were ever set (the model never hears a lock released: the children do that),
 * and the admin unlock policy.
 */
function abstract(s: { value: unknown; context: { locks: { kind: string }[]; config: { admin: { unlock: string } } } }) {
  const kinds = new Set(s.context.locks.map((l) => l.kind));
  return { value: s.value, locks: [...kinds].sort(), unlock: s.context.config.admin.unlock };
}

/** The event that led to a state, as much as tells payload events of one type apart (lengths, policies). */
function eventKey(e: { type: string }): string {
  const a = e as AccountEvent;
  if (a.type === 'rule.verdicts') return `${a.type} ${a.verdicts.map((v) => `${v.lock?.kind} ${v.lock?.until !== undefined ? v.lock.until - a.now : ''}`).join()}`;
  if (a.type === 'config.updated') return `${a.type} ${a.config.admin.unlock} ${a.config.rules.session_block_outside.enabled} ${a.config.rules.symbol_blocks.symbols.join()}`;
  if (a.type === 'position.opened' || a.type === 'position.changed' || a.type === 'order.working') return `${a.type} ${a.contractId}`;
  return a.type;
}

/** What the model decides alone (without lock children): every region but those the lock children drive. */
function withoutLocks(s: { value: unknown }) {
  const { lockout: _account, symbolBlocks: _symbols, ...regions } = s.value as Record<string, unknown>;
  return regions;
}

type LiveAccount = ReturnType<typeof createActor<typeof accountMachine>>;

/**
 * What a restore must keep: every region's state, the context but for what a restart deliberately forgets
 * (decisions in flight) or re-derives (when the calendar was last looked at), and each lock child's state,
 * deadline and pending unlock.
 */
function durable(actor: LiveAccount) {
  const s = actor.getSnapshot();
  const { inFlight: _forgottenOnRestart, positionActors, session, ...context } = s.context;
  const { evaluatedAt: _reevaluated, ...calendar } = session;
  const lockChildren = Object.entries(s.children as Record<string, AnyActorRef | undefined>)
    .filter(([id]) => id.startsWith('lock:'))
    .map(([id, ref]) => {
      const l = ref!.getSnapshot();
      return { id, status: l.status, value: l.value, until: l.context.lock.until, unlockAt: l.context.unlockAt };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  return { value: s.value, context: { ...context, session: calendar, positionActors: Object.keys(positionActors) }, lockChildren };
}

/** Regions driven by lock children agree with the account's register of held locks. */
function expectRegionsFollowLocks(actor: LiveAccount) {
  const live = actor.getSnapshot();
  const status = lockStatus(live.context);
  expect(live.status).toBe('active');
  expect(live.value).toMatchObject({ lockout: status.locked ? 'locked' : 'unlocked', symbolBlocks: status.symbols.length > 0 ? 'blocking' : 'clear' });
}

/** Handlers that keep the position/order bookkeeping: exactly one of them runs per such event, whatever the state. */
const BOOKKEEPING: Record<string, string[]> = {
  'position.opened': ['onPosition', 'closeNewExposure', 'closeBlockedExposure'],
  'position.changed': ['onPosition', 'closeNewExposure', 'closeBlockedExposure'],
  'position.closed': ['onPosition'],
  'order.working': ['onOrderWorking', 'cancelNewOrder', 'cancelBlockedOrder'],
};

/** Counts, per event the account handled, the transitions taken whose actions include one of BOOKKEEPING's. */
class BookkeepingCounter {
  count = 0;
  constructor(private readonly root: () => AnyActorRef | undefined) {}
  readonly inspect = (ev: InspectionEvent): void => {
    if (ev.type !== '@xstate.microstep' || ev.actorRef !== this.root()) return;
    const names = BOOKKEEPING[ev.event.type];
    if (!names) return;
    const taken = (ev as unknown as { _transitions: { actions: unknown[] }[] })._transitions;
    for (const t of taken) {
      if (t.actions.some((a) => names.includes(typeof a === 'string' ? a : String((a as { type?: unknown }).type)))) this.count++;
    }
  };
}

/**
 * Replays steps twice against live actors under fake timers: straight (each step against the model's state when
 * given, bookkeeping once per fact), then with a persist -> restore after every step, which must reach the same
 * states, locks and deadlines as the straight run.
 */
function replayWithRestores(steps: { event: { type: string }; model?: unknown }[]) {
  vi.useFakeTimers({ now: T0 });
  let root: AnyActorRef | undefined;
  const counter = new BookkeepingCounter(() => root);
  const actor = createActor(accountMachine, { input, inspect: (ev) => (coverage.inspect(ev), counter.inspect(ev)) });
  root = actor;
  actor.start();
  actor.send({ type: 'system.resumed', now: T0 }); // as the runtime starts every actor
  const straight: ReturnType<typeof durable>[] = [];
  for (const { event, model } of steps) {
    counter.count = 0;
    play(actor, event);
    if (BOOKKEEPING[event.type]) expect(counter.count, `${event.type} bookkeeping runs exactly once`).toBe(1);
    if (model) expect(withoutLocks(actor.getSnapshot())).toEqual(withoutLocks(model as never));
    expectRegionsFollowLocks(actor);
    straight.push(durable(actor));
  }
  actor.stop();
  vi.useRealTimers();

  vi.useFakeTimers({ now: T0 });
  let restored = createActor(accountMachine, { input, inspect: coverage.inspect }).start();
  restored.send({ type: 'system.resumed', now: T0 });
  steps.forEach(({ event }, i) => {
    play(restored, event);
    if (event.type !== 'xstate.init') {
      const persisted = JSON.parse(JSON.stringify(restored.getPersistedSnapshot()));
      const now = restored.getSnapshot().context.now; // riskd's time at the restart: that of the last event
      restored.stop();
      const wall = Date.now();
      vi.clearAllTimers(); // (also resets the fake clock to its start: put the time back)
      vi.setSystemTime(wall);
      restored = createActor(accountMachine, { snapshot: persisted, input, inspect: coverage.inspect }).start();
      restored.send({ type: 'system.resumed', now });
    }
    expectRegionsFollowLocks(restored);
    expect(durable(restored), `after step ${i} (${event.type}) and a restore`).toEqual(straight[i]);
  });
  restored.stop();
  vi.useRealTimers();
}

/** Send a path step's event to a live actor (timers: the next one fires). */
function play(actor: LiveAccount, event: { type: string }) {
  if (event.type === 'xstate.init') return;
  if (event.type.startsWith('xstate.after.')) vi.advanceTimersToNextTimer();
  else actor.send(event as AccountEvent);
}

/** The machine as the runtime starts it: a fresh actor always hears `system.resumed { now }` first. */
const started = Object.create(accountMachine) as AnyStateMachine;
started.getInitialSnapshot = (scope, initial) =>
  accountMachine.transition(accountMachine.getInitialSnapshot(scope as never, initial as never), { type: 'system.resumed', now: T0 }, scope as never) as never;

// (cast: TestModel's generics do not accept a machine with typed emitted events)
const model = new TestModel(started, {
  input,
  events: (s) => [...facts.map((f) => f((s.context as { now: number }).now)), ...afterEvents(s)],
  // Key: the abstraction plus the type of the event that led here (each handler becomes reachable as a node).
  serializeState: ((s: Parameters<typeof abstract>[0], e: { type: string } | undefined) =>
    `${JSON.stringify(abstract(s))}${e ? ` <= ${eventKey(e)}` : ''}`) as never,
});
const paths = model.getShortestPaths();
/** Sequences the model cannot aim at, as it never sees a lock child's answer: a longer cooldown extends the lock. */
const WINDOW_END = ct('2026-06-10T15:11'); // past the window's end: the session boundary is due
const openA = (now: number, size = 1): AccountEvent => ({ type: 'position.opened', contractId: 'A', symbol: 'ES', size, side: 'long', now });
const scenarios: AccountEvent[][] = [
  [verdict('cooldown', T0), verdict('cooldown', T0, 90_000)],
  // Facts whose own time crosses the window's end: the boundary runs first (catchUpFirst), then the fact, and the
  // session lock it just set (its child not yet heard) already closes or cancels new exposure (lockout.unlocked).
  [openA(WINDOW_END)],
  [openA(T0), { type: 'position.changed', contractId: 'A', symbol: 'ES', size: 2, side: 'long', now: WINDOW_END }],
  [openA(T0), { type: 'position.closed', contractId: 'A', symbol: 'ES', size: 0, side: 'long', now: WINDOW_END }],
  [{ type: 'order.working', orderId: 1, contractId: 'B', symbol: 'NQ', now: WINDOW_END }],
  [{ type: 'position.protection', contractId: 'A', protected: true, now: WINDOW_END }],
  [{ type: 'account.canTrade', canTrade: false, now: WINDOW_END }],
  [verdict('cooldown', T0), { type: 'admin.unlock', now: WINDOW_END, by: 'mbt' }],
  [{ type: 'enforcement.fillWatched', orderId: 1, contractId: 'B', rule: 'RULE-003', reason: 'locked', now: WINDOW_END }],
  [{ type: 'enforcement.fillWatched', orderId: 1, contractId: 'B', rule: 'RULE-003', reason: 'locked', now: T0 }, { type: 'order.filled', orderId: 1, contractId: 'B', now: WINDOW_END }],
  [{ type: 'order.ended', orderId: 1, contractId: 'B', now: WINDOW_END }],
  [openA(T0), { type: 'enforcement.stopPlaced', contractId: 'A', orderId: 3, now: WINDOW_END }],
  [{ type: 'locks.seed', now: WINDOW_END, locks: [{ id: 'seeded', kind: 'cooldown', rule: 'RULE-007', reason: 'seeded', symbol: null, since: T0, until: WINDOW_END + 60_000, releaseCondition: '', flattenOnSet: false }] }],
];
// Lock children are inspected too; their state ids (lock.*) never match the account's (account.*).
const coverage = new CoverageRecorder(() => true);

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
      replayWithRestores(path.steps.map(({ event, state }) => ({ event, model: state })));
    });
  }
  for (const events of scenarios) {
    it(`scenario: ${events.map((e) => eventKey(e)).join(' → ')}`, () => {
      replayWithRestores([{ event: { type: 'xstate.init' } }, ...events.map((event) => ({ event }))]);
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
