// Scenario tests of the account machine: locks, kill switch, session, trading day, admin unlock, positions.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Verdict } from '../../../src/rules/types.ts';
import { lockStatus, positionChildId } from '../../../machines/account/index.ts';
import { ct, intents, riskConfig, sessionOn, startAccount } from './fixtures.ts';

const T0 = ct('2026-06-10T10:00'); // Wednesday
beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

const cooldown = (until: number, rule: Verdict['rule'] = 'RULE-006'): Verdict => ({
  rule, intents: [], message: 'cooldown', numbers: {}, lock: { kind: 'cooldown', rule, reason: 'cooldown', until },
});
const hard = (rule: Verdict['rule'] = 'RULE-003'): Verdict => ({
  rule, intents: [{ type: 'flatten', accountId: 7 }], message: 'daily loss', numbers: {}, lock: { kind: 'until_reset', rule, reason: 'daily loss' },
});
const pos = (type: 'position.opened' | 'position.changed' | 'position.closed', contractId: string, size = 1, symbol = 'ES', side: 'long' | 'short' = 'long') =>
  ({ type, contractId, symbol, size, side, now: Date.now() }) as const;

describe('lockout', () => {
  it('a longer cooldown extends, a shorter one does not shorten', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 60_000)] });
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 30_000)] });
    expect(lockStatus(actor.getSnapshot().context).until).toBe(T0 + 60_000);
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 1_800_000)] });
    expect(lockStatus(actor.getSnapshot().context).until).toBe(T0 + 1_800_000);
    expect(emitted.filter((e) => e.type === 'lock.set').map((e) => e.type === 'lock.set' && e.extended)).toEqual([false, true]);
    vi.advanceTimersByTime(60_000);
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'locked' });
    vi.advanceTimersByTime(1_740_000);
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'unlocked' });
  });

  it('a hard lock flattens (positions and orders) as it begins; the verdict flatten is not duplicated', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [hard()] });
    const types = emitted.filter((e) => e.type === 'lock.set' || e.type === 'intent').map((e) => (e.type === 'intent' ? e.intent.type : e.type));
    expect(types).toEqual(['lock.set', 'flatten']); // lock first: persisted before acting
    expect(lockStatus(actor.getSnapshot().context)).toMatchObject({ locked: true, until: ct('2026-06-10T17:00'), by: ['RULE-003'] });
  });

  it('until_reset is released only by the reset (17:00 CT), by timer', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [hard()] });
    vi.setSystemTime(ct('2026-06-10T16:59:59'));
    actor.send({ type: 'clock.tick', now: Date.now() });
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'locked' });
    vi.advanceTimersByTime(1000);
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'unlocked' });
    const reset = emitted.find((e) => e.type === 'tradingDay.reset');
    expect(reset).toMatchObject({ tradingDay: '2026-06-11', at: ct('2026-06-10T17:00') });
    expect(actor.getSnapshot().context.tradingDay).toMatchObject({ id: '2026-06-11', lastResetAt: ct('2026-06-10T17:00') });
  });

  it('missed resets are caught up once on the next tick (sleep over two days)', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [hard()] });
    const later = ct('2026-06-12T18:00');
    actor.send({ type: 'clock.tick', now: later }); // wall clock jumped (sleep), timers did not fire
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(false);
    expect(emitted.filter((e) => e.type === 'tradingDay.reset')).toHaveLength(1);
    expect(actor.getSnapshot().context.tradingDay).toMatchObject({ id: '2026-06-13', lastResetAt: ct('2026-06-12T17:00') });
  });

  it('until_can_trade: locks on canTrade false (flatten), released by canTrade true', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'account.canTrade', canTrade: false, now: T0 });
    expect(lockStatus(actor.getSnapshot().context)).toMatchObject({ locked: true, until: null, by: ['RULE-010'] });
    expect(intents(emitted).map((i) => i.type)).toEqual(['flatten']);
    actor.send({ type: 'clock.tick', now: ct('2026-06-11T18:00') }); // reset does not release it
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(true);
    actor.send({ type: 'account.canTrade', canTrade: true, now: ct('2026-06-11T18:01') });
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(false);
  });

  it('symbol lock: only that symbol, released when the symbol leaves the list', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(pos('position.opened', 'CON.F.US.RTY.M26', 1, 'RTY'));
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [{ rule: 'RULE-011', intents: [], message: 'RTY blocked', numbers: {}, lock: { kind: 'symbol', rule: 'RULE-011', reason: 'RTY blocked', symbol: 'rty' } }] });
    expect(lockStatus(actor.getSnapshot().context)).toMatchObject({ locked: false, symbols: ['RTY'] });
    expect(intents(emitted)).toEqual([
      { type: 'close', accountId: 7, contractId: 'CON.F.US.RTY.M26', rule: 'RULE-011' },
      { type: 'cancelAll', accountId: 7, symbol: 'RTY', rule: 'RULE-011' },
    ]);
    emitted.length = 0;
    actor.send(pos('position.opened', 'CON.F.US.EP.M26', 1, 'ES'));
    actor.send({ type: 'order.working', orderId: 11, contractId: 'CON.F.US.RTY.M26', symbol: 'RTY', now: T0 });
    actor.send({ type: 'order.working', orderId: 12, contractId: 'CON.F.US.MES.M26', symbol: 'MES', now: T0 });
    expect(intents(emitted)).toEqual([{ type: 'cancel', accountId: 7, orderId: 11, rule: 'RULE-011' }]);
    const cfg = riskConfig({ rules: { symbol_blocks: { enabled: true, symbols: ['CL'] } } });
    actor.send({ type: 'config.updated', config: cfg, now: T0 + 1 });
    expect(lockStatus(actor.getSnapshot().context).symbols).toEqual([]);
  });
});

