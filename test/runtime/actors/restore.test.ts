// Durable account actors with the real SQLite store: every change saved (children too), restore at random
// later times behaves exactly like an actor that never stopped, bad rows never crash.
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { openAccountActor, type AccountActor, type PersistedTimer, type SnapshotRepo } from '../../../src/runtime/actors/index.ts';
import { ACCOUNT_MACHINE_ID, ACCOUNT_MACHINE_VERSION, lockStatus, positionChildId, type AccountEmitted, type AccountEvent } from '../../../machines/account/index.ts';
import type { SnapshotRow } from '../../../src/store/index.ts';
import type { RiskConfig } from '../../../src/config/types.ts';
import { ct, riskConfig, sessionOn } from '../../machines/account/fixtures.ts';
import { observable, tempStore } from './helpers.ts';

const clock = { now: () => Date.now() };
const memoryRepo = (): SnapshotRepo & { rows: Map<string, SnapshotRow> } => {
  const rows = new Map<string, SnapshotRow>();
  return {
    rows,
    save: (r) => void rows.set(`${r.accountId}/${r.machineId}`, JSON.parse(JSON.stringify(r)) as SnapshotRow),
    load: (a, m) => rows.get(`${a}/${m}`),
  };
};
const open = (repo: SnapshotRepo, config: RiskConfig, emitted: AccountEmitted[] = [], restore = true, accountId = 7): AccountActor =>
  openAccountActor({ accountId, config, repo, clock, restore, onEmitted: (e) => emitted.push(e), onError: (e) => { throw e; } });

afterEach(() => vi.useRealTimers());

describe('persistence', () => {
  it('saves root and child changes (child-only timer changes too), with timers and versions', async () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { store, cleanup } = tempStore();
    try {
      const h = open(store.snapshots, riskConfig());
      h.send({ type: 'position.opened', contractId: 'A', symbol: 'ES', size: 1, side: 'long', now: Date.now() });
      const row = store.snapshots.load(7, ACCOUNT_MACHINE_ID)!;
      expect(row).toMatchObject({ machineVersion: ACCOUNT_MACHINE_VERSION, schemaVersion: 1, savedAt: Date.now() });
      const snap = row.snapshot as { children: Record<string, { snapshot: { value: string } }> };
      expect(snap.children[positionChildId('A')]!.snapshot.value).toBe('awaitingStop');
      const timers = row.timers as PersistedTimer[];
      expect(timers.find((t) => t.source?.[0] === positionChildId('A'))).toMatchObject({ dueAt: Date.now() + 30_000 });
      const saves = h.persister.saves;
      vi.advanceTimersByTime(30_000); // the child's own timer: violated (+ close intent from the root)
      await Promise.resolve();
      expect(h.persister.saves).toBeGreaterThan(saves);
      const after = store.snapshots.load(7, ACCOUNT_MACHINE_ID)!.snapshot as typeof snap;
      expect(after.children[positionChildId('A')]!.snapshot.value).toBe('violated');
      h.stop();
    } finally {
      cleanup();
    }
  });

  it('delivers emitted facts only after the snapshot holding their cause is saved', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { store, cleanup } = tempStore();
    try {
      const seen: string[] = [];
      const h = openAccountActor({
        accountId: 7, config: riskConfig(), repo: store.snapshots, clock, onError: () => {},
        onEmitted: (e) => {
          const ctx = (store.snapshots.load(7, ACCOUNT_MACHINE_ID)!.snapshot as { context: { locks: unknown[] } }).context;
          seen.push(`${e.type}:${ctx.locks.length}`);
        },
      });
      seen.length = 0;
      h.send({ type: 'account.canTrade', canTrade: false, now: Date.now() });
      expect(seen).toEqual(['lock.set:1', 'intent:1']); // the flatten (its cancels included)
      h.stop();
    } finally {
      cleanup();
    }
  });

  it('batch: one write at the end, inside the caller\'s transaction (rolled back with it)', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { store, cleanup } = tempStore();
    try {
      const h = open(store.snapshots, riskConfig());
      const before = h.persister.saves;
      store.transaction(() =>
        h.batch(() => {
          h.send({ type: 'account.canTrade', canTrade: false, now: Date.now() });
          h.send({ type: 'position.opened', contractId: 'A', symbol: 'ES', size: 1, side: 'long', now: Date.now() });
        }),
      );
      expect(h.persister.saves).toBe(before + 1);
      const rowLocks = () => (store.snapshots.load(7, ACCOUNT_MACHINE_ID)!.snapshot as { context: { locks: unknown[] } }).context.locks.length;
      expect(rowLocks()).toBe(1);
      expect(() =>
        store.transaction(() => {
          h.batch(() => h.send({ type: 'account.canTrade', canTrade: true, now: Date.now() }));
          throw new Error('ledger write failed');
        }),
      ).toThrow('ledger write failed');
      expect(rowLocks()).toBe(1); // the snapshot write rolled back with the ledger change
      h.stop();
    } finally {
      cleanup();
    }
  });
});

