// One event through the evaluator's rules (rules.md "Order of evaluation"): the caller has already updated the
// ledger; the rules run in id order and every breach is kept as a verdict (for the audit log). Verdicts are
// only what the rules found: the account machine turns them into locks and intents (strongest wins) and is
// the only one that decides what happens. Rules the machine owns (RULE-008/009/010, the kill switch) are not
// here at all.
// The quote path is kept cheap: only RULE-004/005/012 read unrealized P&L, they run only when the account
// holds the quoted contract, and nothing is allocated when nothing breaches.
import type { RiskRules } from '../config/types.ts';
import type { LedgerView } from '../ledger/view.ts';
import type { RuleContext, RuleTrigger } from './context.ts';
import type { Verdict } from './types.ts';
import { EVENT_RULES, SETTLING_RULES, type EvaluatorRuleId } from './registry.ts';
import { NO_VERDICTS } from './util.ts';
import { maxContracts } from './r001-maxContracts.ts';
import { maxContractsPerInstrument } from './r002-maxContractsPerInstrument.ts';
import { dailyRealizedLoss } from './r003-dailyRealizedLoss.ts';
import { dailyUnrealizedLoss } from './r004-dailyUnrealizedLoss.ts';
import { maxUnrealizedProfit } from './r005-maxUnrealizedProfit.ts';
import { tradeFrequencyLimit } from './r006-tradeFrequencyLimit.ts';
import { cooldownAfterLoss } from './r007-cooldownAfterLoss.ts';
import { symbolBlocks } from './r011-symbolBlocks.ts';
import { tradeManagement } from './r012-tradeManagement.ts';
import { dailyRealizedProfit } from './r013-dailyRealizedProfit.ts';

type Runner = (rules: RiskRules, ctx: RuleContext) => readonly Verdict[];

/** The evaluator's rules (registry.ts), each with its own config block (module-level functions: no closures per event). */
export const RULE_RUNNERS: Readonly<Record<EvaluatorRuleId, Runner>> = Object.freeze({
  'RULE-001': (r, c) => maxContracts(r.max_contracts, c),
  'RULE-002': (r, c) => maxContractsPerInstrument(r.max_contracts_per_instrument, c),
  'RULE-003': (r, c) => dailyRealizedLoss(r.daily_realized_loss, c),
  // The realized budget exists only while RULE-003 is enabled.
  'RULE-004': (r, c) =>
    dailyUnrealizedLoss(r.daily_unrealized_loss, c, r.daily_realized_loss.enabled ? r.daily_realized_loss : null),
  'RULE-005': (r, c) => maxUnrealizedProfit(r.max_unrealized_profit, c),
  'RULE-006': (r, c) => tradeFrequencyLimit(r.trade_frequency_limit, c),
  'RULE-007': (r, c) => cooldownAfterLoss(r.cooldown_after_loss, c),
  'RULE-011': (r, c) => symbolBlocks(r.symbol_blocks, c),
  'RULE-012': (r, c) => tradeManagement(r.trade_management, c),
  'RULE-013': (r, c) => dailyRealizedProfit(r.daily_realized_profit, c, r.daily_realized_loss.include_fees),
});

const NO_RULES: readonly EvaluatorRuleId[] = Object.freeze([]);

/**
 * The rules worth running for this trigger, in id order (shared frozen arrays, never allocated): a quote only
 * matters to an account holding the quoted contract; while a REST snapshot settles, only the rules the
 * registry allows then.
 */
export function rulesForTrigger(event: RuleTrigger, view: LedgerView, settling = false): readonly EvaluatorRuleId[] {
  if (event.kind === 'quote' && !view.position(event.contractId)) return NO_RULES;
  return (settling ? SETTLING_RULES : EVENT_RULES)[event.kind];
}

/** Every breach of the evaluator's rules for this event, in rule id order (the shared empty array when none). */
export function evaluate(rules: RiskRules, ctx: RuleContext, settling = false): readonly Verdict[] {
  let verdicts: Verdict[] | undefined;
  for (const id of rulesForTrigger(ctx.event, ctx.view, settling)) {
    const v = RULE_RUNNERS[id](rules, ctx);
    if (v.length > 0) (verdicts ??= []).push(...v);
  }
  return verdicts ?? NO_VERDICTS;
}
