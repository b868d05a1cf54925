import { describe, expect, it } from 'vitest';
import { instrumentLimit, maxContractsPerInstrument } from '../../src/rules/r002-maxContractsPerInstrument.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, positionChanged } from './fixtures.ts';

type Cfg = ReturnType<typeof allDisabled>['max_contracts_per_instrument'];
const cfg = (over: Partial<Cfg> = {}): Cfg => ({ ...allDisabled().max_contracts_per_instrument, enabled: true, ...over });

describe('RULE-002 max_contracts_per_instrument', () => {
  it('reads limits[symbol], else default_limit', () => {
    expect(instrumentLimit(cfg(), 'MNQ')).toBe(4);
    expect(instrumentLimit(cfg(), 'mnq')).toBe(4);
    expect(instrumentLimit(cfg(), 'YM')).toBe(2);
  });

  it('allows exactly the limit', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 4, 21000);
    expect(maxContractsPerInstrument(cfg(), a.ctx(positionChanged(C.MNQ)))).toEqual([]);
  });

  it('counts all expiries of a symbol together and reduces the largest exposure first', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 3, 21000).position(C.MNQH6, 'long', 2, 21100);
    const vs = maxContractsPerInstrument(cfg(), a.ctx(positionChanged(C.MNQH6)));
    expect(vs).toHaveLength(1);
    expect(vs[0]?.numbers).toMatchObject({ symbol: 'MNQ', limit: 4, value: 5, size: 1 });
    expect(vs[0]?.intents).toEqual([{ type: 'reduce', accountId: ACCOUNT_ID, contractId: C.MNQ.id, size: 1 }]);
  });

  it('maps gateway roots to tickers: EP is ES, ENQ is NQ', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).position(C.ESH6, 'short', 1, 6010).position(C.NQ, 'long', 2, 21000);
    const vs = maxContractsPerInstrument(cfg(), a.ctx(positionChanged(C.NQ)));
    const bySymbol = Object.fromEntries(vs.map((v) => [v.numbers.symbol, v]));
    expect(Object.keys(bySymbol).sort()).toEqual(['ES', 'NQ']);
    expect(bySymbol.ES?.message).toBe('2 contracts of ES open, over your limit of 1: reduced by 1 (ES -1 (closed))');
    expect(bySymbol.NQ?.intents).toEqual([{ type: 'reduce', accountId: ACCOUNT_ID, contractId: C.NQ.id, size: 1 }]);
  });

  it('a limit of 0 means the symbol is not allowed: every position in it is closed', () => {
    const a = new TestAccount().position(C.RTY, 'short', 1, 2400);
    const [v] = maxContractsPerInstrument(cfg({ limits: { RTY: 0 } }), a.ctx(positionChanged(C.RTY)));
    expect(v?.intents).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.RTY.id }]);
    expect(v?.message).toBe('RTY is not allowed (limit 0): closed 1 contract');
  });

  it('close_position closes every position of the symbol', () => {
    const a = new TestAccount().position(C.MES, 'long', 3, 6000).position(C.ESH6, 'long', 1, 6000);
    const [v] = maxContractsPerInstrument(cfg({ default_limit: 2, limits: {}, action: 'close_position' }), a.ctx(positionChanged(C.MES)));
    expect(v?.numbers.symbol).toBe('MES');
    expect(v?.intents).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.MES.id }]);
  });
});
