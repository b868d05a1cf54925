// Model-based tests for the connection statechart: xstate/graph explores the machine (with explicit payload
// events, actor outcomes and timer edges), every generated path is replayed against a live actor whose actors
// are controllable promises and whose delays run on fake timers, and a final check proves every state and
// every transition was exercised.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, getInitialSnapshot, getNextSnapshot, type AnyStateNode, type InspectionEvent } from 'xstate';
import { TestModel, getStateNodes } from 'xstate/graph';
import { connectionMachine, type ConnectionEvent } from '../../../machines/connection/index.ts';

const DELAYS = { tokenRefresh: 1_000, refreshRetry: 500, reconnectGiveUp: 300_000 };
const GRANT = { expiresAt: 86_400_000 };
const INVOKE_IDS = ['login', 'connectHubs', 'subscribe', 'reconcile', 'refreshToken'] as const;
const FATAL_CAPABLE = new Set(['login', 'refreshToken']);

const PAYLOAD_EVENTS: ConnectionEvent[] = [
  { type: 'connection.start' },
  { type: 'connection.stop' },
  { type: 'connection.retry' },
  { type: 'hub.lost', hub: 'user' },
  { type: 'hub.lost', hub: 'market' },
  { type: 'hub.restored', hub: 'user' },
  { type: 'hub.restored', hub: 'market' },
  { type: 'hub.closed', hub: 'user', error: 'gave up' },
  { type: 'token.invalid', reason: 'GatewayLogout' },
];

type AnyEvent = { type: string; [k: string]: unknown };
const errorOf = (fatal: boolean) => Object.assign(new Error(fatal ? 'bad key' : 'network down'), { fatal });

/** Events worth trying in a snapshot: payload events, outcomes of the running invokes, and due timers. */
function candidateEvents(s: { _nodes: AnyStateNode[] }): AnyEvent[] {
  const out: AnyEvent[] = [...PAYLOAD_EVENTS];
  for (const node of s._nodes) {
    for (const inv of node.invoke) {
      out.push({ type: `xstate.done.actor.${inv.id}`, output: inv.id === 'login' || inv.id === 'refreshToken' ? GRANT : undefined });
      out.push({ type: `xstate.error.actor.${inv.id}`, error: errorOf(false) });
      if (FATAL_CAPABLE.has(inv.id)) out.push({ type: `xstate.error.actor.${inv.id}`, error: errorOf(true) });
    }
    for (const t of node.after) out.push({ type: t.eventType });
  }
  return out;
}

const model = new TestModel(connectionMachine, {
  events: candidateEvents as never,
  filterEvents: ((s: { can(e: AnyEvent): boolean }, e: AnyEvent) => e.type.startsWith('xstate.after.') || s.can(e)) as never,
  // Abstract the retry counter (any failure count > 0 behaves alike) so the state space stays finite.
  serializeState: ((s: { value: unknown; context: { needsLogin: boolean; lostHubs: string[]; attempt: number; tokenExpiresAt: number | null } }) =>
    JSON.stringify([s.value, s.context.needsLogin, [...s.context.lostHubs].sort(), s.context.attempt > 0, s.context.tokenExpiresAt !== null])) as never,
});

// Every (reachable state, enabled event) pair: the shortest path to the state plus that one step.
const statePaths = model.getShortestPaths({ allowDuplicatePaths: true }); // keep paths that prefix longer ones
const adjacency = model.getAdjacencyMap();
const pathByState = new Map(statePaths.map((p) => [model.options.serializeState!(p.state as never, undefined as never, undefined as never), p]));
interface Case { name: string; steps: { event: AnyEvent; state: { value: unknown; context: unknown } }[] }
const cases: Case[] = [];
for (const [key, entry] of Object.entries(adjacency)) {
  const prefix = pathByState.get(key);
  if (!prefix) continue;
  for (const [eventKey, t] of Object.entries(entry.transitions)) {
    // Graph paths hold representative snapshots of each abstract state (e.g. attempt 1 for "attempt > 0"), so
    // the exact expected snapshots are recomputed by folding the pure transition function over the events.
    const events = [...prefix.steps.map((st) => st.event as AnyEvent), (t as { event: AnyEvent }).event];
    let snap = getInitialSnapshot(connectionMachine, {});
    const steps: Case['steps'] = [];
    for (const event of events) {
      if (event.type !== 'xstate.init') snap = getNextSnapshot(connectionMachine, snap, event as never);
      steps.push({ event, state: { value: snap.value, context: structuredClone(snap.context) } });
    }
    cases.push({ name: `${key} + ${eventKey}`, steps });
  }
}

