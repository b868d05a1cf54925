import { describe, expect, it } from 'vitest';
import { dailyUnrealizedLoss } from '../../src/rules/r004-dailyUnrealizedLoss.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, positionChanged, quoteFor } from './fixtures.ts';

type Cfg = ReturnType<typeof allDisabled>['daily_unrealized_loss'];
const cfg = (over: Partial<Cfg> = {}): Cfg => ({ ...allDisabled().daily_unrealized_loss, enabled: true, ...over });
const budget = { ...allDisabled().daily_realized_loss, enabled: true }; // $500

describe('RULE-004 daily_unrealized_loss', () => {
  it('per_position: closes the position at exactly -limit, not a tick before', () => {
    // MNQ: $0.50 per 0.25 tick = $2/point per contract; 2 contracts lose $300 over 75 points.
    const a = new TestAccount().position(C.MNQ, 'long', 2, 21000);
    a.quote(C.MNQ, { bid: 20925.25, ask: 20925.5 });
    expect(dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.MNQ)))).toEqual([]);
    a.quote(C.MNQ, { bid: 20925 });
    const [v] = dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.MNQ)));
    expect(v?.intents).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.MNQ.id }]);
    expect(v?.numbers).toEqual({ limit: 300, value: -300, symbol: 'MNQ', contractId: C.MNQ.id, size: 2 });
    expect(v?.message).toBe('Open loss $300.00 on MNQ (long 2 contracts) reached your $300.00 limit: position closed');
  });

  it('no quote, no verdict; a long with only bestAsk has no mark, a short uses it', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).position(C.MES, 'short', 10, 6000);
    expect(dailyUnrealizedLoss(cfg(), a.ctx(positionChanged(C.ES)))).toEqual([]);
    a.quote(C.ES, { ask: 5990 }).quote(C.MES, { ask: 6030 });
    expect(a.ledger.position(C.ES.id)?.mark).toBeNull();
    expect(dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.ES)))).toEqual([]);
    // MES short 10 from 6000, ask 6030: 120 ticks x $1.25 x 10 = $1500 loss.
    const [v] = dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.MES)));
    expect(v?.numbers).toMatchObject({ contractId: C.MES.id, value: -1500 });
  });

  it('on a quote only the quoted contract is checked; other events check every position', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).position(C.MNQ, 'long', 1, 21000);
    a.quote(C.ES, { bid: 5990 }).quote(C.MNQ, { bid: 21000 });
    expect(dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.MNQ)))).toEqual([]);
    expect(dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.ES)))).toHaveLength(1);
    expect(dailyUnrealizedLoss(cfg(), a.ctx(positionChanged(C.MNQ)))).toHaveLength(1);
  });

  it('a scale-in moves the average the loss is measured from', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000);
    a.quote(C.ES, { bid: 5994 }); // -$300 on 1
    expect(dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.ES)))).toHaveLength(1);
    a.advance(10).position(C.ES, 'long', 2, 5997); // bought one more at 5994: avg 5997, 2 x -3 pts = -$300
    expect(dailyUnrealizedLoss(cfg(), a.ctx(positionChanged(C.ES)))).toHaveLength(1);
    a.quote(C.ES, { bid: 5994.25 });
    expect(dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.ES)))).toEqual([]);
  });

  it('scope total flattens when the sum reaches -limit; any unmarked position means no verdict', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).position(C.NQ, 'short', 1, 21000);
    a.quote(C.ES, { bid: 5997 }); // -150
    expect(dailyUnrealizedLoss(cfg({ scope: 'total' }), a.ctx(quoteFor(C.ES)))).toEqual([]);
    a.quote(C.NQ, { ask: 21007.5 }); // 30 ticks x $5 = -150
    const [v] = dailyUnrealizedLoss(cfg({ scope: 'total' }), a.ctx(quoteFor(C.NQ)));
    expect(v?.intents).toEqual([{ type: 'flatten', accountId: ACCOUNT_ID }]);
    expect(v?.numbers).toEqual({ limit: 300, value: -300 });
  });

  it('respect_realized_budget flattens when realized + unrealized reaches the daily loss limit', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000);
    a.fill(C.ES, { side: 'sell', pnl: -398, fees: 2 }); // -400 net
    a.quote(C.ES, { bid: 5998.25 }); // -87.50: total -487.50
    expect(dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.ES)), budget)).toEqual([]);
    a.quote(C.ES, { bid: 5998 }); // -100: total -500
    const [v] = dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.ES)), budget);
    expect(v?.intents).toEqual([{ type: 'flatten', accountId: ACCOUNT_ID }]);
    expect(v?.message).toBe('Realized -$400.00 plus open -$100.00 is a $500.00 loss, reaching your $500.00 daily loss limit: flattened');
    // Without a budget (RULE-003 disabled) or with the option off: nothing.
    expect(dailyUnrealizedLoss(cfg(), a.ctx(quoteFor(C.ES)), null)).toEqual([]);
    expect(dailyUnrealizedLoss(cfg({ respect_realized_budget: false }), a.ctx(quoteFor(C.ES)), budget)).toEqual([]);
  });
});
