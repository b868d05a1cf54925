import { describe, expect, it } from 'vitest';
import { cooldownAfterLoss } from '../../src/rules/r007-cooldownAfterLoss.ts';
import { C, TestAccount, allDisabled } from './fixtures.ts';
import type { FillView } from '../../src/ledger/view.ts';

type Cfg = ReturnType<typeof allDisabled>['cooldown_after_loss'];
const cfg = (over: Partial<Cfg> = {}): Cfg => ({ ...allDisabled().cooldown_after_loss, enabled: true, ...over });
const onFill = (a: TestAccount, fill: FillView) => a.ctx({ kind: 'fill', fill });

describe('RULE-007 cooldown_after_loss', () => {
  it('a net loss exactly at a tier cools down for that tier; just under, nothing', () => {
    const a = new TestAccount();
    expect(cooldownAfterLoss(cfg(), onFill(a, a.fill(C.ES, { side: 'sell', pnl: -97.5, fees: 2.49 })))).toEqual([]);
    const [v] = cooldownAfterLoss(cfg(), onFill(a, a.fill(C.ES, { side: 'sell', pnl: -97.5, fees: 2.5 })));
    expect(v?.lock).toEqual({ kind: 'cooldown', rule: 'RULE-007', reason: 'Losing exit of $100.00 on ES (tier $100.00)', until: a.now + 300_000 });
    expect(v?.message).toBe('Losing exit of $100.00 on ES (tier $100.00): cooling down 5m, no new trades until 09:05 CT');
    expect(v?.intents).toEqual([]);
  });

  it('the largest matching tier wins', () => {
    const a = new TestAccount();
    const [v] = cooldownAfterLoss(cfg(), onFill(a, a.fill(C.ES, { side: 'sell', pnl: -250 })));
    expect(v?.lock?.until).toBe(a.now + 900_000);
    expect(v?.numbers).toMatchObject({ limit: 200, value: 250 });
  });

  it('one exit order reported as two rows (projectx-api.md §8.25): the tier compares their sum, the order locks once', () => {
    const a = new TestAccount();
    // The live capture: a 2-lot MNQ exit as two rows of -124.50 and -106.00, fees 0.36 each: one loss of $231.22.
    const first = a.fill(C.MNQ, { side: 'sell', pnl: -124.5, fees: 0.36, orderId: 88_001 });
    const [v] = cooldownAfterLoss(cfg(), onFill(a, first));
    expect(v?.lock).toMatchObject({ reason: 'Losing exit of $124.86 on MNQ (tier $100.00)', until: a.now + 300_000 });
    const second = a.fill(C.MNQ, { side: 'sell', pnl: -106, fees: 0.36, orderId: 88_001 });
    const [w] = cooldownAfterLoss(cfg(), onFill(a, second));
    expect(w?.lock).toMatchObject({ reason: 'Losing exit of $231.22 on MNQ (tier $200.00)', until: a.now + 900_000 });
    expect(w?.numbers).toMatchObject({ limit: 200, value: 231.22 });
    expect(a.ledger.consecutiveLosingExits()).toBe(1); // one losing order, not two
    // A third row that keeps the order in the same tier adds nothing.
    expect(cooldownAfterLoss(cfg(), onFill(a, a.fill(C.MNQ, { side: 'sell', pnl: -10, fees: 0.36, orderId: 88_001 })))).toEqual([]);
  });

  it('the streak counts exit orders: two losing orders of two rows each are 2 losers, not 4', () => {
    const a = new TestAccount();
    const small = (orderId: number) => ({ side: 'sell' as const, pnl: -10, orderId });
    a.fill(C.MNQ, small(1));
    a.fill(C.MNQ, small(1));
    a.fill(C.MNQ, small(2));
    expect(cooldownAfterLoss(cfg(), onFill(a, a.fill(C.MNQ, small(2))))).toEqual([]);
    expect(a.ledger.consecutiveLosingExits()).toBe(2);
    const [v] = cooldownAfterLoss(cfg(), onFill(a, a.fill(C.MNQ, small(3))));
    expect(v?.message).toMatch(/^3 losing exits in a row/);
    // A winning row that turns an order's sum positive makes it a winner: the streak ends.
    a.fill(C.MNQ, { side: 'sell', pnl: -5, orderId: 4 });
    a.fill(C.MNQ, { side: 'sell', pnl: 8, orderId: 4 });
    expect(a.ledger.consecutiveLosingExits()).toBe(0);
  });

  it('entries, voided exits and riskd exits never count', () => {
    const a = new TestAccount();
    expect(cooldownAfterLoss(cfg(), onFill(a, a.fill(C.ES, { side: 'buy', fees: 500 })))).toEqual([]);
    expect(cooldownAfterLoss(cfg(), onFill(a, a.fill(C.ES, { side: 'sell', pnl: -900, byRiskd: true })))).toEqual([]);
    const voided = a.fill(C.ES, { side: 'sell', pnl: -900, voided: true });
    expect(cooldownAfterLoss(cfg(), onFill(a, voided))).toEqual([]);
  });

  it('consecutive losers trigger the streak cooldown; a profitable exit resets the streak', () => {
    const a = new TestAccount();
    const small = { side: 'sell' as const, pnl: -10 };
    a.fill(C.MNQ, small);
    a.fill(C.MNQ, small);
    a.fill(C.MNQ, { side: 'sell', pnl: 20 }); // resets
    a.fill(C.MNQ, small);
    expect(cooldownAfterLoss(cfg(), onFill(a, a.fill(C.MNQ, small)))).toEqual([]); // 2 in a row
    a.fill(C.MNQ, { side: 'buy' }); // entries neither count nor reset
    a.fill(C.MNQ, { side: 'sell', pnl: 50, byRiskd: true }); // riskd's exits neither count nor reset
    const [v] = cooldownAfterLoss(cfg(), onFill(a, a.fill(C.MNQ, small)));
    expect(v?.lock).toMatchObject({ kind: 'cooldown', until: a.now + 1_800_000 });
    expect(v?.message).toBe('3 losing exits in a row (limit 3): cooling down 30m, no new trades until 09:30 CT');
  });

  it('a scratch exit that loses its fees is a loser; the longest lock wins over a tier', () => {
    const a = new TestAccount();
    a.fill(C.MNQ, { side: 'sell', pnl: 0, fees: 1 });
    a.fill(C.MNQ, { side: 'sell', pnl: 0, fees: 1 });
    const [v] = cooldownAfterLoss(cfg(), onFill(a, a.fill(C.MNQ, { side: 'sell', pnl: -120 })));
    expect(v?.lock?.until).toBe(a.now + 1_800_000); // streak 30m beats tier 5m
    const [w] = cooldownAfterLoss(cfg({ consecutive_losses: { count: 3, cooldown: 60_000 } }), onFill(a, a.fill(C.MNQ, { side: 'sell', pnl: -120 })));
    expect(w?.lock?.until).toBe(a.now + 300_000);
  });
});