// ---- coverage bookkeeping ----
const allStateIds = getStateNodes(connectionMachine.root).map((n) => n.id);
const allTransitions = new Set<string>();
for (const node of getStateNodes(connectionMachine.root)) {
  for (const [eventType, defs] of node.transitions) {
    defs.forEach((d, i) => allTransitions.add(`${node.id}|${eventType}|${i}`));
  }
}
const visitedStates = new Set<string>();
const takenTransitions = new Set<string>();

function transitionKey(def: { source: AnyStateNode; eventType: string }): string {
  const defs = def.source.transitions.get(def.eventType) ?? [];
  const idx = defs.findIndex((d) => d.target?.map((t) => t.id).join() === (def as { target?: AnyStateNode[] }).target?.map((t) => t.id).join() && d.guard === (def as { guard?: unknown }).guard);
  return `${def.source.id}|${def.eventType}|${Math.max(0, idx)}`;
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
afterEach(() => vi.useRealTimers());

const flush = () => new Promise<void>((r) => setImmediate(r));

async function replay(c: Case): Promise<void> {
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const controllable = (id: string) => fromPromise(() => new Promise<never>((resolve, reject) => pending.set(id, { resolve: resolve as (v: unknown) => void, reject })));
  const machine = connectionMachine.provide({
    actors: Object.fromEntries(INVOKE_IDS.map((id) => [id, controllable(id)])) as never,
    delays: { tokenRefresh: DELAYS.tokenRefresh, refreshRetry: DELAYS.refreshRetry, reconnectGiveUp: DELAYS.reconnectGiveUp },
  });
  const actor = createActor(machine, {
    input: {},
    inspect: (ev: InspectionEvent) => {
      if (ev.type === '@xstate.microstep') for (const t of (ev as unknown as { _transitions: { source: AnyStateNode; eventType: string }[] })._transitions) takenTransitions.add(transitionKey(t));
    },
  });
  const errors: unknown[] = [];
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  const record = () => {
    for (const n of actor.getSnapshot()._nodes) visitedStates.add(n.id);
  };
  record();
  for (const { event, state } of c.steps) {
    if (event.type === 'xstate.init') {
      // initial state
    } else if (event.type.startsWith('xstate.after.')) {
      await vi.advanceTimersToNextTimerAsync();
    } else if (event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.')) {
      const id = event.type.split('.').slice(3).join('.');
      const p = pending.get(id);
      expect(p, `actor ${id} should be running`).toBeDefined();
      pending.delete(id);
      if (event.type.startsWith('xstate.done')) p!.resolve(event.output);
      else p!.reject(event.error);
    } else {
      actor.send(event as ConnectionEvent);
    }
    await flush();
    expect(actor.getSnapshot().value, `after ${event.type}`).toEqual(state.value);
    expect(actor.getSnapshot().context, `after ${event.type}`).toEqual(state.context);
    record();
  }
  expect(errors).toEqual([]);
  actor.stop();
}

describe('connection machine (model-based)', () => {
  it('generates a non-trivial model', () => {
    expect(statePaths.length).toBeGreaterThan(10);
    expect(cases.length).toBeGreaterThan(50);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await replay(c);
  });

  afterAll(() => {
    const missingStates = allStateIds.filter((id) => !visitedStates.has(id));
    const missingTransitions = [...allTransitions].filter((t) => !takenTransitions.has(t));
    expect(missingStates, 'states never visited').toEqual([]);
    expect(missingTransitions, 'transitions never taken').toEqual([]);
  });
});
