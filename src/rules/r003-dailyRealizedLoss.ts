// RULE-003 daily_realized_loss: net realized P&L today at or below -limit (exactly at the limit breaches)
// flattens, cancels every working order and locks the account until the next trading-day reset.
import type { RiskRules } from '../config/types.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, lossReached } from './util.ts';
import { clock, money } from '../format/plain.ts';

export function dailyRealizedLoss(cfg: RiskRules['daily_realized_loss'], ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled) return NO_VERDICTS;
  const { view } = ctx;
  const net = view.realizedNetToday(cfg.include_fees);
  if (!lossReached(net, cfg.limit)) return NO_VERDICTS;
  const until = clock(ctx.nextResetAt, ctx.tz, ctx.now);
  const reason = `Daily loss ${money(-net)} reached your ${money(cfg.limit)} limit`;
  return [
    {
      rule: 'RULE-003',
      intents: [
        { type: 'flatten', accountId: view.accountId },
        { type: 'cancelAll', accountId: view.accountId },
      ],
      lock: { kind: 'until_reset', rule: 'RULE-003', reason },
      message: `${reason}: flattened, locked until the ${until} reset`,
      numbers: { limit: cfg.limit, value: net },
    },
  ];
}