describe('kill switch', () => {
  it('cooldown: older positions stay, new ones are closed, new orders cancelled, reducing orders kept', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(pos('position.opened', 'A'));
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 60_000)] });
    expect(intents(emitted)).toEqual([]);
    actor.send(pos('position.opened', 'B'));
    actor.send({ type: 'order.working', orderId: 1, contractId: 'C', symbol: 'NQ', now: T0 });
    actor.send({ type: 'order.working', orderId: 2, contractId: 'A', symbol: 'ES', side: 1, size: 1, now: T0 }); // stop for A
    actor.send(pos('position.changed', 'A', 2)); // scaling in during a cooldown is new exposure
    expect(intents(emitted)).toEqual([
      { type: 'close', accountId: 7, contractId: 'B', rule: 'RULE-006' },
      { type: 'cancel', accountId: 7, orderId: 1, rule: 'RULE-006' },
      { type: 'close', accountId: 7, contractId: 'A', rule: 'RULE-006' },
    ]);
  });
  it('a tracked position re-reported as opened (reconcile after restart) is not closed by a cooldown', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(pos('position.opened', 'A'));
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 60_000)] });
    actor.send(pos('position.opened', 'A'));
    expect(intents(emitted)).toEqual([]);
    expect(actor.getSnapshot().context.positions.A!.openedAt).toBe(T0);
  });
  it('a position change whose fill came before the cooldown is not new exposure; one after it is', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(pos('position.opened', 'A'));
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 60_000)] });
    // The fill that breached RULE-006 (gateway time T0 - 5) arrives before its own position event.
    actor.send({ ...pos('position.changed', 'A'), size: 2, causeAt: T0 - 5 });
    expect(intents(emitted)).toEqual([]);
    actor.send({ ...pos('position.changed', 'A'), size: 3, causeAt: T0 + 10 });
    expect(intents(emitted)).toMatchObject([{ type: 'close', contractId: 'A' }]);
  });
  it('is behaviour of lockout.locked: the close is the locked state\'s transition, taken only while locked', () => {
    const { actor, emitted } = startAccount(riskConfig());
    const taken: string[] = []; // states whose position.opened transition was taken
    actor.system.inspect((ev) => {
      if (ev.type !== '@xstate.microstep' || ev.actorRef !== actor) return;
      for (const t of (ev as unknown as { _transitions: { source: { id: string }; eventType: string }[] })._transitions) {
        if (t.eventType === 'position.opened') taken.push(t.source.id);
      }
    });
    actor.send(pos('position.opened', 'A'));
    expect(taken).toEqual(['account']); // unlocked: the root's bookkeeping only
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [hard()] });
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'locked' });
    taken.length = 0;
    actor.send(pos('position.opened', 'B'));
    expect(taken).toEqual(['account.lockout.locked']);
    expect(intents(emitted).filter((i) => i.type === 'close')).toEqual([{ type: 'close', accountId: 7, contractId: 'B', rule: 'RULE-003' }]);
  });
  it('within the event that meets a lock\'s release condition the lock no longer counts', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 60_000)] });
    // No timer has fired yet: the event itself carries the deadline.
    actor.send({ ...pos('position.opened', 'B'), now: T0 + 60_000 });
    actor.send({ type: 'order.working', orderId: 1, contractId: 'C', symbol: 'NQ', now: T0 + 60_000 });
    expect(intents(emitted)).toEqual([]);
    const reset = startAccount(riskConfig(), 8);
    reset.actor.send({ type: 'rule.verdicts', now: T0, verdicts: [hard()] });
    reset.emitted.length = 0;
    reset.actor.send({ ...pos('position.opened', 'B'), now: ct('2026-06-10T17:00') }); // the reset instant, before any tick
    expect(intents(reset.emitted)).toEqual([]);
  });
  it('a symbol lock closes what a cooldown spares in its symbol; with both forbidding, one close (the account-wide lock\'s)', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [{ rule: 'RULE-011', intents: [], message: 'RTY blocked', numbers: {}, lock: { kind: 'symbol', rule: 'RULE-011', reason: 'RTY blocked', symbol: 'RTY' } }] });
    actor.send({ type: 'rule.verdicts', now: T0 + 1, verdicts: [cooldown(T0 + 60_000)] });
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'locked', symbolBlocks: 'blocking' });
    emitted.length = 0;
    actor.send({ ...pos('position.opened', 'R1', 1, 'RTY'), causeAt: T0 }); // its fill came before the cooldown
    actor.send({ ...pos('position.opened', 'R2', 1, 'rty'), causeAt: T0 + 5 });
    actor.send({ type: 'order.working', orderId: 9, contractId: 'R1', symbol: 'RTY', side: 1, size: 1, now: T0 + 6 }); // a stop: the symbol lock cancels it
    expect(intents(emitted)).toEqual([
      { type: 'close', accountId: 7, contractId: 'R1', rule: 'RULE-011' },
      { type: 'close', accountId: 7, contractId: 'R2', rule: 'RULE-006' },
      { type: 'cancel', accountId: 7, orderId: 9, rule: 'RULE-011' },
    ]);
  });
  it('after the lock ends, new positions are allowed', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 60_000)] });
    vi.advanceTimersByTime(60_000);
    actor.send(pos('position.opened', 'B'));
    expect(intents(emitted)).toEqual([]);
  });
});

