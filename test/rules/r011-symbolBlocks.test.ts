import { describe, expect, it } from 'vitest';
import { isSymbolBlocked, symbolBlocks } from '../../src/rules/r011-symbolBlocks.ts';
import { OrderType } from '../../src/gateway/models.ts';
import { ACCOUNT_ID, C, TestAccount, positionChanged } from './fixtures.ts';

const cfg = (symbols: string[]) => ({ enabled: true, symbols });

describe('RULE-011 symbol_blocks', () => {
  it('matches the trader symbol exactly, case-insensitive: ES does not block MES', () => {
    expect(isSymbolBlocked(cfg(['es']), 'ES')).toBe(true);
    expect(isSymbolBlocked(cfg(['ES']), 'MES')).toBe(false);
  });

  it('closes positions and cancels orders in a blocked symbol, with a symbol lock', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).position(C.MES, 'long', 1, 6000);
    const o = a.order(C.ESH6, { side: 0, type: OrderType.Limit, limitPrice: 5900 });
    a.order(C.MES, { side: 0, type: OrderType.Limit, limitPrice: 5900 });
    const vs = symbolBlocks(cfg(['es']), a.ctx(positionChanged(C.ES)));
    expect(vs).toHaveLength(1);
    expect(vs[0]?.intents).toEqual([
      { type: 'close', accountId: ACCOUNT_ID, contractId: C.ES.id },
      { type: 'cancelAll', accountId: ACCOUNT_ID, symbol: 'ES' },
    ]);
    expect(a.ledger.workingOrders().filter((w) => w.id === o.id)).toHaveLength(1); // the order it covers
    expect(vs[0]?.lock).toEqual({ kind: 'symbol', rule: 'RULE-011', reason: 'ES is a blocked symbol', symbol: 'ES' });
    expect(vs[0]?.message).toBe('ES is a blocked symbol: closed 1 contract and cancelled 1 order, ES locked');
  });

  it('gateway roots resolve to tickers (CLE is CL, ENQ is NQ)', () => {
    const a = new TestAccount().position(C.CL, 'short', 2, 70).position(C.NQ, 'long', 1, 21000);
    const vs = symbolBlocks(cfg(['CL', 'NQ']), a.ctx(positionChanged(C.CL)));
    expect(vs.map((v) => v.numbers.symbol).sort()).toEqual(['CL', 'NQ']);
  });

  it('nothing in a blocked symbol, or disabled: no verdict', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 1, 21000);
    expect(symbolBlocks(cfg(['RTY', 'NQ']), a.ctx(positionChanged(C.MNQ)))).toEqual([]);
    expect(symbolBlocks({ enabled: false, symbols: ['MNQ'] }, a.ctx(positionChanged(C.MNQ)))).toEqual([]);
  });
});
