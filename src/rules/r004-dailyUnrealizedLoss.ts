// RULE-004 daily_unrealized_loss: an open loss at or below -limit closes that position (per_position) or
// flattens (total). With respect_realized_budget the daily realized budget also counts: when realized +
// unrealized reaches -daily_realized_loss.limit the account is flattened (closing would realize the loss and
// trip RULE-003 anyway). No quote, no verdict: a missing mark never breaches.
import type { RiskRules } from '../config/types.ts';
import type { PositionView } from '../ledger/view.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, lossReached } from './util.ts';
import { contracts, money } from '../format/plain.ts';

export function dailyUnrealizedLoss(
  cfg: RiskRules['daily_unrealized_loss'],
  ctx: RuleContext,
  /** daily_realized_loss when enabled: the realized budget respect_realized_budget counts against. */
  budget: RiskRules['daily_realized_loss'] | null = null,
): readonly Verdict[] {
  if (!cfg.enabled) return NO_VERDICTS;
  const { view, event } = ctx;
  let verdicts: Verdict[] | undefined;

  if (cfg.scope === 'per_position') {
    // A quote moves only its own contract's P&L: check just that one (cheap quote path).
    if (event.kind === 'quote') {
      const p = view.position(event.contractId);
      if (p && p.unrealized !== null && lossReached(p.unrealized, cfg.limit)) verdicts = [positionVerdict(cfg, ctx, p)];
    } else {
      for (const p of view.positions()) {
        if (p.unrealized !== null && lossReached(p.unrealized, cfg.limit)) (verdicts ??= []).push(positionVerdict(cfg, ctx, p));
      }
    }
  }

  // The account's open total matters only for scope total or the realized budget: not computed otherwise.
  const total = cfg.scope === 'total' || (cfg.respect_realized_budget && budget) ? view.unrealizedTotal() : null;
  if (total !== null) {
    if (cfg.scope === 'total' && lossReached(total, cfg.limit)) {
      (verdicts ??= []).push({
        rule: 'RULE-004',
        intents: [{ type: 'flatten', accountId: view.accountId }],
        message: `Open loss ${money(-total)} reached your ${money(cfg.limit)} limit: flattened`,
        numbers: { limit: cfg.limit, value: total },
      });
    } else if (cfg.respect_realized_budget && budget) {
      const realized = view.realizedNetToday(budget.include_fees);
      const combined = realized + total;
      if (lossReached(combined, budget.limit)) {
        (verdicts ??= []).push({
          rule: 'RULE-004',
          intents: [{ type: 'flatten', accountId: view.accountId }],
          message:
            `Realized ${money(realized)} plus open ${money(total)} is a ${money(-combined)} loss, ` +
            `reaching your ${money(budget.limit)} daily loss limit: flattened`,
          numbers: { limit: budget.limit, value: combined },
        });
      }
    }
  }
  return verdicts ?? NO_VERDICTS;
}

function positionVerdict(cfg: RiskRules['daily_unrealized_loss'], ctx: RuleContext, p: PositionView): Verdict {
  const loss = p.unrealized ?? 0;
  return {
    rule: 'RULE-004',
    intents: [{ type: 'close', accountId: ctx.view.accountId, contractId: p.contractId }],
    message: `Open loss ${money(-loss)} on ${p.symbol} (${p.side} ${contracts(p.size)}) reached your ${money(cfg.limit)} limit: position closed`,
    numbers: { limit: cfg.limit, value: loss, symbol: p.symbol, contractId: p.contractId, size: p.size },
  };
}
