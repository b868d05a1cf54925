// The account machine is the one place riskd decides: intents merged per step (strongest wins) and never
// handed over twice while the same decision is in flight.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Intent, Verdict } from '../../../src/rules/types.ts';
import type { AccountEmitted } from '../../../machines/account/index.ts';
import { ct, riskConfig, startAccount } from './fixtures.ts';

const T0 = ct('2026-06-10T10:00');
beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

const reduce: Intent = { type: 'reduce', accountId: 7, contractId: 'A', size: 2 };
const tooMany = (intents: Intent[] = [reduce]): Verdict => ({ rule: 'RULE-001', intents, message: '5 contracts open, over your limit of 3', numbers: { limit: 3, value: 5 } });
const intentsOf = (emitted: AccountEmitted[]) => emitted.flatMap((e) => (e.type === 'intent' ? [e.intent] : []));

describe('one decision per breach', () => {
  it('a breach seen again while its action is in flight is not decided again; once settled it may be', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'position.opened', contractId: 'A', symbol: 'MNQ', size: 5, side: 'long', now: T0 });
    for (let i = 0; i < 4; i++) actor.send({ type: 'rule.verdicts', now: T0 + i, verdicts: [tooMany()] }); // fill, order, position events
    expect(intentsOf(emitted)).toEqual([reduce]);
    expect(emitted.find((e) => e.type === 'intent')).toMatchObject({ rule: 'RULE-001', numbers: { limit: 3, value: 5 } });
    actor.send({ type: 'enforcement.settled', intents: [reduce], now: T0 + 10 });
    actor.send({ type: 'rule.verdicts', now: T0 + 11, verdicts: [tooMany()] }); // the action fell short: still breached
    expect(intentsOf(emitted)).toEqual([reduce, reduce]);
  });

  it('a different reduce or stop move on a contract whose action is in flight waits; the rules run again once it settles', () => {
    // The executor runs one action per contract position and per contract stop; another one there meanwhile would
    // only be absorbed (an audit row for a decision nobody carries out). A close still goes through.
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'position.opened', contractId: 'A', symbol: 'MNQ', size: 5, side: 'long', now: T0 });
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [tooMany()] });
    const more: Intent = { ...reduce, size: 3 };
    const stop = (stopPrice: number): Intent => ({ type: 'moveStop', accountId: 7, contractId: 'A', orderId: 55, stopPrice, size: 5, side: 1 });
    actor.send({ type: 'rule.verdicts', now: T0 + 1, verdicts: [tooMany([more])] });
    actor.send({ type: 'rule.verdicts', now: T0 + 1, verdicts: [{ rule: 'RULE-012', intents: [stop(100)], message: 'trail', numbers: {} }] });
    actor.send({ type: 'rule.verdicts', now: T0 + 2, verdicts: [{ rule: 'RULE-012', intents: [stop(101)], message: 'trail', numbers: {} }] });
    expect(intentsOf(emitted)).toEqual([reduce, stop(100)]);
    expect(emitted.filter((e) => e.type === 'rules.recheck')).toEqual([]);
    const close: Intent = { type: 'close', accountId: 7, contractId: 'A' };
    actor.send({ type: 'rule.verdicts', now: T0 + 3, verdicts: [{ rule: 'RULE-004', intents: [close], message: 'loss', numbers: {} }] });
    expect(intentsOf(emitted)).toEqual([reduce, stop(100), close]);
    actor.send({ type: 'enforcement.settled', intents: [reduce], now: T0 + 4 });
    expect(emitted.filter((e) => e.type === 'rules.recheck')).toEqual([{ type: 'rules.recheck', accountId: 7 }]);
    actor.send({ type: 'enforcement.settled', intents: [stop(100)], now: T0 + 5 }); // nothing held back since: no recheck
    expect(emitted.filter((e) => e.type === 'rules.recheck')).toHaveLength(1);
    actor.send({ type: 'rule.verdicts', now: T0 + 6, verdicts: [{ rule: 'RULE-012', intents: [stop(101)], message: 'trail', numbers: {} }] });
    expect(intentsOf(emitted)).toEqual([reduce, stop(100), close, stop(101)]);
  });

  it('the position closing settles its close or reduce; a restart forgets everything in flight', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'position.opened', contractId: 'A', symbol: 'MNQ', size: 5, side: 'long', now: T0 });
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [tooMany()] });
    actor.send({ type: 'position.changed', contractId: 'A', symbol: 'MNQ', size: 6, side: 'long', now: T0 + 1 });
    actor.send({ type: 'rule.verdicts', now: T0 + 1, verdicts: [tooMany()] });
    expect(intentsOf(emitted)).toEqual([reduce]); // still in flight
    actor.send({ type: 'position.closed', contractId: 'A', symbol: 'MNQ', size: 0, side: 'long', now: T0 + 2 });
    actor.send({ type: 'position.opened', contractId: 'A', symbol: 'MNQ', size: 5, side: 'long', now: T0 + 3 });
    actor.send({ type: 'rule.verdicts', now: T0 + 3, verdicts: [tooMany()] });
    expect(intentsOf(emitted)).toEqual([reduce, reduce]);
    actor.send({ type: 'system.resumed', now: T0 + 2 });
    expect(actor.getSnapshot().context.inFlight).toEqual([]);
  });

  it('the strongest intent of a step wins: a flatten covers closes and reduces, a close covers reduces', () => {
    const { actor, emitted } = startAccount(riskConfig());
    const close: Intent = { type: 'close', accountId: 7, contractId: 'A' };
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [tooMany([reduce]), { rule: 'RULE-004', intents: [close], message: 'loss', numbers: {} }] });
    expect(intentsOf(emitted)).toEqual([close]);
    actor.send({ type: 'rule.verdicts', now: T0 + 1, verdicts: [tooMany([{ type: 'flatten', accountId: 7 }, reduce])] });
    expect(intentsOf(emitted)).toEqual([close, { type: 'flatten', accountId: 7 }]);
  });

  it('an entry never reported settled stops suppressing after a minute', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [tooMany()] });
    actor.send({ type: 'rule.verdicts', now: T0 + 59_000, verdicts: [tooMany()] });
    actor.send({ type: 'rule.verdicts', now: T0 + 60_000, verdicts: [tooMany()] });
    expect(intentsOf(emitted)).toEqual([reduce, reduce]);
  });

  it('a held until_reset lock is not decided again by its rule (its flatten happened as it began)', () => {
    const { actor, emitted } = startAccount(riskConfig());
    const loss: Verdict = { rule: 'RULE-003', intents: [{ type: 'flatten', accountId: 7 }], message: 'loss', numbers: {}, lock: { kind: 'until_reset', rule: 'RULE-003', reason: 'loss' } };
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [loss] });
    actor.send({ type: 'enforcement.settled', intents: intentsOf(emitted), now: T0 + 1 });
    actor.send({ type: 'rule.verdicts', now: T0 + 2, verdicts: [loss] });
    expect(intentsOf(emitted).map((i) => i.type)).toEqual(['flatten']);
  });
});