describe('admin unlock', () => {
  it('delayed: released only after unlock_delay; every request audited', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [hard()] });
    actor.send({ type: 'admin.unlock', rule: 'RULE-003', now: T0, by: 'admin' });
    expect(emitted.find((e) => e.type === 'unlock.requested')).toMatchObject({ outcome: 'scheduled', effectiveAt: T0 + 900_000 });
    vi.advanceTimersByTime(899_999);
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(true);
    actor.send({ type: 'admin.unlock', rule: 'RULE-003', now: Date.now(), by: 'admin' }); // a repeat does not postpone
    vi.advanceTimersByTime(1);
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(false);
    expect(emitted.find((e) => e.type === 'lock.released')).toMatchObject({ how: 'admin unlock (after delay)' });
  });
  it('allowed releases at once; never refuses; unknown lock is no_match', () => {
    const a = startAccount(riskConfig({ admin: { unlock: 'allowed' } }));
    a.actor.send({ type: 'rule.verdicts', now: T0, verdicts: [hard()] });
    a.actor.send({ type: 'admin.unlock', now: T0, by: 'root' });
    expect(lockStatus(a.actor.getSnapshot().context).locked).toBe(false);
    const n = startAccount(riskConfig({ admin: { unlock: 'never' } }), 8);
    n.actor.send({ type: 'rule.verdicts', now: T0, verdicts: [hard()] });
    n.actor.send({ type: 'admin.unlock', now: T0, by: 'root' });
    n.actor.send({ type: 'admin.unlock', lockId: 'nope', now: T0, by: 'root' });
    expect(lockStatus(n.actor.getSnapshot().context).locked).toBe(true);
    expect(n.emitted.filter((e) => e.type === 'unlock.requested').map((e) => e.type === 'unlock.requested' && e.outcome)).toEqual(['refused', 'no_match']);
  });
});

