import { describe, expect, it } from 'vitest';
import { maxContracts } from '../../src/rules/r001-maxContracts.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, positionChanged } from './fixtures.ts';

const cfg = (over: Partial<ReturnType<typeof allDisabled>['max_contracts']> = {}) => ({
  ...allDisabled().max_contracts,
  enabled: true,
  ...over,
});

describe('RULE-001 max_contracts', () => {
  it('does nothing when disabled or at exactly the limit', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 3, 21000).position(C.ES, 'short', 2, 6000);
    expect(maxContracts({ ...cfg(), enabled: false, limit: 1 }, a.ctx(positionChanged(C.MNQ)))).toEqual([]);
    expect(maxContracts(cfg({ limit: 5 }), a.ctx(positionChanged(C.MNQ)))).toEqual([]);
  });

  it('reduce_to_limit takes the excess from the largest dollar exposure first', () => {
    // MNQ 4 x 21000 x $2/pt = $168k; ES 2 x 6000 x $50/pt = $600k: ES goes first.
    const a = new TestAccount().position(C.MNQ, 'long', 4, 21000).position(C.ES, 'long', 2, 6000);
    const [v] = maxContracts(cfg({ limit: 5 }), a.ctx(positionChanged(C.ES)));
    expect(v?.intents).toEqual([{ type: 'reduce', accountId: ACCOUNT_ID, contractId: C.ES.id, size: 1 }]);
    expect(v?.numbers).toMatchObject({ limit: 5, value: 6, size: 1 });
    expect(v?.message).toBe('6 contracts open, over your limit of 5: reduced by 1 (ES -1)');
  });

  it('closes whole positions, then reduces the next one', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 4, 21000).position(C.ES, 'short', 2, 6000);
    const [v] = maxContracts(cfg({ limit: 3 }), a.ctx(positionChanged(C.ES)));
    expect(v?.intents).toEqual([
      { type: 'close', accountId: ACCOUNT_ID, contractId: C.ES.id },
      { type: 'reduce', accountId: ACCOUNT_ID, contractId: C.MNQ.id, size: 1 },
    ]);
  });

  it('uses the mark for exposure when there is a quote', () => {
    // Same size; MNQH6 marked far higher than MNQZ5's average.
    const a = new TestAccount().position(C.MNQ, 'long', 2, 20000).position(C.MNQH6, 'long', 2, 20000);
    a.quote(C.MNQH6, { bid: 22000, ask: 22000.25 });
    const [v] = maxContracts(cfg({ limit: 3 }), a.ctx(positionChanged(C.MNQ)));
    expect(v?.intents).toEqual([{ type: 'reduce', accountId: ACCOUNT_ID, contractId: C.MNQH6.id, size: 1 }]);
  });

  it('breaks exposure ties by the most recently opened position', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 2, 20000, a0());
    a.advance(5000).position(C.MNQH6, 'long', 2, 20000);
    const [v] = maxContracts(cfg({ limit: 3 }), a.ctx(positionChanged(C.MNQH6)));
    expect(v?.intents).toEqual([{ type: 'reduce', accountId: ACCOUNT_ID, contractId: C.MNQH6.id, size: 1 }]);
  });

  it('close_all flattens the account', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 6, 21000);
    const [v] = maxContracts(cfg({ limit: 5, action: 'close_all' }), a.ctx(positionChanged(C.MNQ)));
    expect(v?.intents).toEqual([{ type: 'flatten', accountId: ACCOUNT_ID }]);
    expect(v?.message).toBe('6 contracts open, over your limit of 5: closed all positions');
  });

  it('counts a short the same as a long and follows a reversal through zero', () => {
    const a = new TestAccount().position(C.MNQ, 'long', 5, 21000);
    expect(maxContracts(cfg({ limit: 5 }), a.ctx(positionChanged(C.MNQ)))).toEqual([]);
    a.advance(1000).position(C.MNQ, 'flat').advance(1).position(C.MNQ, 'short', 6, 21010);
    const [v] = maxContracts(cfg({ limit: 5 }), a.ctx(positionChanged(C.MNQ)));
    expect(v?.intents).toEqual([{ type: 'reduce', accountId: ACCOUNT_ID, contractId: C.MNQ.id, size: 1 }]);
  });
});

function a0(): number {
  return Date.UTC(2026, 10, 24, 14, 0, 0);
}
