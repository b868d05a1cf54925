import { afterEach, describe, expect, it } from 'vitest';
import { AccountSupervisor } from '../../src/runtime/actors/supervisor.ts';
import { IN_MEMORY, openStore, type Store } from '../../src/store/index.ts';
import { TransitionRecorder, type RecordedTransition } from '../../src/control/inspector/recorder.ts';
import { queryTransitions } from '../../src/control/inspector/transitionQuery.ts';
import { idsOfStateText, stateText } from '../../src/control/inspector/stateText.ts';
import { riskConfig } from '../machines/account/fixtures.ts';

const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);
let store: Store | undefined;
let sup: AccountSupervisor | undefined;
afterEach(() => {
  sup?.stop();
  store?.close();
  sup = undefined;
  store = undefined;
});

function rig(opts: { retentionMs?: number; maxRows?: number; now?: () => number } = {}) {
  store = openStore(IN_MEMORY);
  let now = T0;
  const clock = { now: () => now };
  sup = new AccountSupervisor({ repo: store.snapshots, clock });
  const pending: (() => void)[] = [];
  const recorder = new TransitionRecorder({ store, now: opts.now ?? clock.now, schedule: (fn) => pending.push(fn), ...opts });
  const live: RecordedTransition[] = [];
  recorder.onTransition((r) => live.push(r));
  sup.onInspect((id, e) => recorder.inspect(id, e));
  const flush = () => pending.splice(0).forEach((f) => f());
  return { store, sup, recorder, live, flush, setNow: (t: number) => (now = t) };
}

describe('stateText', () => {
  it('writes leaf paths of parallel and nested values and reads them back as ids', () => {
    expect(stateText({ session: 'inside', lockout: 'locked' })).toBe('session.inside,lockout.locked');
    expect(stateText({ live: 'steady' })).toBe('live.steady');
    expect(stateText('awaitingStop')).toBe('awaitingStop');
    expect(idsOfStateText('account', 'session.inside,lockout.locked')).toEqual(['account', 'account.session', 'account.session.inside', 'account.lockout', 'account.lockout.locked']);
  });
});

describe('TransitionRecorder', () => {
  it('records the RULE-010 lock (unlocked -> locked) of the account root with the event time', () => {
    const r = rig();
    r.sup.open(7, riskConfig());
    r.flush();
    const boot = r.store.transitions.count();
    expect(boot).toBeGreaterThan(0); // init + system.resumed
    r.sup.send(7, { type: 'account.canTrade', canTrade: false, now: T0 + 1000 });
    r.flush();
    const rows = queryTransitions(r.store.db, { accountId: 7, event: 'account.canTrade' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorId: 'account', at: T0 + 1000 });
    // The lock child it spawned reports itself held: that event locks the account.
    const held = queryTransitions(r.store.db, { accountId: 7, event: 'lock.held' });
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ actorId: 'account' });
    expect(held[0]!.from).toContain('lockout.unlocked');
    expect(held[0]!.to).toContain('lockout.locked');
    expect(r.live.map((l) => l.event)).toContain('account.canTrade');
  });

  it('records position children under their actor id, and skips ticks that changed nothing', () => {
    const r = rig();
    r.sup.open(7, riskConfig());
    r.sup.send(7, { type: 'position.opened', contractId: 'CON.F.US.MNQ.Z25', symbol: 'MNQ', size: 1, side: 'long', averagePrice: 100, now: T0 + 10 } as never);
    r.flush();
    const before = r.store.transitions.count();
    r.sup.send(7, { type: 'clock.tick', now: T0 + 20 });
    r.flush();
    expect(r.store.transitions.count()).toBe(before);
    r.sup.send(7, { type: 'clock.tick', now: T0 + 31_000 }); // grace of 30 s expires
    r.flush();
    const pos = queryTransitions(r.store.db, { accountId: 7, actorId: 'pos:CON.F.US.MNQ.Z25' });
    expect(pos.map((p) => `${p.event}:${p.from}->${p.to}`)).toEqual(
      expect.arrayContaining(['xstate.init:->awaitingStop', 'clock.tick:awaitingStop->violated']),
    );
  });

  it('an actor primed with its current state (recorder attached after start) gets a real "from"', () => {
    store = openStore(IN_MEMORY);
    const now = T0;
    sup = new AccountSupervisor({ repo: store.snapshots, clock: { now: () => now } });
    sup.open(7, riskConfig());
    const pending: (() => void)[] = [];
    const recorder = new TransitionRecorder({ store, schedule: (fn) => pending.push(fn) });
    const actor = sup.get(7)!.actor;
    recorder.prime(actor, actor.getSnapshot().value);
    sup.onInspect((id, e) => recorder.inspect(id, e));
    sup.send(7, { type: 'account.canTrade', canTrade: false, now: T0 + 5 });
    pending.splice(0).forEach((f) => f());
    const [row] = queryTransitions(store.db, { accountId: 7, event: 'lock.held' });
    expect(row!.from).toContain('lockout.unlocked');
    expect(row!.to).toContain('lockout.locked');
  });

  it('replays by time range and event prefix, oldest first', () => {
    const r = rig();
    r.sup.open(7, riskConfig());
    for (let i = 0; i < 5; i++) r.sup.send(7, { type: 'account.canTrade', canTrade: i % 2 === 1, now: T0 + 1000 * (i + 1) });
    r.flush();
    const mid = queryTransitions(r.store.db, { accountId: 7, actorId: 'account', event: 'account.*', since: T0 + 2000, until: T0 + 4000 });
    expect(mid.map((m) => m.at)).toEqual([T0 + 2000, T0 + 3000]);
    const latest = queryTransitions(r.store.db, { accountId: 7, order: 'desc', limit: 1 });
    expect(latest[0]!.at).toBe(T0 + 5000);
  });

  it('prunes by age and by row count', () => {
    let now = T0;
    const r = rig({ retentionMs: 60_000, maxRows: 3, now: () => now });
    for (let i = 0; i < 6; i++) r.store.transitions.insert({ accountId: 7, actorId: 'account', event: 'e', from: 'a', to: 'b', at: T0 - 120_000 + i * 30_000 });
    now = T0;
    // rows at T0-120s … T0+30s: two are older than 60 s, then one more goes to keep the newest 3
    expect(r.recorder.prune()).toBe(3);
    expect(r.store.transitions.count()).toBe(3);
  });
});
