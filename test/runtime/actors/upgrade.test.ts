// Upgrades keep state: test/fixtures/state-v1.db was written by riskd before the account machine redesign
// (see make-state-v1.ts). Today's riskd restores it with every lock, cooldown, pending admin unlock and grace
// deadline unchanged; when the snapshot cannot be used, the fresh actor takes the locks over from the lock
// rows with the same deadlines: never a crash, never a dropped lock.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openAccountActor } from '../../../src/runtime/actors/index.ts';
import { migrateSnapshot } from '../../../src/runtime/actors/migrate.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import type { ActorRefFrom } from 'xstate';
import { ACCOUNT_MACHINE_ID, lockChildId, lockStatus, positionChildId, type PositionRef } from '../../../machines/account/index.ts';
import type { lockMachine } from '../../../machines/lock/lock.machine.ts';

type LockRef = ActorRefFrom<typeof lockMachine>;
import { ct, riskConfig } from '../../machines/account/fixtures.ts';
import { T0 as V2_T0, V2_CONFIG } from '../../fixtures/make-state-v2.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/state-v1.db');
const T0 = ct('2026-06-10T10:00'); // when the fixture was written
const COOLDOWN = { id: '7:RULE-007:cooldown:1781103600000', until: T0 + 30 * 60_000 };
const UNTIL_RESET = { id: '7:RULE-003:until_reset:1781103600000', until: ct('2026-06-10T17:00') };
const MNQ = 'CON.F.US.MNQ.Z26';