describe('restore', () => {
  it('a cooldown restored before its deadline unlocks exactly at it; restored after it, at once', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const repo = memoryRepo();
    const t0 = Date.now();
    const h = open(repo, riskConfig());
    h.send({ type: 'rule.verdicts', now: t0, verdicts: [{ rule: 'RULE-007', intents: [], message: 'loss', numbers: {}, lock: { kind: 'cooldown', rule: 'RULE-007', reason: 'loss', until: t0 + 300_000 } }] });
    h.stop(); // crash: nothing more is written
    vi.setSystemTime(t0 + 120_000);
    const r = open(repo, riskConfig());
    expect(r.restored.source).toBe('snapshot');
    expect(lockStatus(r.actor.getSnapshot().context)).toMatchObject({ locked: true, until: t0 + 300_000 });
    vi.advanceTimersByTime(179_999);
    expect(lockStatus(r.actor.getSnapshot().context).locked).toBe(true);
    vi.advanceTimersByTime(1);
    expect(lockStatus(r.actor.getSnapshot().context).locked).toBe(false);
    r.stop();
    // Another copy restored long after the deadline: released on resume.
    const repo2 = memoryRepo();
    vi.setSystemTime(t0);
    const h2 = open(repo2, riskConfig());
    h2.send({ type: 'rule.verdicts', now: t0, verdicts: [{ rule: 'RULE-007', intents: [], message: 'loss', numbers: {}, lock: { kind: 'cooldown', rule: 'RULE-007', reason: 'loss', until: t0 + 300_000 } }] });
    h2.stop();
    vi.setSystemTime(t0 + 3600_000);
    const emitted: AccountEmitted[] = [];
    const r2 = open(repo2, riskConfig(), emitted);
    expect(lockStatus(r2.actor.getSnapshot().context).locked).toBe(false);
    expect(emitted.find((e) => e.type === 'lock.released')).toMatchObject({ how: 'deadline passed' });
    r2.stop();
  });

  it('across the spring-forward weekend: the session lock set Friday (CST) opens Sunday 17:00 CDT = 22:00Z', () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-06T21:00:00Z') }); // Friday 15:00 CST, inside the window
    const repo = memoryRepo();
    const cfg = riskConfig({ rules: { session_block_outside: sessionOn() } });
    const h = open(repo, cfg);
    vi.advanceTimersByTime(10 * 60_000); // 15:10 CST: window closes
    expect(lockStatus(h.actor.getSnapshot().context)).toMatchObject({ locked: true, until: Date.parse('2026-03-08T22:00:00Z') });
    h.stop();
    vi.setSystemTime(Date.parse('2026-03-08T21:59:00Z')); // Sunday 16:59 CDT
    const r = open(repo, cfg);
    expect(lockStatus(r.actor.getSnapshot().context).locked).toBe(true);
    vi.advanceTimersByTime(59_999);
    expect(lockStatus(r.actor.getSnapshot().context).locked).toBe(true);
    vi.advanceTimersByTime(1);
    expect(lockStatus(r.actor.getSnapshot().context).locked).toBe(false);
    expect(r.actor.getSnapshot().value).toMatchObject({ session: 'inside' });
    r.stop();
  });

  it('a restored grace child fires at its original deadline (timers re-armed)', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const repo = memoryRepo();
    const t0 = Date.now();
    const h = open(repo, riskConfig());
    h.send({ type: 'position.opened', contractId: 'A', symbol: 'ES', size: 1, side: 'long', now: t0 });
    h.stop();
    vi.setSystemTime(t0 + 10_000);
    const emitted: AccountEmitted[] = [];
    const r = open(repo, riskConfig(), emitted);
    vi.advanceTimersByTime(19_999);
    expect(emitted.filter((e) => e.type === 'intent')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(emitted.filter((e) => e.type === 'intent').map((e) => e.type === 'intent' && e.intent)).toEqual([{ type: 'close', accountId: 7, contractId: 'A' }]);
    r.stop();
  });

  it('persist at random points, restore at random later times (deadlines, resets, DST) == never stopped', () => {
    type Op =
      | { t: 'cooldown'; ms: number }
      | { t: 'untilReset' }
      | { t: 'canTrade'; v: boolean }
      | { t: 'open'; c: string }
      | { t: 'protect'; c: string; v: boolean }
      | { t: 'close'; c: string }
      | { t: 'advance'; ms: number };
    const contract = fc.constantFrom('A', 'B');
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ t: fc.constant('cooldown' as const), ms: fc.integer({ min: 1_000, max: 6 * 3600_000 }) }),
      fc.record({ t: fc.constant('untilReset' as const) }),
      fc.record({ t: fc.constant('canTrade' as const), v: fc.boolean() }),
      fc.record({ t: fc.constant('open' as const), c: contract }),
      fc.record({ t: fc.constant('protect' as const), c: contract, v: fc.boolean() }),
      fc.record({ t: fc.constant('close' as const), c: contract }),
      fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3 * 3600_000 }) }),
    );
    const starts = ['2026-03-06T14:00', '2026-03-07T16:30', '2026-10-30T14:00', '2026-10-31T23:00', '2026-06-10T10:00'];
    const toEvent = (op: Op, now: number): AccountEvent | null => {
      switch (op.t) {
        case 'cooldown': return { type: 'rule.verdicts', now, verdicts: [{ rule: 'RULE-006', intents: [], message: 'c', numbers: {}, lock: { kind: 'cooldown', rule: 'RULE-006', reason: 'c', until: now + op.ms } }] };
        case 'untilReset': return { type: 'rule.verdicts', now, verdicts: [{ rule: 'RULE-003', intents: [], message: 'r', numbers: {}, lock: { kind: 'until_reset', rule: 'RULE-003', reason: 'r' } }] };
        case 'canTrade': return { type: 'account.canTrade', canTrade: op.v, now };
        case 'open': return { type: 'position.opened', contractId: op.c, symbol: 'ES', size: 1, side: 'long', now };
        case 'protect': return { type: 'position.protection', contractId: op.c, protected: op.v, now };
        case 'close': return { type: 'position.closed', contractId: op.c, symbol: 'ES', size: 0, side: 'long', now };
        case 'advance': return null;
      }
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...starts),
        fc.array(opArb, { minLength: 1, maxLength: 14 }),
        fc.nat(),
        fc.integer({ min: 0, max: 60 * 3600_000 }),
        fc.array(opArb, { maxLength: 10 }),
        (start, before, cut, downtime, after) => {
          vi.useFakeTimers({ now: ct(start) });
          const cfg = riskConfig({ rules: { session_block_outside: sessionOn() } });
          const keep = memoryRepo(); // the actor that never stops
          const { store, cleanup } = tempStore(); // the one that crashes and is restored from SQLite
          try {
            const a = open(keep, cfg, [], false);
            let b = open(store.snapshots, cfg, [], false);
            const run = (op: Op, both: AccountActor[]) => {
              const ev = toEvent(op, Date.now());
              if (ev) for (const h of both) h.send(ev);
              else vi.advanceTimersByTime((op as { ms: number }).ms);
            };
            const k = cut % (before.length + 1);
            before.slice(0, k).forEach((op) => run(op, [a, b]));
            b.stop(); // crash (the last write happened with the last change)
            vi.advanceTimersByTime(downtime); // only `a` lives through the downtime
            b = open(store.snapshots, cfg);
            expect(b.restored.source).toBe('snapshot');
            a.send({ type: 'clock.tick', now: Date.now() }); // b got system.resumed at this instant
            expect(observable(b)).toEqual(observable(a));
            for (const op of [...before.slice(k), ...after]) {
              run(op, [a, b]);
              expect(observable(b)).toEqual(observable(a));
            }
            a.stop();
            b.stop();
          } finally {
            cleanup();
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 180_000);
});