describe('session region', () => {
  const futures = sessionOn();
  it('outside at start -> until_session lock (flatten), released when the window opens', () => {
    vi.setSystemTime(ct('2026-06-10T16:00'));
    const { actor, emitted } = startAccount(riskConfig({ rules: { session_block_outside: futures } }), 7, Date.now());
    expect(actor.getSnapshot().value).toMatchObject({ session: 'outside', lockout: 'locked' });
    expect(lockStatus(actor.getSnapshot().context)).toMatchObject({ until: ct('2026-06-10T17:00'), by: ['RULE-009'] });
    expect(intents(emitted).map((i) => i.type)).toEqual(['flatten']);
    vi.advanceTimersByTime(3600_000);
    expect(actor.getSnapshot().value).toMatchObject({ session: 'inside', lockout: 'unlocked' });
  });
  it('window end with flatten_at_end: lock + flatten at 15:10 by timer', () => {
    vi.setSystemTime(ct('2026-06-10T15:00'));
    const { actor, emitted } = startAccount(riskConfig({ rules: { session_block_outside: futures } }), 7, Date.now());
    expect(actor.getSnapshot().value).toMatchObject({ session: 'inside' });
    vi.advanceTimersByTime(10 * 60_000);
    expect(actor.getSnapshot().value).toMatchObject({ session: 'outside', lockout: 'locked' });
    expect(intents(emitted).map((i) => i.type)).toEqual(['flatten']);
  });
  it('flatten_at_end false: lock without flatten; new positions still closed', () => {
    vi.setSystemTime(ct('2026-06-10T15:00'));
    const { actor, emitted } = startAccount(riskConfig({ rules: { session_block_outside: { ...futures, flatten_at_end: false } } }), 7, Date.now());
    vi.advanceTimersByTime(10 * 60_000);
    expect(intents(emitted)).toEqual([]);
    actor.send(pos('position.opened', 'X'));
    expect(intents(emitted)).toEqual([{ type: 'close', accountId: 7, contractId: 'X', rule: 'RULE-009' }]);
  });
  it('a blackout with flatten: cooldown until its end plus flatten at its start', () => {
    const b = { start: ct('2026-06-10T07:25'), end: ct('2026-06-10T07:35'), flatten: true };
    vi.setSystemTime(ct('2026-06-10T07:00'));
    const { actor, emitted } = startAccount(riskConfig({ rules: { session_block_outside: { ...futures, blackouts: [b] } } }), 7, Date.now());
    vi.advanceTimersByTime(25 * 60_000);
    expect(lockStatus(actor.getSnapshot().context)).toMatchObject({ locked: true, until: b.end });
    expect(intents(emitted).map((i) => i.type)).toEqual(['flatten']);
    vi.advanceTimersByTime(10 * 60_000);
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(false);
  });
  it('admin-unlocked session lock stays released until the next window end', () => {
    vi.setSystemTime(ct('2026-06-10T16:00'));
    const { actor } = startAccount(riskConfig({ rules: { session_block_outside: futures }, admin: { unlock: 'allowed' } }), 7, Date.now());
    actor.send({ type: 'admin.unlock', now: Date.now(), by: 'root' });
    vi.advanceTimersByTime(5_000);
    actor.send({ type: 'clock.tick', now: Date.now() });
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(false);
  });
  it('slept through a whole window (outside -> outside): a fresh lock for the new period', () => {
    vi.setSystemTime(ct('2026-06-10T16:00'));
    const { actor, emitted } = startAccount(riskConfig({ rules: { session_block_outside: futures } }), 7, Date.now());
    const first = actor.getSnapshot().context.locks[0]!;
    actor.send({ type: 'clock.tick', now: ct('2026-06-11T16:00') });
    const second = actor.getSnapshot().context.locks[0]!;
    expect(second.id).not.toBe(first.id);
    expect(second.until).toBe(ct('2026-06-11T17:00'));
    expect(emitted.filter((e) => e.type === 'lock.released')).toHaveLength(1);
  });
});

