import { describe, expect, it } from 'vitest';
import { authLossGuard } from '../../src/rules/r010-authLossGuard.ts';
import { ACCOUNT_ID, TestAccount, clockTick } from './fixtures.ts';

const cfg = { enabled: true };

describe('RULE-010 auth_loss_guard', () => {
  it('canTrade false: flatten, cancel all, locked until the gateway allows trading again', () => {
    const a = new TestAccount({ canTrade: false });
    const [v] = authLossGuard(cfg, a.ctx({ kind: 'account' }));
    expect(v?.intents).toEqual([
      { type: 'flatten', accountId: ACCOUNT_ID },
      { type: 'cancelAll', accountId: ACCOUNT_ID },
    ]);
    expect(v?.lock).toEqual({ kind: 'until_can_trade', rule: 'RULE-010', reason: 'The gateway reports account TEST-1 cannot trade' });
    expect(v?.message).toBe('The gateway reports account TEST-1 cannot trade: flattened (best effort), locked until trading is allowed again');
  });

  it('canTrade true, disabled, or a quote: nothing', () => {
    const a = new TestAccount({ canTrade: true });
    expect(authLossGuard(cfg, a.ctx({ kind: 'account' }))).toEqual([]);
    a.advance(1).account(false);
    expect(authLossGuard({ enabled: false }, a.ctx(clockTick))).toEqual([]);
    expect(authLossGuard(cfg, a.ctx({ kind: 'quote', contractId: 'x' }))).toEqual([]);
    expect(authLossGuard(cfg, a.ctx(clockTick))).toHaveLength(1);
  });
});
