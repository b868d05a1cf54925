import { describe, expect, it } from 'vitest';
import { dailyRealizedLoss } from '../../src/rules/r003-dailyRealizedLoss.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, clockTick } from './fixtures.ts';

type Cfg = ReturnType<typeof allDisabled>['daily_realized_loss'];
const cfg = (over: Partial<Cfg> = {}): Cfg => ({ ...allDisabled().daily_realized_loss, enabled: true, ...over });

describe('RULE-003 daily_realized_loss', () => {
  it('breaches at exactly -limit (net of fees), not a cent before', () => {
    const a = new TestAccount();
    a.fill(C.MNQ, { side: 'buy' });
    a.fill(C.MNQ, { side: 'sell', pnl: -495.01, fees: 4.98 });
    expect(dailyRealizedLoss(cfg(), a.ctx(clockTick))).toEqual([]); // -499.99
    a.fill(C.MNQ, { side: 'buy', fees: 0.01 }); // an entry's fee counts too: -500.00
    const [v] = dailyRealizedLoss(cfg(), a.ctx(clockTick));
    expect(v?.intents).toEqual([
      { type: 'flatten', accountId: ACCOUNT_ID },
      { type: 'cancelAll', accountId: ACCOUNT_ID },
    ]);
    expect(v?.lock).toEqual({ kind: 'until_reset', rule: 'RULE-003', reason: 'Daily loss $500.00 reached your $500.00 limit' });
    expect(v?.message).toBe('Daily loss $500.00 reached your $500.00 limit: flattened, locked until the 17:00 CT reset');
    expect(v?.numbers).toEqual({ limit: 500, value: -500 });
  });

  it('include_fees: false uses the gross P&L', () => {
    const a = new TestAccount();
    a.fill(C.ES, { side: 'sell', pnl: -490, fees: 20 });
    expect(dailyRealizedLoss(cfg({ include_fees: false }), a.ctx(clockTick))).toEqual([]);
    expect(dailyRealizedLoss(cfg({ include_fees: true }), a.ctx(clockTick))).toHaveLength(1);
  });

  it('a voided losing fill no longer counts its P&L, but its fees still do', () => {
    const a = new TestAccount();
    a.fill(C.ES, { side: 'sell', pnl: -600, fees: 5, id: 555 });
    expect(dailyRealizedLoss(cfg(), a.ctx(clockTick))).toHaveLength(1);
    a.fill(C.ES, { side: 'sell', pnl: -600, fees: 5, id: 555, voided: true });
    expect(a.ledger.realizedNetToday(true)).toBe(-5);
    expect(dailyRealizedLoss(cfg(), a.ctx(clockTick))).toEqual([]);
  });

  it('a profit offsets earlier losses; yesterday does not count', () => {
    const a = new TestAccount();
    a.fill(C.ES, { side: 'sell', pnl: -450 });
    a.fill(C.ES, { side: 'sell', pnl: 100 });
    a.fill(C.ES, { side: 'sell', pnl: -149.99 });
    expect(dailyRealizedLoss(cfg(), a.ctx(clockTick))).toEqual([]);
    a.advance(9 * 3_600_000); // 18:00 CST: a new trading day
    a.fill(C.ES, { side: 'sell', pnl: -100 });
    expect(dailyRealizedLoss(cfg(), a.ctx(clockTick))).toEqual([]);
  });

  it('does nothing when disabled', () => {
    const a = new TestAccount();
    a.fill(C.ES, { side: 'sell', pnl: -5000 });
    expect(dailyRealizedLoss(cfg({ enabled: false }), a.ctx(clockTick))).toEqual([]);
  });
});