describe('a fresh actor takes over the store\'s active locks when the snapshot cannot be used', () => {
  it('seeds live locks without flattening again; a lock a reset already ended is released at once', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T16:00') });
    const { store, cleanup } = tempStore();
    try {
      const persistLocks = (e: AccountEmitted) => {
        if (e.type === 'lock.set') store.locks.upsert({ ...e.lock, accountId: e.accountId });
        if (e.type === 'lock.released') store.locks.release(e.lock.id, e.at, e.how);
      };
      const mk = (restore: boolean, emitted: AccountEmitted[]) =>
        openAccountActor({
          accountId: 7, config: riskConfig(), repo: store.snapshots, clock, restore,
          onEmitted: (e) => { persistLocks(e); emitted.push(e); }, onError: (e) => { throw e; },
          seedLocks: () => store.locks.active(7),
        });
      const h = mk(true, []);
      const t0 = Date.now();
      h.send({ type: 'rule.verdicts', now: t0, verdicts: [{ rule: 'RULE-003', intents: [], message: 'loss', numbers: {}, lock: { kind: 'until_reset', rule: 'RULE-003', reason: 'loss' } }] });
      h.send({ type: 'rule.verdicts', now: t0, verdicts: [{ rule: 'RULE-006', intents: [], message: 'freq', numbers: {}, lock: { kind: 'cooldown', rule: 'RULE-006', reason: 'freq', until: t0 + 7_200_000 } }] });
      h.stop();
      expect(store.locks.active(7)).toHaveLength(2);
      // The snapshot becomes unusable (e.g. a new machine version) and the restart happens after the 17:00 reset.
      store.db.prepare('UPDATE machine_snapshots SET machine_version = 999').run();
      vi.setSystemTime(ct('2026-06-10T17:30'));
      const emitted: AccountEmitted[] = [];
      const r = mk(true, emitted);
      expect(r.restored).toMatchObject({ source: 'fresh' });
      expect(lockStatus(r.actor.getSnapshot().context)).toMatchObject({ locked: true, until: t0 + 7_200_000, by: ['RULE-006'] });
      expect(emitted.filter((e) => e.type === 'intent')).toEqual([]);
      expect(emitted.find((e) => e.type === 'lock.released')).toMatchObject({ how: 'trading-day reset', lock: { rule: 'RULE-003' } });
      expect(store.locks.active(7).map((l) => l.rule)).toEqual(['RULE-006']);
      // The kill switch works at once for the seeded cooldown.
      r.send({ type: 'position.opened', contractId: 'B', symbol: 'NQ', size: 1, side: 'long', now: Date.now() });
      expect(emitted.filter((e) => e.type === 'intent').map((e) => e.type === 'intent' && e.intent.type)).toEqual(['close']);
      r.stop();
    } finally {
      cleanup();
    }
  });
});

