// RULE-005 max_unrealized_profit: take profit. An open profit at or above target closes that position
// (per_position) or flattens the account (total). No quote, no verdict.
import type { RiskRules } from '../config/types.ts';
import type { PositionView } from '../ledger/view.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, profitReached } from './util.ts';
import { contracts, money } from '../format/plain.ts';

export function maxUnrealizedProfit(cfg: RiskRules['max_unrealized_profit'], ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled) return NO_VERDICTS;
  const { view, event } = ctx;
  if (cfg.scope === 'total') {
    const total = view.unrealizedTotal();
    if (total === null || !profitReached(total, cfg.target)) return NO_VERDICTS;
    return [
      {
        rule: 'RULE-005',
        intents: [{ type: 'flatten', accountId: view.accountId }],
        message: `Open profit ${money(total)} reached your ${money(cfg.target)} target: took profit, flattened`,
        numbers: { limit: cfg.target, value: total },
      },
    ];
  }
  if (event.kind === 'quote') {
    const p = view.position(event.contractId);
    return p && p.unrealized !== null && profitReached(p.unrealized, cfg.target) ? [verdictFor(cfg, ctx, p)] : NO_VERDICTS;
  }
  let verdicts: Verdict[] | undefined;
  for (const p of view.positions()) {
    if (p.unrealized !== null && profitReached(p.unrealized, cfg.target)) (verdicts ??= []).push(verdictFor(cfg, ctx, p));
  }
  return verdicts ?? NO_VERDICTS;
}

function verdictFor(cfg: RiskRules['max_unrealized_profit'], ctx: RuleContext, p: PositionView): Verdict {
  const profit = p.unrealized ?? 0;
  return {
    rule: 'RULE-005',
    intents: [{ type: 'close', accountId: ctx.view.accountId, contractId: p.contractId }],
    message: `Open profit ${money(profit)} on ${p.symbol} (${p.side} ${contracts(p.size)}) reached your ${money(cfg.target)} target: took profit, position closed`,
    numbers: { limit: cfg.target, value: profit, symbol: p.symbol, contractId: p.contractId, size: p.size },
  };
}