describe('session and trading day states', () => {
  const futures = sessionOn();
  it('a holiday: closed while its window would run, outside after its would-be end, the lock until the next window', () => {
    vi.setSystemTime(ct('2026-06-11T15:00')); // Thursday; Friday 2026-06-12 is a holiday (Thu 17:00 - Fri 15:10 dropped)
    const { actor, emitted } = startAccount(riskConfig({ rules: { session_block_outside: { ...futures, holidays: ['2026-06-12'] } } }), 7, Date.now());
    vi.advanceTimersByTime(10 * 60_000); // 15:10: the window ends
    expect(actor.getSnapshot().value).toMatchObject({ session: 'outside', lockout: 'locked' });
    expect(lockStatus(actor.getSnapshot().context).until).toBe(ct('2026-06-14T17:00')); // Sunday's window
    vi.advanceTimersByTime(ct('2026-06-11T17:00') - Date.now());
    expect(actor.getSnapshot().value).toMatchObject({ session: 'closed', lockout: 'locked' });
    expect(actor.getSnapshot().context.session.nextBoundary).toBe(ct('2026-06-12T15:10'));
    vi.advanceTimersByTime(ct('2026-06-12T15:10') - Date.now());
    expect(actor.getSnapshot().value).toMatchObject({ session: 'outside', lockout: 'locked' });
    expect(emitted.filter((e) => e.type === 'lock.set')).toHaveLength(1); // one lock for the whole closed period
  });
  it('a news blackout is its own state, back inside at its end', () => {
    const b = { start: ct('2026-06-10T07:25'), end: ct('2026-06-10T07:35'), flatten: false };
    vi.setSystemTime(ct('2026-06-10T07:00'));
    const { actor } = startAccount(riskConfig({ rules: { session_block_outside: { ...futures, blackouts: [b] } } }), 7, Date.now());
    vi.advanceTimersByTime(25 * 60_000);
    expect(actor.getSnapshot().value).toMatchObject({ session: 'blackout', lockout: 'locked' });
    vi.advanceTimersByTime(10 * 60_000);
    expect(actor.getSnapshot().value).toMatchObject({ session: 'inside', lockout: 'unlocked' });
  });
  it('the rule off: disabled, its session lock released; on again: the calendar is read at once', () => {
    vi.setSystemTime(ct('2026-06-10T16:00'));
    const on = riskConfig({ rules: { session_block_outside: futures } });
    const { actor } = startAccount(on, 7, Date.now());
    actor.send({ type: 'config.updated', config: riskConfig(), now: Date.now() });
    expect(actor.getSnapshot().value).toMatchObject({ session: 'disabled', lockout: 'unlocked' });
    actor.send({ type: 'config.updated', config: on, now: Date.now() + 1 });
    expect(actor.getSnapshot().value).toMatchObject({ session: 'outside', lockout: 'locked' });
  });
  it('an event carrying a later time runs the due boundary before its own work (no timer fired)', () => {
    vi.setSystemTime(ct('2026-06-10T15:00'));
    const { actor, emitted } = startAccount(riskConfig({ rules: { session_block_outside: { ...futures, flatten_at_end: false } } }), 7, Date.now());
    // The wall clock jumped past the window end (a laptop woke up): the first event is a new position.
    actor.send({ ...pos('position.opened', 'X'), now: ct('2026-06-10T15:30') });
    expect(actor.getSnapshot().value).toMatchObject({ session: 'outside', lockout: 'locked' });
    expect(intents(emitted)).toEqual([{ type: 'close', accountId: 7, contractId: 'X', rule: 'RULE-009' }]);
    expect(actor.getSnapshot().context.locks[0]).toMatchObject({ since: ct('2026-06-10T15:10') });
  });
  it('a long wait is capped: the wake re-arms until the boundary, which comes on time', () => {
    vi.setSystemTime(ct('2026-06-10T11:00')); // the window ends at 15:10, over four hours away
    const { actor } = startAccount(riskConfig({ rules: { session_block_outside: futures } }), 7, Date.now());
    for (let h = 0; h < 4; h++) {
      vi.advanceTimersByTime(3600_000);
      expect(actor.getSnapshot().value).toMatchObject({ session: 'inside' });
      expect(vi.getTimerCount()).toBeGreaterThan(0);
    }
    vi.advanceTimersByTime(ct('2026-06-10T15:10') - Date.now() - 1);
    expect(actor.getSnapshot().value).toMatchObject({ session: 'inside' });
    vi.advanceTimersByTime(1);
    expect(actor.getSnapshot().value).toMatchObject({ session: 'outside', lockout: 'locked' });
  });
  it('the reset transition starts the next day once, at the reset instant', () => {
    vi.setSystemTime(ct('2026-06-10T16:59'));
    const { actor, emitted } = startAccount(riskConfig(), 7, Date.now());
    vi.advanceTimersByTime(60_000 - 1);
    expect(actor.getSnapshot().context.tradingDay.id).toBe('2026-06-10');
    vi.advanceTimersByTime(1);
    expect(actor.getSnapshot().context.tradingDay).toEqual({ id: '2026-06-11', lastResetAt: ct('2026-06-10T17:00'), nextResetAt: ct('2026-06-11T17:00') });
    vi.advanceTimersByTime(3600_000);
    expect(emitted.filter((e) => e.type === 'tradingDay.reset')).toHaveLength(1);
  });
});

