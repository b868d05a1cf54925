import { describe, expect, it } from 'vitest';
import { maxUnrealizedProfit } from '../../src/rules/r005-maxUnrealizedProfit.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, positionChanged, quoteFor } from './fixtures.ts';

type Cfg = ReturnType<typeof allDisabled>['max_unrealized_profit'];
const cfg = (over: Partial<Cfg> = {}): Cfg => ({ ...allDisabled().max_unrealized_profit, enabled: true, ...over });

describe('RULE-005 max_unrealized_profit', () => {
  it('per_position takes profit at exactly the target', () => {
    const a = new TestAccount().position(C.ES, 'short', 2, 6000);
    a.quote(C.ES, { bid: 5989.75, ask: 5990.25 }); // short marks at ask: 10 - 0.25 pts: 39 ticks x 12.5 x 2 = 975
    expect(maxUnrealizedProfit(cfg(), a.ctx(quoteFor(C.ES)))).toEqual([]);
    a.quote(C.ES, { ask: 5990 }); // 40 ticks x 12.5 x 2 = 1000
    const [v] = maxUnrealizedProfit(cfg(), a.ctx(quoteFor(C.ES)));
    expect(v?.intents).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.ES.id }]);
    expect(v?.message).toBe('Open profit $1,000.00 on ES (short 2 contracts) reached your $1,000.00 target: took profit, position closed');
  });

  it('falls back to the last price when the side of the book is missing', () => {
    const a = new TestAccount().position(C.NQ, 'long', 1, 21000);
    a.quote(C.NQ, { ask: 21300, last: 21200 }); // long: no bid -> last 21200 = 800 ticks x $5 = $4000
    const [v] = maxUnrealizedProfit(cfg(), a.ctx(quoteFor(C.NQ)));
    expect(v?.numbers.value).toBe(4000);
  });

  it('scope total flattens on the sum', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).position(C.MNQ, 'long', 1, 21000);
    a.quote(C.ES, { bid: 6010 }).quote(C.MNQ, { bid: 21250 }); // 500 + 500
    expect(maxUnrealizedProfit(cfg(), a.ctx(positionChanged(C.ES)))).toEqual([]);
    const [v] = maxUnrealizedProfit(cfg({ scope: 'total' }), a.ctx(positionChanged(C.ES)));
    expect(v?.intents).toEqual([{ type: 'flatten', accountId: ACCOUNT_ID }]);
  });

  it('no quote, no verdict; disabled, nothing', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000);
    expect(maxUnrealizedProfit(cfg({ target: 1 }), a.ctx(positionChanged(C.ES)))).toEqual([]);
    a.quote(C.ES, { bid: 7000 });
    expect(maxUnrealizedProfit(cfg({ enabled: false }), a.ctx(quoteFor(C.ES)))).toEqual([]);
  });
});
