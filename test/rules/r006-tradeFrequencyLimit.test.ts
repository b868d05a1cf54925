import { describe, expect, it } from 'vitest';
import { tradeFrequencyLimit } from '../../src/rules/r006-tradeFrequencyLimit.ts';
import { C, TestAccount, allDisabled, clockTick } from './fixtures.ts';
import type { FillView } from '../../src/ledger/view.ts';

type Cfg = ReturnType<typeof allDisabled>['trade_frequency_limit'];
const cfg = (over: Partial<Cfg> = {}): Cfg => ({ ...allDisabled().trade_frequency_limit, enabled: true, ...over });
const onFill = (a: TestAccount, fill: FillView) => a.ctx({ kind: 'fill', fill });

describe('RULE-006 trade_frequency_limit', () => {
  it('the limit itself is allowed; one more entry within a minute starts the minute cooldown', () => {
    const a = new TestAccount();
    let f!: FillView;
    for (let i = 0; i < 3; i++) f = a.advance(5000).fill(C.MNQ, { side: 'buy' });
    expect(tradeFrequencyLimit(cfg(), onFill(a, f))).toEqual([]);
    f = a.advance(5000).fill(C.MNQ, { side: 'buy' });
    const [v] = tradeFrequencyLimit(cfg(), onFill(a, f));
    expect(v?.intents).toEqual([]);
    expect(v?.lock).toEqual({ kind: 'cooldown', rule: 'RULE-006', reason: '4 entries in the last minute, over your limit of 3', until: a.now + 60_000 });
    expect(v?.message).toBe('4 entries in the last minute, over your limit of 3: no new trades until 09:01 CST (1m)');
    expect(v?.numbers).toMatchObject({ limit: 3, value: 4, symbol: 'MNQ' });
  });

  it('exits do not count as entries; with count: fills they do', () => {
    const a = new TestAccount();
    a.fill(C.MNQ, { side: 'buy' });
    a.fill(C.MNQ, { side: 'sell', pnl: 10 });
    a.fill(C.MNQ, { side: 'buy' });
    const f = a.fill(C.MNQ, { side: 'sell', pnl: 10 });
    expect(tradeFrequencyLimit(cfg(), onFill(a, f))).toEqual([]); // an exit never triggers the entries count
    expect(tradeFrequencyLimit(cfg({ count: 'fills' }), onFill(a, f))).toHaveLength(1);
  });

  it("riskd's own fills and voided fills never count nor trigger", () => {
    const a = new TestAccount();
    for (let i = 0; i < 3; i++) a.fill(C.MNQ, { side: 'buy' });
    const own = a.fill(C.MNQ, { side: 'sell', byRiskd: true, pnl: -5 });
    expect(tradeFrequencyLimit(cfg({ count: 'fills' }), onFill(a, own))).toEqual([]);
    const entry = a.fill(C.MNQ, { side: 'buy', id: 4242 });
    a.fill(C.MNQ, { side: 'buy', id: 4242, voided: true });
    expect(a.ledger.countSince(0, 'entries')).toBe(3);
    expect(tradeFrequencyLimit(cfg(), onFill(a, { ...entry, voided: true }))).toEqual([]);
  });

  it('partial fills of one order are separate fills', () => {
    const a = new TestAccount();
    a.fill(C.ES, { side: 'buy', size: 1 });
    a.fill(C.ES, { side: 'buy', size: 1 });
    a.fill(C.ES, { side: 'buy', size: 1 });
    const f = a.fill(C.ES, { side: 'buy', size: 2 });
    expect(tradeFrequencyLimit(cfg(), onFill(a, f))[0]?.numbers.value).toBe(4);
  });

  it('the longest of several breached windows wins', () => {
    const a = new TestAccount();
    let f!: FillView;
    for (let i = 0; i < 11; i++) f = a.advance(70_000).fill(C.MNQ, { side: 'buy' }); // 1 per 70s: minute never breached
    const [v] = tradeFrequencyLimit(cfg(), onFill(a, f));
    expect(v?.lock).toMatchObject({ kind: 'cooldown', until: a.now + 1_800_000 });
    expect(v?.message).toContain('11 entries in the last hour, over your limit of 10');
    f = a.advance(1000).fill(C.MNQ, { side: 'buy' });
    f = a.advance(1000).fill(C.MNQ, { side: 'buy' });
    f = a.advance(1000).fill(C.MNQ, { side: 'buy' }); // now the minute (4) and the hour (14) both breach
    const [w] = tradeFrequencyLimit(cfg(), onFill(a, f));
    expect(w?.lock?.until).toBe(a.now + 1_800_000);
  });

  it('per_day with until_reset locks until the next reset', () => {
    const a = new TestAccount();
    const day = cfg({ per_minute: { limit: 100, cooldown: 60_000 }, per_hour: { limit: 100, cooldown: 60_000 }, per_day: { limit: 2, cooldown: 'until_reset' } });
    a.fill(C.MNQ, { side: 'buy' });
    a.advance(3_600_000).fill(C.MNQ, { side: 'buy' });
    const f = a.advance(3_600_000).fill(C.MNQ, { side: 'buy' });
    const [v] = tradeFrequencyLimit(day, onFill(a, f));
    expect(v?.lock).toEqual({ kind: 'until_reset', rule: 'RULE-006', reason: '3 entries today, over your limit of 2' });
    expect(v?.message).toBe('3 entries today, over your limit of 2: no new trades until 17:00 CST');
  });

  it('a breach during a cooldown extends it (the new deadline is later); other triggers never do', () => {
    const a = new TestAccount();
    for (let i = 0; i < 3; i++) a.fill(C.MNQ, { side: 'buy' });
    const first = tradeFrequencyLimit(cfg(), onFill(a, a.fill(C.MNQ, { side: 'buy' })))[0]?.lock?.until ?? 0;
    const second = tradeFrequencyLimit(cfg(), onFill(a, a.advance(20_000).fill(C.MNQ, { side: 'buy' })))[0]?.lock?.until ?? 0;
    expect(second).toBe(first + 20_000);
    expect(tradeFrequencyLimit(cfg(), a.ctx(clockTick))).toEqual([]);
  });

  it('the rolling windows count by when riskd received each fill, whatever the gateway stamped', () => {
    for (const skew of [-5000, 5000]) {
      const a = new TestAccount();
      // 4 entries 16 s apart: the first is 48 s old on riskd's clock (inside the minute) whichever way the
      // gateway's clock is off; a stamp-based count would drop or add one at the edge.
      let f!: FillView;
      for (let i = 0; i < 4; i++) f = a.advance(16_000).fill(C.MNQ, { side: 'buy', at: a.now + skew });
      a.advance(11_000);
      expect(tradeFrequencyLimit(cfg(), onFill(a, f))[0]?.numbers.value, `skew ${skew}`).toBe(4);
      a.advance(2_000); // 61 s after the first arrived: it left the minute
      expect(tradeFrequencyLimit(cfg(), onFill(a, f)), `skew ${skew}`).toEqual([]);
    }
  });
});
