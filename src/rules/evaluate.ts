// One event through the rules (rules.md "Order of evaluation"): the caller has already updated the ledger;
// then the locks' kill switch; then the rules in id order. Every breach is kept as a verdict (for the audit
// log); the intents are merged so the strongest action wins and nothing is asked twice.
// The quote path is kept cheap: only RULE-004/005/012 read unrealized P&L, they run only when the account
// holds the quoted contract, and nothing is allocated when nothing breaches.
import type { RiskRules } from '../config/types.ts';
import type { LedgerView } from '../ledger/view.ts';
import type { RuleContext, RuleTrigger } from './context.ts';
import type { Intent, RuleId, Verdict } from './types.ts';
import { killSwitch, type ActiveLocks, type KillSwitchVerdict } from './killSwitch.ts';
import { resolveIntents } from './resolveIntents.ts';
import { NO_VERDICTS } from './util.ts';
import { maxContracts } from './r001-maxContracts.ts';
import { maxContractsPerInstrument } from './r002-maxContractsPerInstrument.ts';
import { dailyRealizedLoss } from './r003-dailyRealizedLoss.ts';
import { dailyUnrealizedLoss } from './r004-dailyUnrealizedLoss.ts';
import { maxUnrealizedProfit } from './r005-maxUnrealizedProfit.ts';
import { tradeFrequencyLimit } from './r006-tradeFrequencyLimit.ts';
import { cooldownAfterLoss } from './r007-cooldownAfterLoss.ts';
import { noStopLossGrace } from './r008-noStopLossGrace.ts';
import { sessionBlockOutside } from './r009-sessionBlockOutside.ts';
import { authLossGuard } from './r010-authLossGuard.ts';
import { symbolBlocks } from './r011-symbolBlocks.ts';
import { tradeManagement } from './r012-tradeManagement.ts';
import { dailyRealizedProfit } from './r013-dailyRealizedProfit.ts';

type Runner = (rules: RiskRules, ctx: RuleContext) => readonly Verdict[];

/** Each rule with its own config block (module-level functions: no closures per event). */
export const RULE_RUNNERS: Readonly<Record<RuleId, Runner>> = Object.freeze({
  'RULE-001': (r, c) => maxContracts(r.max_contracts, c),
  'RULE-002': (r, c) => maxContractsPerInstrument(r.max_contracts_per_instrument, c),
  'RULE-003': (r, c) => dailyRealizedLoss(r.daily_realized_loss, c),
  // The realized budget exists only while RULE-003 is enabled.
  'RULE-004': (r, c) =>
    dailyUnrealizedLoss(r.daily_unrealized_loss, c, r.daily_realized_loss.enabled ? r.daily_realized_loss : null),
  'RULE-005': (r, c) => maxUnrealizedProfit(r.max_unrealized_profit, c),
  'RULE-006': (r, c) => tradeFrequencyLimit(r.trade_frequency_limit, c),
  'RULE-007': (r, c) => cooldownAfterLoss(r.cooldown_after_loss, c),
  'RULE-008': (r, c) => noStopLossGrace(r.no_stop_loss_grace, c),
  'RULE-009': (r, c) => sessionBlockOutside(r.session_block_outside, c),
  'RULE-010': (r, c) => authLossGuard(r.auth_loss_guard, c),
  'RULE-011': (r, c) => symbolBlocks(r.symbol_blocks, c),
  'RULE-012': (r, c) => tradeManagement(r.trade_management, c),
  'RULE-013': (r, c) => dailyRealizedProfit(r.daily_realized_profit, c, r.daily_realized_loss.include_fees),
});

const NO_RULES: readonly RuleId[] = Object.freeze([]);
const QUOTE_RULES: readonly RuleId[] = Object.freeze(['RULE-004', 'RULE-005', 'RULE-012'] as RuleId[]);
const GRACE_RULES: readonly RuleId[] = Object.freeze(['RULE-008'] as RuleId[]);
// RULE-008 acts only when its grace machine reports expiry; every other rule self-filters by trigger.
const EVENT_RULES: readonly RuleId[] = Object.freeze([
  'RULE-001', 'RULE-002', 'RULE-003', 'RULE-004', 'RULE-005', 'RULE-006', 'RULE-007',
  'RULE-009', 'RULE-010', 'RULE-011', 'RULE-012', 'RULE-013',
] as RuleId[]);

/** The rules worth running for this trigger, in id order (shared frozen arrays, never allocated). */
export function rulesForTrigger(event: RuleTrigger, view: LedgerView): readonly RuleId[] {
  switch (event.kind) {
    case 'quote':
      return view.position(event.contractId) ? QUOTE_RULES : NO_RULES;
    case 'stopGraceExpired':
      return GRACE_RULES;
    default:
      return EVENT_RULES;
  }
}

export interface Evaluation {
  /** Every rule breach, in rule id order. */
  verdicts: readonly Verdict[];
  /** What active locks demand (new positions closed, new orders cancelled). */
  killSwitch: readonly KillSwitchVerdict[];
  /** Merged, deduplicated intents: strongest first. */
  intents: readonly Intent[];
}

const NOTHING: Evaluation = Object.freeze({
  verdicts: NO_VERDICTS,
  killSwitch: Object.freeze([]) as readonly KillSwitchVerdict[],
  intents: Object.freeze([]) as readonly Intent[],
});

export function evaluate(rules: RiskRules, ctx: RuleContext, locks: ActiveLocks): Evaluation {
  // Quotes change neither positions nor orders, so they cannot give the kill switch anything new.
  const ks = ctx.event.kind === 'quote' ? NOTHING.killSwitch : killSwitch(ctx, locks);
  let verdicts: Verdict[] | undefined;
  for (const id of rulesForTrigger(ctx.event, ctx.view)) {
    const v = RULE_RUNNERS[id](rules, ctx);
    if (v.length > 0) (verdicts ??= []).push(...v);
  }
  if (!verdicts && ks.length === 0) return NOTHING;
  const all: Intent[] = [];
  for (const k of ks) all.push(...k.intents);
  if (verdicts) for (const v of verdicts) all.push(...v.intents);
  return { verdicts: verdicts ?? NO_VERDICTS, killSwitch: ks, intents: resolveIntents(all, ctx.view) };
}