describe('bad rows never crash: reported, then a fresh actor', () => {
  const cases: [string, (row: SnapshotRow) => SnapshotRow][] = [
    ['another machine version', (r) => ({ ...r, machineVersion: ACCOUNT_MACHINE_VERSION + 1 })],
    ['another schema version', (r) => ({ ...r, schemaVersion: 99 })],
    ['another machine id', (r) => ({ ...r, machineId: 'connection' })],
    ['a state that does not exist', (r) => ({ ...r, snapshot: { ...(r.snapshot as object), value: { ...((r.snapshot as { value: object }).value), lockout: 'frozen' } } })],
    ['another account', (r) => ({ ...r, snapshot: { ...(r.snapshot as { context: object }), context: { ...(r.snapshot as { context: object }).context, accountId: 8 } } })],
    ['not a snapshot', (r) => ({ ...r, snapshot: [1, 2, 3] })],
  ];
  for (const [name, corrupt] of cases) {
    it(name, () => {
      vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
      const repo = memoryRepo();
      const h = open(repo, riskConfig());
      h.send({ type: 'account.canTrade', canTrade: false, now: Date.now() });
      h.stop();
      const row = repo.load(7, ACCOUNT_MACHINE_ID)!;
      repo.rows.set(`7/${ACCOUNT_MACHINE_ID}`, corrupt(row));
      const badRepo: SnapshotRepo = { save: repo.save, load: () => corrupt(row) };
      const r = open(badRepo, riskConfig());
      expect(r.restored.source).toBe('fresh');
      expect(r.restored.discarded).toBeTruthy();
      expect(r.actor.getSnapshot().status).toBe('active');
      expect(lockStatus(r.actor.getSnapshot().context).locked).toBe(false);
      r.stop();
    });
  }
  it('a child missing from the snapshot (dropped src) does not break the account', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const repo = memoryRepo();
    const h = open(repo, riskConfig());
    h.send({ type: 'position.opened', contractId: 'A', symbol: 'ES', size: 1, side: 'long', now: Date.now() });
    h.stop();
    const row = repo.load(7, ACCOUNT_MACHINE_ID)!;
    const snap = row.snapshot as { children: Record<string, unknown> };
    delete snap.children[positionChildId('A')];
    const r = open(repo, riskConfig());
    expect(r.restored.source).toBe('snapshot');
    r.send({ type: 'position.protection', contractId: 'A', protected: true, now: Date.now() });
    r.send({ type: 'clock.tick', now: Date.now() + 60_000 });
    r.send({ type: 'position.closed', contractId: 'A', symbol: 'ES', size: 0, side: 'long', now: Date.now() + 60_000 });
    expect(r.actor.getSnapshot().status).toBe('active');
    r.stop();
  });
  it('unreadable JSON in SQLite', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { store, cleanup } = tempStore();
    try {
      open(store.snapshots, riskConfig()).stop();
      store.db.prepare("UPDATE machine_snapshots SET snapshot = '{not json' WHERE account_id = 7").run();
      const r = open(store.snapshots, riskConfig());
      expect(r.restored).toMatchObject({ source: 'fresh' });
      expect(r.restored.discarded).toMatch(/unreadable snapshot row/);
      r.stop();
    } finally {
      cleanup();
    }
  });
});
