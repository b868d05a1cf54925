import { describe, expect, it } from 'vitest';
import { evaluate, rulesForTrigger } from '../../src/rules/evaluate.ts';
import { resolveIntents } from '../../src/rules/resolveIntents.ts';
import type { Verdict } from '../../src/rules/types.ts';
import { OrderType } from '../../src/gateway/models.ts';
import { ACCOUNT_ID, C, TestAccount, allDisabled, clockTick, positionChanged, quoteFor } from './fixtures.ts';
import type { RiskRules } from '../../src/config/types.ts';

/** What the account machine does with one event's verdicts: the strongest intents win. */
const merged = (verdicts: readonly Verdict[], view: Parameters<typeof resolveIntents>[1]) => resolveIntents(verdicts.flatMap((v) => v.intents), view);

function rules(f: (r: RiskRules) => void): RiskRules {
  const r = allDisabled();
  f(r);
  return r;
}

describe('evaluate: order and merging', () => {
  it('records every breach in rule id order; the flatten subsumes closes, reduces and cancels', () => {
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
    const out = evaluate(r, a.ctx(clockTick));
    expect(out.map((v) => v.rule)).toEqual(['RULE-001', 'RULE-003', 'RULE-011']);
    expect(merged(out, a.ledger)).toEqual([{ type: 'flatten', accountId: ACCOUNT_ID }]); // its cancels are part of it
    expect(out[2]?.intents).toContainEqual({ type: 'cancelAll', accountId: ACCOUNT_ID, symbol: 'RTY' });
    expect(o.contractId).toBe(C.RTY.id); // the order that cancelAll covers
  });

  it('a close subsumes reduces of the same contract; other contracts keep theirs', () => {
    const r = rules((r) => {
      r.max_contracts.enabled = true;
      r.max_contracts.limit = 2;
      r.daily_unrealized_loss.enabled = true;
    });
    const a = new TestAccount().position(C.ES, 'long', 2, 6000).position(C.MNQ, 'long', 1, 21000);
    a.quote(C.ES, { bid: 5990 }).quote(C.MNQ, { bid: 21000 });
    const out = evaluate(r, a.ctx(positionChanged(C.ES)));
    // RULE-001 reduces ES (largest exposure) by 1; RULE-004 closes ES (lost $1000): the close wins.
    expect(out[0]?.intents).toEqual([{ type: 'reduce', accountId: ACCOUNT_ID, contractId: C.ES.id, size: 1 }]);
    expect(merged(out, a.ledger)).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.ES.id }]);
  });

  it('deduplicates identical intents from several rules and drops a stop move on a position being closed', () => {
    const r = rules((r) => {
      r.daily_unrealized_loss.enabled = true;
      r.max_unrealized_profit.enabled = true;
      r.max_unrealized_profit.target = 100;
      r.trade_management.enabled = true;
    });
    const a = new TestAccount().position(C.ES, 'long', 1, 6000).quote(C.ES, { bid: 6005 }); // +$250, 20 ticks
    const out = evaluate(r, a.ctx(quoteFor(C.ES)));
    expect(out.map((v) => v.rule)).toEqual(['RULE-005', 'RULE-012']);
    expect(merged(out, a.ledger)).toEqual([{ type: 'close', accountId: ACCOUNT_ID, contractId: C.ES.id }]);
  });
});

describe('evaluate: the quote path', () => {
  it('only RULE-004/005/012 run, and only when the account holds the quoted contract', () => {
    const a = new TestAccount().position(C.ES, 'long', 1, 6000);
    expect(rulesForTrigger(quoteFor(C.MNQ), a.ledger)).toEqual([]);
    expect(rulesForTrigger(quoteFor(C.ES), a.ledger)).toEqual(['RULE-004', 'RULE-005', 'RULE-012']);
    expect(rulesForTrigger(clockTick, a.ledger)).not.toContain('RULE-008'); // the machines own 008/009/010
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
    const first = evaluate(r, a.ctx(quoteFor(C.ES)));
    const second = evaluate(r, a.advance(1).quote(C.ES, { bid: 6001.25 }).ctx(quoteFor(C.ES)));
    expect(first).toEqual([]);
    expect(second).toBe(first); // the same frozen array: no allocation when nothing breaches
    expect(evaluate(r, a.ctx(clockTick)).map((v) => v.rule)).toEqual(['RULE-003']);
  });
});
