// Supervisor: one actor per account, faults isolated and rebuilt from the last good snapshot, fan-out of
// intents and lock changes (lock changes first), wall-clock ticker.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountSupervisor, type IntentFact, type LockChange } from '../../../src/runtime/actors/index.ts';
import { accountWithClock, lockStatus, type AccountEvent } from '../../../machines/account/index.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { ct, riskConfig } from '../../machines/account/fixtures.ts';
import { tempStore } from './helpers.ts';

const clock = { now: () => Date.now() };
const cooldown = (now: number, ms: number): AccountEvent => ({
  type: 'rule.verdicts', now,
  verdicts: [{ rule: 'RULE-007', intents: [], message: 'loss', numbers: {}, lock: { kind: 'cooldown', rule: 'RULE-007', reason: 'loss', until: now + ms } }],
});
const logger = createLogger({ terminal: false });

afterEach(() => vi.useRealTimers());

describe('AccountSupervisor', () => {
  it('fans out lock changes before the intents they cause, per account', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { store, cleanup } = tempStore();
    try {
      const sup = new AccountSupervisor({ repo: store.snapshots, clock, logger });
      sup.open(1, riskConfig());
      sup.open(2, riskConfig());
      const order: string[] = [];
      const intents: IntentFact[] = [];
      const locks: LockChange[] = [];
      sup.onLockChange((c) => { locks.push(c); order.push(`${c.type}@${c.accountId}`); });
      sup.onIntents((accountId, batch) => {
        intents.push(...batch);
        order.push(`${batch.map((f) => f.intent.type).join('+')}@${accountId}`);
      });
      sup.send(2, { type: 'account.canTrade', canTrade: false, now: Date.now() });
      expect(order).toEqual(['lock.set@2', 'flatten@2']); // the flatten cancels the orders too
      expect(intents[0]).toMatchObject({ accountId: 2, rule: 'RULE-010', intent: { type: 'flatten', accountId: 2 } });
      expect(lockStatus(sup.get(1)!.actor.getSnapshot().context).locked).toBe(false);
      sup.stop();
    } finally {
      cleanup();
    }
  });

  it('an account whose action throws is rebuilt from its last good snapshot; the other is untouched', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { store, cleanup } = tempStore();
    try {
      const faulty = accountWithClock(clock).provide({ actions: { onCanTrade: () => { throw new Error('injected fault'); } } });
      const sup = new AccountSupervisor({ repo: store.snapshots, clock, logger, logicFor: (id) => (id === 2 ? faulty : undefined) });
      sup.open(1, riskConfig());
      sup.open(2, riskConfig());
      const t0 = Date.now();
      sup.send(1, cooldown(t0, 600_000));
      sup.send(2, cooldown(t0, 300_000));
      const before1 = sup.get(1)!.actor.getSnapshot();
      const failed = sup.get(2)!.actor;
      sup.send(2, { type: 'account.canTrade', canTrade: false, now: t0 + 1 }); // throws inside account 2
      // The failed actor's children (its cooldown lock) keep no timer that would fire into the stopped root.
      expect(Object.keys(failed.system.getSnapshot()._scheduledEvents)).toEqual([]);
      expect(sup.faults).toHaveLength(1);
      expect(sup.faults[0]).toMatchObject({ accountId: 2, rebuiltFrom: 'snapshot' });
      expect(sup.faults[0]!.error).toMatch(/injected fault/);
      const a2 = sup.get(2)!;
      expect(a2.actor.getSnapshot().status).toBe('active');
      expect(lockStatus(a2.actor.getSnapshot().context)).toMatchObject({ locked: true, until: t0 + 300_000 });
      // Account 1: same actor, same state, still working.
      expect(sup.get(1)!.actor.getSnapshot()).toBe(before1);
      sup.send(1, { type: 'position.opened', contractId: 'X', symbol: 'ES', size: 1, side: 'long', now: t0 + 2 });
      expect(sup.get(1)!.actor.getSnapshot().context.positions.X).toBeDefined();
      // The rebuilt account 2 still unlocks on time.
      vi.advanceTimersByTime(300_000);
      expect(lockStatus(sup.get(2)!.actor.getSnapshot().context).locked).toBe(false);
      sup.stop();
    } finally {
      cleanup();
    }
  });

  it('a fault raised by a timer (outside send) is rebuilt too; repeated failure falls back to a fresh actor', async () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { store, cleanup } = tempStore();
    try {
      const faulty = accountWithClock(clock).provide({ actions: { onPositionViolated: () => { throw new Error('grace handler bug'); } } });
      const sup = new AccountSupervisor({ repo: store.snapshots, clock, logger, logicFor: (id) => (id === 2 ? faulty : undefined) });
      sup.open(1, riskConfig());
      sup.open(2, riskConfig());
      const t0 = Date.now();
      for (const id of [1, 2]) sup.send(id, { type: 'position.opened', contractId: 'A', symbol: 'ES', size: 1, side: 'long', now: t0 });
      const intents: IntentFact[] = [];
      sup.onIntents((_, batch) => intents.push(...batch));
      vi.advanceTimersByTime(30_000);
      await Promise.resolve();
      await Promise.resolve();
      expect(intents.map((f) => `${f.accountId}:${f.intent.type}`)).toEqual(['1:close']);
      expect(sup.faults.length).toBeGreaterThanOrEqual(1);
      expect(sup.faults[0]!.accountId).toBe(2);
      const a2 = sup.get(2)!;
      expect(a2.actor.getSnapshot().status).toBe('active');
      expect(a2.restored.source).toBe('fresh'); // the snapshot re-fails on resume (grace expired): fresh instead
      expect(a2.restored.discarded).toMatch(/grace handler bug/);
      expect(sup.get(1)!.actor.getSnapshot().status).toBe('active');
      sup.stop();
    } finally {
      cleanup();
    }
  });

  it('restores every account on open after a restart, and the ticker drives clock.tick', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { store, cleanup } = tempStore();
    try {
      const t0 = Date.now();
      const first = new AccountSupervisor({ repo: store.snapshots, clock, logger });
      first.open(1, riskConfig());
      first.send(1, cooldown(t0, 60_000));
      first.stop();
      vi.setSystemTime(t0 + 10_000);
      const second = new AccountSupervisor({ repo: store.snapshots, clock, logger });
      expect(second.open(1, riskConfig())).toMatchObject({ source: 'snapshot' });
      expect(lockStatus(second.get(1)!.actor.getSnapshot().context).locked).toBe(true);
      second.startTicker(5_000);
      vi.advanceTimersByTime(5_000);
      expect(second.get(1)!.actor.getSnapshot().context.now).toBe(t0 + 15_000);
      second.stop();
    } finally {
      cleanup();
    }
  });
});
