import { describe, expect, it } from 'vitest';
import { dailyRealizedProfit } from '../../src/rules/r013-dailyRealizedProfit.ts';
import { ACCOUNT_ID, C, TestAccount, clockTick } from './fixtures.ts';

const cfg = { enabled: true, target: 1000 };

describe('RULE-013 daily_realized_profit', () => {
  it('at exactly the target (net of fees): flatten, cancel all, locked until the reset', () => {
    const a = new TestAccount();
    a.fill(C.ES, { side: 'sell', pnl: 1004.99, fees: 5 });
    expect(dailyRealizedProfit(cfg, a.ctx(clockTick))).toEqual([]);
    a.fill(C.ES, { side: 'sell', pnl: 0.01 });
    const [v] = dailyRealizedProfit(cfg, a.ctx(clockTick));
    expect(v?.intents).toEqual([
      { type: 'flatten', accountId: ACCOUNT_ID },
      { type: 'cancelAll', accountId: ACCOUNT_ID },
    ]);
    expect(v?.lock).toEqual({ kind: 'until_reset', rule: 'RULE-013', reason: 'Daily profit $1,000.00 reached your $1,000.00 target' });
    expect(v?.message).toBe('Daily profit $1,000.00 reached your $1,000.00 target: flattened, locked until the 17:00 CT reset');
  });

  it('fees follow daily_realized_loss.include_fees', () => {
    const a = new TestAccount();
    a.fill(C.ES, { side: 'sell', pnl: 1000, fees: 5 });
    expect(dailyRealizedProfit(cfg, a.ctx(clockTick), true)).toEqual([]);
    expect(dailyRealizedProfit(cfg, a.ctx(clockTick), false)).toHaveLength(1);
  });

  it('disabled: nothing', () => {
    const a = new TestAccount();
    a.fill(C.ES, { side: 'sell', pnl: 5000 });
    expect(dailyRealizedProfit({ enabled: false, target: 1000 }, a.ctx(clockTick))).toEqual([]);
  });
});
