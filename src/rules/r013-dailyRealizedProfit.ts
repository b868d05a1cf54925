// RULE-013 daily_realized_profit: net realized P&L today at or above target flattens, cancels every working
// order and locks until the next trading-day reset (protect a good day). Fees follow
// daily_realized_loss.include_fees, the one place the config sets how "net realized" is computed.
import type { RiskRules } from '../config/types.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, profitReached } from './util.ts';
import { clock, money } from '../format/plain.ts';

export function dailyRealizedProfit(
  cfg: RiskRules['daily_realized_profit'],
  ctx: RuleContext,
  includeFees = true,
): readonly Verdict[] {
  if (!cfg.enabled || ctx.event.kind === 'quote') return NO_VERDICTS;
  const { view } = ctx;
  const net = view.realizedNetToday(includeFees);
  if (!profitReached(net, cfg.target)) return NO_VERDICTS;
  const reason = `Daily profit ${money(net)} reached your ${money(cfg.target)} target`;
  return [
    {
      rule: 'RULE-013',
      intents: [
        { type: 'flatten', accountId: view.accountId },
        { type: 'cancelAll', accountId: view.accountId },
      ],
      lock: { kind: 'until_reset', rule: 'RULE-013', reason },
      message: `${reason}: flattened, locked until the ${clock(ctx.nextResetAt, ctx.tz, ctx.now)} reset`,
      numbers: { limit: cfg.target, value: net },
    },
  ];
}
