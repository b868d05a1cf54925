import { describe, expect, it } from 'vitest';
import { evaluate, rulesForTrigger } from '../../src/rules/evaluate.ts';
import { OrderType } from '../../src/gateway/models.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, clockTick, positionChanged, quoteFor } from './fixtures.ts';
import type { RiskRules } from '../../src/config/types.ts';

function rules(f: (r: RiskRules) => void): RiskRules {
  const r = allDisabled();
  f(r);
  return r;
}

describe('evaluate: order and merging', () => {
  it('records every breach in rule id order; the flatten subsumes closes and reduces', () => {
    const r = rules((r) => {
      r.max_contracts.enabled = true;
      r.max_contracts.limit = 2;
      r.daily_realized_loss.enabled = true;
      r.symbol_blocks.enabled = true;
      r.symbol_blocks.symbols = ['RTY'];
    });
    const a = new TestAccount().position(C.MNQ, 'long', 3, 21000).position(C.RTY, 'long', 1, 2400);
    const o = a.order(C.RTY, { side: 0, type: OrderType.Limit, limitPrice: 2300 });
    a.fill(C.ES, { side: 'sell', pnl: -600 });
    const out = evaluate(r, a.ctx(clockTick), []);
    expect(out.verdicts.map((v) => v.rule)).toEqual(['RULE-001', 'RULE-003', 'RULE-011']);
    expect(out.intents).toEqual([
      { type: 'flatten', accountId: ACCOUNT_ID },
      { type: 'cancelAll', accountId: ACCOUNT_ID },
    ]);
    expect(out.verdicts[2]?.intents).toContainEqual({ type: 'cancel', accountId: ACCOUNT_ID, orderId: o.id });
  });

  it('a close subsumes reduces of the same contract; other contracts keep theirs', () => {
    const r = rules((r) => {
      r.max_contracts.enabled = true;
      r.max_contracts.limit = 2;
      r.daily_unrealized_loss.enabled = true;
    });
    const a = new TestAccount().position(C.ES, 'long', 2, 6000).position(C.MNQ, 'long', 1, 21000);
    a.quote(C.ES, { bid: 5990 }).quote(C.MNQ, { bid: 21000 });
    const out = evaluate(r, a.ctx(positionChanged(C.ES)), []);
    // RULE-001 reduces ES (largest exposure) by 1; RULE-004 closes ES (lost $1000): the close wins.
    expect(out.verdicts[0]?.intents).toEqual([{ type: 'reduce', accountId: ACCOUNT_ID, contractId: C.ES.id, size: 1 }]);
    expect(out.intents).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.ES.id }]);
  });

  it('deduplicates identical intents from several rules and drops a stop move on a position being closed', () => {
    const r = rules((r) => {
      r.daily_unrealized_loss.enabled = true;
      r.max_unrealized_profit.enabled = true;
      r.max_unrealized_profit.target = 100;
      r.trade_management.enabled = true;
    });
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).quote(C.ES, { bid: 6005 }); // +$250, 20 ticks
    const out = evaluate(r, a.ctx(quoteFor(C.ES)), []);
    expect(out.verdicts.map((v) => v.rule)).toEqual(['RULE-005', 'RULE-012']);
    expect(out.intents).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.ES.id }]);
  });
});

describe('evaluate: the quote path', () => {
  it('only RULE-004/005/012 run, and only when the account holds the quoted contract', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000);
    expect(rulesForTrigger(quoteFor(C.MNQ), a.ledger)).toEqual([]);
    expect(rulesForTrigger(quoteFor(C.ES), a.ledger)).toEqual(['RULE-004', 'RULE-005', 'RULE-012']);
    expect(rulesForTrigger({ kind: 'stopGraceExpired', contractId: C.ES.id }, a.ledger)).toEqual(['RULE-008']);
    expect(rulesForTrigger(clockTick, a.ledger)).not.toContain('RULE-008');
  });

  it('a breached realized-loss rule does not fire on quotes; nothing breached returns the shared empty result', () => {
    const r = rules((r) => {
      r.daily_realized_loss.enabled = true;
      r.daily_unrealized_loss.enabled = true;
      r.daily_unrealized_loss.respect_realized_budget = false;
      r.trade_management.enabled = true;
    });
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).quote(C.ES, { bid: 6001 });
    a.fill(C.MNQ, { side: 'sell', pnl: -900 });
    const first = evaluate(r, a.ctx(quoteFor(C.ES)), []);
    const second = evaluate(r, a.advance(1).quote(C.ES, { bid: 6001.25 }).ctx(quoteFor(C.ES)), []);
    expect(first.verdicts).toEqual([]);
    expect(second).toBe(first); // the same frozen object: no allocation when nothing breaches
    expect(evaluate(r, a.ctx(clockTick), []).verdicts.map((v) => v.rule)).toEqual(['RULE-003']);
  });

  it('a quote never runs the kill switch', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000, a0() + 10).quote(C.ES, { bid: 6000 });
    const lock = { kind: 'until_reset' as const, rule: 'RULE-003', since: a0() };
    expect(evaluate(allDisabled(), a.ctx(quoteFor(C.ES)), [lock]).intents).toEqual([]);
    expect(evaluate(allDisabled(), a.ctx(positionChanged(C.ES)), [lock]).intents).toHaveLength(1);
  });
});

function a0(): number {
  return Date.UTC(2026, 10, 24, 14, 0);
}