describe('position grace children (RULE-008)', () => {
  it('no stop within grace -> close intent; closed child is stopped and removed', () => {
    const { actor, emitted, errors } = startAccount(riskConfig());
    actor.send(pos('position.opened', 'A'));
    expect(actor.getSnapshot().children[positionChildId('A')]).toBeDefined();
    vi.advanceTimersByTime(29_999);
    expect(intents(emitted)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(intents(emitted)).toEqual([{ type: 'close', accountId: 7, contractId: 'A', rule: 'RULE-008' }]);
    actor.send(pos('position.closed', 'A', 0));
    expect(actor.getSnapshot().children[positionChildId('A')]).toBeUndefined();
    expect(Object.keys(actor.getSnapshot().context.positionActors)).toEqual([]);
    expect(JSON.stringify(actor.getPersistedSnapshot())).not.toContain('pos:A');
    expect(errors).toEqual([]);
  });
  it('a stop in time protects; a cancelled stop restarts the grace; scaling in does not', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(pos('position.opened', 'A'));
    vi.advanceTimersByTime(20_000);
    actor.send(pos('position.changed', 'A', 2)); // scaling in: grace keeps its deadline
    vi.advanceTimersByTime(5_000);
    actor.send({ type: 'position.protection', contractId: 'A', protected: true, now: Date.now() });
    vi.advanceTimersByTime(60_000);
    expect(intents(emitted)).toEqual([]);
    actor.send({ type: 'position.protection', contractId: 'A', protected: false, now: Date.now() });
    vi.advanceTimersByTime(29_999);
    expect(intents(emitted)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(intents(emitted)).toEqual([{ type: 'close', accountId: 7, contractId: 'A', rule: 'RULE-008' }]);
  });
  it('events for unknown contracts never crash the account (guarded sendTo)', () => {
    const { actor, errors } = startAccount(riskConfig());
    actor.send({ type: 'position.protection', contractId: 'ZZZ', protected: true, now: T0 });
    actor.send(pos('position.closed', 'ZZZ'));
    actor.send({ type: 'position.finished', contractId: 'ZZZ' });
    expect(errors).toEqual([]);
    expect(actor.getSnapshot().status).toBe('active');
  });
  it('a position killed by the lock gets no grace child', () => {
    const { actor } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [cooldown(T0 + 60_000)] });
    actor.send(pos('position.opened', 'B'));
    expect(actor.getSnapshot().children[positionChildId('B')]).toBeUndefined();
  });
});

describe('config.updated', () => {
  it('a new reset time applies from now on: never releases an until_reset lock early', () => {
    vi.setSystemTime(ct('2026-06-10T16:30'));
    const { actor, emitted } = startAccount(riskConfig(), 7, Date.now());
    actor.send({ type: 'rule.verdicts', now: Date.now(), verdicts: [{ rule: 'RULE-003', intents: [], message: 'loss', numbers: {}, lock: { kind: 'until_reset', rule: 'RULE-003', reason: 'loss' } }] });
    const later = riskConfig();
    later.trading_day = { reset_time: '18:00', timezone: 'America/Chicago' };
    actor.send({ type: 'config.updated', config: later, now: Date.now() });
    expect(actor.getSnapshot().context.tradingDay.nextResetAt).toBe(ct('2026-06-10T18:00'));
    const earlier = riskConfig();
    earlier.trading_day = { reset_time: '16:00', timezone: 'America/Chicago' };
    actor.send({ type: 'config.updated', config: earlier, now: Date.now() });
    expect(actor.getSnapshot().context.tradingDay.nextResetAt).toBe(ct('2026-06-11T16:00'));
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(true);
    vi.advanceTimersByTime(ct('2026-06-11T16:00') - Date.now());
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(false);
    expect(emitted.filter((e) => e.type === 'tradingDay.reset')).toHaveLength(1);
  });
});
