import { describe, expect, it } from 'vitest';
import { hasProtectiveStop } from '../../src/rules/r008-noStopLossGrace.ts';
import { OrderType } from '../../src/gateway/models.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, positionChanged } from './fixtures.ts';

const SELL = 1 as const;
const BUY = 0 as const;
const cfg = { ...allDisabled().no_stop_loss_grace, enabled: true };

function longMnq(size = 2): TestAccount {
  return new TestAccount().position(C.MNQ, 'long', size, 21000).quote(C.MNQ, { bid: 21010, ask: 21010.25 });
}
const protectedNow = (a: TestAccount, c = C.MNQ) => hasProtectiveStop(a.ledger, a.ledger.position(c.id)!);

describe('RULE-008 hasProtectiveStop', () => {
  it('a working sell stop for the full size below the mark protects a long', () => {
    const a = longMnq();
    expect(protectedNow(a)).toBe(false);
    a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, stopPrice: 20990 });
    expect(protectedNow(a)).toBe(true);
  });

  it('StopLimit and TrailingStop count; a limit order does not', () => {
    const a = longMnq();
    a.order(C.MNQ, { side: SELL, type: OrderType.Limit, size: 2, limitPrice: 20990 });
    expect(protectedNow(a)).toBe(false);
    a.order(C.MNQ, { side: SELL, type: OrderType.StopLimit, size: 1, stopPrice: 20990, limitPrice: 20989 });
    a.order(C.MNQ, { side: SELL, type: OrderType.TrailingStop, size: 1, trailPrice: 5 }); // read back with no stopPrice
    expect(protectedNow(a)).toBe(true);
  });

  it('needs the opposite side, the same contract and the full size (partials add up)', () => {
    const a = longMnq();
    a.order(C.MNQ, { side: BUY, type: OrderType.Stop, size: 2, stopPrice: 21050 });
    a.order(C.MNQH6, { side: SELL, type: OrderType.Stop, size: 2, stopPrice: 20990 });
    a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 1, stopPrice: 20990 });
    expect(protectedNow(a)).toBe(false);
    a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 1, stopPrice: 20980 });
    expect(protectedNow(a)).toBe(true);
  });

  it('a partly filled stop covers only what is left', () => {
    const a = longMnq();
    a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, fillVolume: 1, stopPrice: 20990 });
    expect(protectedNow(a)).toBe(false);
    a.position(C.MNQ, 'long', 1, 21000);
    expect(protectedNow(a)).toBe(true);
  });

  it('a Suspended (8) bracket stop child counts only once it is Open (1)', () => {
    const a = longMnq();
    const child = a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, status: 8, parentOrderId: 99, updateTimestamp: a.now });
    expect(protectedNow(a)).toBe(false);
    a.order(C.MNQ, { ...child, status: 1, stopPrice: 20990, updateTimestamp: a.now + 1 });
    expect(protectedNow(a)).toBe(true);
  });

  it('the stop must be on the loss side of the mark; breakeven and profit-locking stops count', () => {
    const a = longMnq();
    const o = a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, stopPrice: 21005, updateTimestamp: a.now }); // above avg
    expect(protectedNow(a)).toBe(true);
    a.quote(C.MNQ, { bid: 21004 }); // market fell through it (stop not yet reported filled)
    expect(protectedNow(a)).toBe(false);
    expect(o.id).toBeGreaterThan(0);
  });

  it('a short needs a buy stop above the mark; without any quote a priced stop counts', () => {
    const a = new TestAccount().position(C.ES, 'short', 1, 6000);
    a.order(C.ES, { side: BUY, type: OrderType.Stop, size: 1, stopPrice: 6010 });
    expect(protectedNow(a, C.ES)).toBe(true);
    a.quote(C.ES, { bid: 6011, ask: 6011.25 });
    expect(protectedNow(a, C.ES)).toBe(false);
  });
});