describe('a held lock is not decided again', () => {
  it('RULE-011 breaching again while its symbol lock is held: the kill switch has the new order, the verdict adds nothing', () => {
    const { actor, emitted } = startAccount(riskConfig());
    const blocked = (intents: Intent[]): Verdict => ({ rule: 'RULE-011', intents, message: 'ES blocked', numbers: { symbol: 'ES' }, lock: { kind: 'symbol', rule: 'RULE-011', reason: 'ES blocked', symbol: 'ES' } });
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [blocked([{ type: 'cancelAll', accountId: 7, symbol: 'ES' }])] });
    actor.send({ type: 'enforcement.settled', intents: intentsOf(emitted), now: T0 + 1 });
    actor.send({ type: 'order.working', orderId: 5, contractId: 'ESZ', symbol: 'ES', now: T0 + 2 });
    actor.send({ type: 'rule.verdicts', now: T0 + 2, verdicts: [blocked([{ type: 'cancelAll', accountId: 7, symbol: 'ES' }])] });
    expect(intentsOf(emitted)).toEqual([{ type: 'cancelAll', accountId: 7, symbol: 'ES' }, { type: 'cancel', accountId: 7, orderId: 5 }]);
  });
});

describe('restart under a hard lock', () => {
  it('positions still open under a flattening lock are flattened on resume; under a cooldown they stay', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send({ type: 'rule.verdicts', now: T0, verdicts: [{ rule: 'RULE-003', intents: [], message: 'loss', numbers: {}, lock: { kind: 'until_reset', rule: 'RULE-003', reason: 'daily loss' } }] });
    actor.send({ type: 'position.opened', contractId: 'A', symbol: 'MNQ', size: 1, side: 'long', now: T0 + 1 }); // killed before its close was sent
    const before = intentsOf(emitted).length;
    actor.send({ type: 'system.resumed', now: T0 + 5_000 });
    expect(intentsOf(emitted).slice(before)).toEqual([{ type: 'flatten', accountId: 7 }]);

    const cool = startAccount(riskConfig());
    cool.actor.send({ type: 'position.opened', contractId: 'A', symbol: 'MNQ', size: 1, side: 'long', now: T0 });
    cool.actor.send({ type: 'rule.verdicts', now: T0 + 1, verdicts: [{ rule: 'RULE-007', intents: [], message: 'loss', numbers: {}, lock: { kind: 'cooldown', rule: 'RULE-007', reason: 'loss', until: T0 + 60_000 } }] });
    cool.actor.send({ type: 'system.resumed', now: T0 + 5_000 });
    expect(intentsOf(cool.emitted)).toEqual([]);
  });
});

describe('decisions (property)', () => {
  it('a breach seen on any number of events is decided once per settle, and never lost after one', async () => {
    const fc = (await import('fast-check')).default;
    type Op = { t: 'breach' } | { t: 'settled' } | { t: 'tick'; ms: number } | { t: 'resumed' };
    const op = fc.oneof(
      fc.constant<Op>({ t: 'breach' }),
      fc.constant<Op>({ t: 'settled' }),
      fc.integer({ min: 1, max: 90_000 }).map((ms): Op => ({ t: 'tick', ms })),
      fc.constant<Op>({ t: 'resumed' }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        vi.useFakeTimers({ now: T0 });
        const { actor, emitted } = startAccount(riskConfig());
        let now = T0;
        let free = true; // nothing in flight: the next breach must be decided
        let decidedAt = 0;
        for (const o of ops) {
          const before = intentsOf(emitted).length;
          if (o.t === 'breach') actor.send({ type: 'rule.verdicts', now, verdicts: [tooMany()] });
          else if (o.t === 'settled') actor.send({ type: 'enforcement.settled', intents: [reduce], now });
          else if (o.t === 'resumed') actor.send({ type: 'system.resumed', now });
          else actor.send({ type: 'clock.tick', now: (now += o.ms) });
          const added = intentsOf(emitted).length - before;
          if (o.t === 'breach') {
            const expired = now - decidedAt >= 60_000;
            expect(added).toBe(free || expired ? 1 : 0);
            if (added === 1) decidedAt = now;
            free = false;
          } else {
            expect(added).toBe(0);
            if (o.t !== 'tick') free = true;
          }
        }
        actor.stop();
        vi.useRealTimers();
      }),
      { numRuns: 200 },
    );
  });
});
