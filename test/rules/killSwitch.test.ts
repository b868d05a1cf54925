import { describe, expect, it } from 'vitest';
import { earliestAccountLock, killSwitch, type ActiveLock } from '../../src/rules/killSwitch.ts';
import { evaluate } from '../../src/rules/evaluate.ts';
import { OrderType } from '../../src/gateway/models.ts';
import { ACCOUNT_ID, C, T0, TestAccount, allDisabled, positionChanged } from './fixtures.ts';

const SINCE = T0 - 60_000;
const cooldown: ActiveLock = { kind: 'cooldown', rule: 'RULE-007', reason: 'Losing exit of $150.00 on ES', since: SINCE, until: T0 + 300_000 };

describe('kill switch', () => {
  it('a cooldown leaves positions from before it alone and closes the ones opened after', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000, SINCE - 1000).position(C.MNQ, 'short', 2, 21000, SINCE + 1000);
    const [k] = killSwitch(a.ctx(positionChanged(C.MNQ)), [cooldown]);
    expect(k?.intents).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.MNQ.id }]);
    expect(k?.message).toBe('Account is locked (Losing exit of $150.00 on ES): closed MNQ short 2');
    expect(k?.lock).toBe(cooldown);
  });

  it('scaling into an old position keeps its open time: left alone (documented limitation)', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000, SINCE - 1000);
    a.position(C.ES, 'long', 3, 6001, SINCE - 1000);
    expect(killSwitch(a.ctx(positionChanged(C.ES)), [cooldown])).toEqual([]);
  });

  it('cancels new working orders but keeps a new stop that only exits an old position', () => {
    const a = new TestAccount().position(C.ES, 'long', 2, 6000, SINCE - 1000);
    const stop = a.order(C.ES, { side: 1, type: OrderType.Stop, size: 2, stopPrice: 5990 });
    const entry = a.order(C.MNQ, { side: 0, type: OrderType.Limit, limitPrice: 20000 });
    const tooBig = a.order(C.ES, { side: 1, type: OrderType.Limit, size: 3, limitPrice: 6100 }); // would reverse
    const old = a.order(C.MNQ, { side: 0, type: OrderType.Limit, limitPrice: 19000, creationTimestamp: SINCE - 5 });
    const [k] = killSwitch(a.ctx({ kind: 'order', orderId: entry.id }), [cooldown]);
    const cancelled = k?.intents.map((i) => (i.type === 'cancel' ? i.orderId : null));
    expect(cancelled).toEqual([entry.id, tooBig.id]);
    expect(cancelled).not.toContain(stop.id);
    expect(cancelled).not.toContain(old.id);
  });

  it('an expired cooldown no longer acts; the earliest active account lock is the reference', () => {
    const expired = { ...cooldown, until: T0 - 1 };
    expect(earliestAccountLock([expired], T0)).toBeUndefined();
    const hard: ActiveLock = { kind: 'until_reset', rule: 'RULE-003', since: SINCE + 500 };
    expect(earliestAccountLock([hard, cooldown, { kind: 'symbol', rule: 'RULE-011', since: 0, symbol: 'ES' }], T0)).toBe(cooldown);
    const a = new TestAccount().position(C.MNQ, 'long', 1, 21000, SINCE + 1000);
    expect(killSwitch(a.ctx(positionChanged(C.MNQ)), [expired])).toEqual([]);
    expect(killSwitch(a.ctx(positionChanged(C.MNQ)), [hard])[0]?.intents).toHaveLength(1);
  });

  it('a symbol lock closes and cancels everything in that symbol only, across expiries', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000, SINCE - 1000).position(C.MES, 'long', 1, 6000);
    const o = a.order(C.ESH6, { side: 0, type: OrderType.Limit, limitPrice: 5900 });
    a.order(C.MES, { side: 0, type: OrderType.Limit, limitPrice: 5900 });
    const [k] = killSwitch(a.ctx(positionChanged(C.ES)), [{ kind: 'symbol', rule: 'RULE-011', reason: 'ES is a blocked symbol', since: SINCE, symbol: 'es' }]);
    expect(k?.intents).toEqual([
      { type: 'close', accountId: ACCOUNT_ID, contractId: C.ES.id },
      { type: 'cancel', accountId: ACCOUNT_ID, orderId: o.id },
    ]);
    expect(k?.message).toBe('ES is locked (ES is a blocked symbol): closed ES long 1 and cancelled 1 order');
  });

  it('runs before the rules in evaluate and merges with their intents', () => {
    const r = allDisabled();
    r.daily_unrealized_loss.enabled = true;
    const a = new TestAccount().position(C.MNQ, 'long', 1, 21000, SINCE + 1000).quote(C.MNQ, { bid: 20000 });
    const out = evaluate(r, a.ctx(positionChanged(C.MNQ)), [cooldown]);
    expect(out.killSwitch).toHaveLength(1);
    expect(out.verdicts.map((v) => v.rule)).toEqual(['RULE-004']);
    expect(out.intents).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.MNQ.id }]);
  });
});