function withFixture<T>(fn: (store: Store) => T, fixture = FIXTURE): T {
  const dir = mkdtempSync(join(tmpdir(), 'riskd-upgrade-'));
  copyFileSync(fixture, join(dir, 'state.db'));
  const store = openStore(join(dir, 'state.db'));
  try {
    return fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const open = (store: Store, restore = true, config = riskConfig()) =>
  openAccountActor({
    accountId: 7, config, repo: store.snapshots, clock: { now: () => Date.now() }, restore,
    seedLocks: () => store.locks.active(7), onEmitted: () => {}, onError: (e) => { throw e; },
  });

afterEach(() => vi.useRealTimers());

describe('a state.db written before the redesign', () => {
  it('restores with the same locks, pending unlock and grace deadline, and they fire on time', () => {
    vi.useFakeTimers({ now: T0 + 10_000 }); // restarted 10 s later
    withFixture((store) => {
      const h = open(store);
      expect(h.restored).toMatchObject({ source: 'snapshot', migratedFrom: 1 });
      const ctx = h.actor.getSnapshot().context;
      expect(ctx.locks.map((l) => ({ id: l.id, until: l.until }))).toEqual([COOLDOWN, UNTIL_RESET]);
      expect(ctx.pendingUnlocks).toEqual([{ lockId: COOLDOWN.id, by: 'fixture', requestedAt: T0 + 1000, effectiveAt: T0 + 1000 + 15 * 60_000 }]);
      // Each lock is now a lock machine holding the same deadline; the cooldown's unlock is pending.
      const lockChild = (id: string) => (h.actor.getSnapshot().children[lockChildId(id)] as LockRef | undefined)?.getSnapshot();
      expect(lockChild(COOLDOWN.id)).toMatchObject({ value: { held: 'releasePending' }, context: { lock: { until: COOLDOWN.until }, unlockAt: T0 + 1000 + 15 * 60_000 } });
      expect(lockChild(UNTIL_RESET.id)).toMatchObject({ value: { held: 'active' }, context: { lock: { until: UNTIL_RESET.until }, unlockAt: null } });
      expect(h.actor.getSnapshot().value).toMatchObject({ lockout: 'locked' });
      const grace = (h.actor.getSnapshot().children[positionChildId(MNQ)] as PositionRef).getSnapshot();
      expect(grace.context.graceUntil).toBe(T0 + 30_000);
      vi.advanceTimersByTime(20_000 - 1);
      expect(h.actor.getSnapshot().children[positionChildId(MNQ)]!.getSnapshot().value).toBe('awaitingStop');
      vi.advanceTimersByTime(1);
      expect(h.actor.getSnapshot().children[positionChildId(MNQ)]!.getSnapshot().value).toBe('violated');
      vi.setSystemTime(T0 + 1000 + 15 * 60_000 - 1);
      h.send({ type: 'clock.tick', now: Date.now() });
      expect(h.actor.getSnapshot().context.locks.map((l) => l.id)).toContain(COOLDOWN.id);
      vi.advanceTimersByTime(1); // the delayed admin unlock takes effect at its instant
      expect(h.actor.getSnapshot().context.locks.map((l) => l.id)).toEqual([UNTIL_RESET.id]);
      expect(lockChild(COOLDOWN.id)).toBeUndefined(); // released and stopped
      vi.setSystemTime(UNTIL_RESET.until - 1);
      h.send({ type: 'clock.tick', now: Date.now() });
      vi.advanceTimersByTime(1); // the reset at 17:00 releases the until_reset lock
      expect(h.actor.getSnapshot().context.locks).toEqual([]);
      expect(h.actor.getSnapshot().value).toMatchObject({ lockout: 'unlocked' });
      h.stop();
    });
  });

  it('a snapshot it cannot use is refused with a reason and rebuilt from the lock rows, same deadlines', () => {
    vi.useFakeTimers({ now: T0 + 10_000 });
    withFixture((store) => {
      const row = store.snapshots.load(7, ACCOUNT_MACHINE_ID)!;
      store.snapshots.save({ ...row, snapshot: { ...(row.snapshot as object), value: { lockout: 'no-such-state' } } });
      const h = open(store);
      expect(h.restored.source).toBe('fresh');
      expect(h.restored.discarded).toMatch(/restore failed|snapshot/);
      const ctx = h.actor.getSnapshot().context;
      expect(ctx.locks.map((l) => ({ id: l.id, until: l.until })).sort((a, b) => a.id.localeCompare(b.id))).toEqual([UNTIL_RESET, COOLDOWN].sort((a, b) => a.id.localeCompare(b.id)));
      expect(lockStatus(ctx)).toMatchObject({ locked: true, by: ['RULE-003', 'RULE-007'] });
      expect(h.actor.getSnapshot().value).toMatchObject({ lockout: 'locked' });
      for (const l of [COOLDOWN, UNTIL_RESET]) {
        expect((h.actor.getSnapshot().children[lockChildId(l.id)] as LockRef).getSnapshot().context.lock.until).toBe(l.until);
      }
      h.stop();
    });
  });
});

// test/fixtures/state-v2.db (make-state-v2.ts): written at 16:00 CT on Wednesday 2026-06-10 by the v2 machine,
// whose session states mirrored a context field and whose `wake` region ran the one timer; outside the 08:30-15:00
// window, with a session lock until Thursday 08:30, a RULE-007 cooldown until 16:30 and a RULE-003 lock until 17:00.
describe('a state.db written before the timed session and trading-day states (v2)', () => {
  const V2 = join(import.meta.dirname, '../../fixtures/state-v2.db');
  const SESSION = { id: '7:RULE-009:until_session:1781125200000', until: ct('2026-06-11T08:30') };
  const COOL = { id: '7:RULE-007:cooldown:1781125200000', until: V2_T0 + 30 * 60_000 };
  const RESET = { id: '7:RULE-003:until_reset:1781125200000', until: ct('2026-06-10T17:00') };
  const ids = (h: ReturnType<typeof open>) => h.actor.getSnapshot().context.locks.map((l) => l.id);

  it('restores the same locks and deadlines in the right states, and every deadline fires at its instant', () => {
    vi.useFakeTimers({ now: V2_T0 + 10_000 }); // restarted 10 s later
    withFixture((store) => {
      const h = open(store, true, V2_CONFIG);
      expect(h.restored).toMatchObject({ source: 'snapshot', migratedFrom: 2 });
      const snap = h.actor.getSnapshot();
      expect(snap.value).toEqual({ tradingDay: 'current', session: 'outside', lockout: 'locked', symbolBlocks: 'clear' });
      expect(snap.context.locks.map((l) => ({ id: l.id, until: l.until }))).toEqual([SESSION, COOL, RESET]);
      for (const l of [SESSION, COOL, RESET]) {
        expect((snap.children[lockChildId(l.id)] as LockRef).getSnapshot()).toMatchObject({ value: { held: 'active' }, context: { lock: { until: l.until } } });
      }
      expect(snap.context.tradingDay).toEqual({ id: '2026-06-10', lastResetAt: ct('2026-06-09T17:00'), nextResetAt: RESET.until });
      // The calendar was read again at the restart: same answer, same next boundary.
      expect(snap.context.session).toMatchObject({ phase: 'outside', nextOpen: SESSION.until, nextBoundary: SESSION.until });
      // v4: no close-on-fill watch or own stop was ever persisted before it.
      expect(snap.context).toMatchObject({ fillWatches: {}, ownStops: {} });

      vi.advanceTimersByTime(COOL.until - Date.now() - 1);
      expect(ids(h)).toContain(COOL.id);
      vi.advanceTimersByTime(1);
      expect(ids(h)).toEqual([SESSION.id, RESET.id]);
      vi.advanceTimersByTime(RESET.until - Date.now() - 1);
      expect(h.actor.getSnapshot().context.tradingDay.id).toBe('2026-06-10');
      vi.advanceTimersByTime(1); // the reset transition: until_reset released, the next day begins
      expect(ids(h)).toEqual([SESSION.id]);
      expect(h.actor.getSnapshot().context.tradingDay).toEqual({ id: '2026-06-11', lastResetAt: RESET.until, nextResetAt: ct('2026-06-11T17:00') });
      vi.advanceTimersByTime(SESSION.until - Date.now() - 1);
      expect(h.actor.getSnapshot().value).toEqual({ tradingDay: 'current', session: 'outside', lockout: 'locked', symbolBlocks: 'clear' });
      vi.advanceTimersByTime(1); // the boundary transition: the window opens, the session lock ends
      expect(ids(h)).toEqual([]);
      expect(h.actor.getSnapshot().value).toEqual({ tradingDay: 'current', session: 'inside', lockout: 'unlocked', symbolBlocks: 'clear' });
      expect(h.actor.getSnapshot().context.session.nextBoundary).toBe(ct('2026-06-11T15:00'));
      h.stop();
    }, V2);
  });

  it('restored after a long downtime: one reset, the session lock re-set for the new outside period since its close', () => {
    vi.useFakeTimers({ now: ct('2026-06-12T16:00') }); // Friday 16:00: two resets and a whole window missed
    withFixture((store) => {
      const h = open(store, true, V2_CONFIG);
      expect(h.restored).toMatchObject({ source: 'snapshot', migratedFrom: 2 });
      const snap = h.actor.getSnapshot();
      expect(snap.value).toEqual({ tradingDay: 'current', session: 'outside', lockout: 'locked', symbolBlocks: 'clear' });
      expect(snap.context.tradingDay).toEqual({ id: '2026-06-12', lastResetAt: ct('2026-06-11T17:00'), nextResetAt: ct('2026-06-12T17:00') });
      const session = snap.context.locks.filter((l) => l.rule === 'RULE-009');
      expect(session.map((l) => ({ since: l.since, until: l.until }))).toEqual([{ since: ct('2026-06-12T15:00'), until: ct('2026-06-15T08:30') }]);
      expect(snap.context.locks.some((l) => l.id === COOL.id || l.id === RESET.id || l.id === SESSION.id)).toBe(false);
      h.stop();
    }, V2);
  });
});

describe('v2 -> v3 migration step', () => {
  const v2 = (locks: { kind: string }[]) => ({
    status: 'active',
    value: { tradingDay: 'tracking', session: 'inside', lockout: 'unlocked', wake: 'armed' },
    context: { now: 1_000, locks, session: { phase: 'inside', nextBoundary: 5_000, blackoutEnd: null } },
    children: {},
  });
  it('a held symbol lock puts the new symbolBlocks region in blocking (its kill switch stays on), none in clear', () => {
    const blocked = migrateSnapshot(v2([{ kind: 'symbol' }]), 2, 3) as { snapshot: { value: Record<string, string> } };
    expect(blocked.snapshot.value).toEqual({ tradingDay: 'current', session: 'inside', lockout: 'unlocked', symbolBlocks: 'blocking' });
    const clear = migrateSnapshot(v2([{ kind: 'cooldown' }]), 2, 3) as { snapshot: { value: Record<string, string> } };
    expect(clear.snapshot.value['symbolBlocks']).toBe('clear');
  });
});

describe('v3 -> v4 migration step', () => {
  const v3 = {
    status: 'active',
    value: { tradingDay: 'current', session: 'inside', lockout: 'unlocked', symbolBlocks: 'clear' },
    context: { now: 1_000, locks: [], positions: { MNQ: { contractId: 'MNQ' } }, inFlight: [] },
    children: {},
  };
  it('adds empty close-on-fill watches and own stops; everything else stays as it was', () => {
    const migrated = migrateSnapshot(v3, 3, 4) as { snapshot: typeof v3 };
    expect(migrated.snapshot).toEqual({ ...v3, context: { ...v3.context, fillWatches: {}, ownStops: {} } });
  });
  it('a v3 row without a context is refused with the step named', () => {
    expect(migrateSnapshot({ value: {} }, 3, 4)).toEqual({ error: 'migration 3 -> 4 failed: v3 snapshot without a context' });
  });
});
