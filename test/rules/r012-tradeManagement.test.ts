import { describe, expect, it } from 'vitest';
import { snapToTick, tradeManagement } from '../../src/rules/r012-tradeManagement.ts';
import { OrderType } from '../../src/gateway/models.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, positionChanged, quoteFor } from './fixtures.ts';

const cfg = { ...allDisabled().trade_management, enabled: true }; // breakeven 10/+1, trailing 20/10
const SELL = 1 as const;
const BUY = 0 as const;

function longMnq(bid: number): TestAccount {
  return new TestAccount().position(C.MNQ, 'long', 2, 21000).quote(C.MNQ, { bid, ask: bid + 0.25 });
}

describe('RULE-012 trade_management', () => {
  it('snaps to the tick grid toward the requested side without float noise', () => {
    expect(snapToTick(21000.35, 0.25, 'up')).toBe(21000.5);
    expect(snapToTick(21000.35, 0.25, 'down')).toBe(21000.25);
    expect(snapToTick(0.1 + 0.2, 0.1, 'down')).toBe(0.3);
  });

  it('below the breakeven trigger: nothing', () => {
    const a = longMnq(21002.25); // 9 ticks
    a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, stopPrice: 20990 });
    expect(tradeManagement(cfg, a.ctx(quoteFor(C.MNQ)))).toEqual([]);
  });

  it("at the trigger the trader's own stop moves to breakeven + offset", () => {
    const a = longMnq(21002.5); // 10 ticks
    const stop = a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, stopPrice: 20990 });
    const [v] = tradeManagement(cfg, a.ctx(quoteFor(C.MNQ)));
    expect(v?.intents).toEqual([
      { type: 'moveStop', accountId: ACCOUNT_ID, contractId: C.MNQ.id, orderId: stop.id, stopPrice: 21000.25, size: 2, side: SELL },
    ]);
    expect(v?.message).toBe('MNQ long is 10 ticks in profit: stop moved to 21000.25 (breakeven)');
  });

  it('places a stop when the position has none', () => {
    const a = longMnq(21002.5);
    const [v] = tradeManagement(cfg, a.ctx(quoteFor(C.MNQ)));
    expect(v?.intents).toEqual([{ type: 'moveStop', accountId: ACCOUNT_ID, contractId: C.MNQ.id, stopPrice: 21000.25, size: 2, side: SELL }]);
    expect(v?.message).toContain('stop placed at 21000.25');
  });

  it('never loosens: a stop the trader moved further in their favour is respected', () => {
    const a = longMnq(21003);
    a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, stopPrice: 21001 });
    expect(tradeManagement(cfg, a.ctx(quoteFor(C.MNQ)))).toEqual([]);
  });

  it('trails distance_ticks behind the mark once activated, and the tighter stage wins', () => {
    const a = longMnq(21005); // 20 ticks: trailing 21002.5 beats breakeven 21000.25
    a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, stopPrice: 21000.25 });
    const [v] = tradeManagement(cfg, a.ctx(quoteFor(C.MNQ)));
    expect(v?.intents[0]).toMatchObject({ type: 'moveStop', stopPrice: 21002.5 });
    expect(v?.message).toBe('MNQ long is 20 ticks in profit: stop moved to 21002.5 (10 ticks behind 21005)');
  });

  it('a short gets a buy stop above the mark at breakeven - offset', () => {
    const a = new TestAccount().position(C.ES, 'short', 1, 6000).quote(C.ES, { bid: 5997.25, ask: 5997.5 });
    a.order(C.ES, { side: BUY, type: OrderType.Stop, size: 1, stopPrice: 6005 });
    const [v] = tradeManagement(cfg, a.ctx(quoteFor(C.ES)));
    expect(v?.intents[0]).toMatchObject({ type: 'moveStop', stopPrice: 5999.75, side: BUY, size: 1 });
  });

  it('an off-grid average after a scale-in rounds the breakeven stop toward the mark', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 3, 21000.1).quote(C.MNQ, { bid: 21003 });
    const [v] = tradeManagement(cfg, a.ctx(positionChanged(C.MNQ)));
    expect(v?.intents[0]).toMatchObject({ stopPrice: 21000.5, size: 3 });
  });

  it('at most one modify per second per order, one placement per second per contract', () => {
    const a = longMnq(21002.5);
    const stop = a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, stopPrice: 20990 });
    const recent = (id: number) => (id === stop.id ? a.now - 999 : undefined);
    expect(tradeManagement(cfg, a.ctx(quoteFor(C.MNQ), { lastModifyAt: recent }))).toEqual([]);
    const older = (id: number) => (id === stop.id ? a.now - 1000 : undefined);
    expect(tradeManagement(cfg, a.ctx(quoteFor(C.MNQ), { lastModifyAt: older }))).toHaveLength(1);
    const b = longMnq(21002.5);
    expect(tradeManagement(cfg, b.ctx(quoteFor(C.MNQ), { lastStopPlacedAt: () => b.now - 10 }))).toEqual([]);
  });

  it("waits for a pending or suspended stop, and leaves a trader's trailing stop alone", () => {
    const a = longMnq(21002.5);
    a.order(C.MNQ, { side: SELL, type: OrderType.Stop, size: 2, status: 8, parentOrderId: 5 });
    expect(tradeManagement(cfg, a.ctx(quoteFor(C.MNQ)))).toEqual([]);
    const b = longMnq(21002.5);
    b.order(C.MNQ, { side: SELL, type: OrderType.TrailingStop, size: 2, trailPrice: 5 });
    expect(tradeManagement(cfg, b.ctx(quoteFor(C.MNQ)))).toEqual([]);
  });

  it('no quote, another contract quoted, or disabled: nothing', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 1, 21000);
    expect(tradeManagement(cfg, a.ctx(positionChanged(C.MNQ)))).toEqual([]);
    a.quote(C.MNQ, { bid: 21010 }).quote(C.ES, { bid: 6000 });
    expect(tradeManagement(cfg, a.ctx(quoteFor(C.ES)))).toEqual([]);
    expect(tradeManagement({ ...cfg, enabled: false }, a.ctx(quoteFor(C.MNQ)))).toEqual([]);
    expect(tradeManagement(cfg, a.ctx(quoteFor(C.MNQ)))).toHaveLength(1);
  });
});
