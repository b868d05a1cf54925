// RULE-010 auth_loss_guard: when the gateway says the account cannot trade, flatten and cancel everything
// (best effort: the gateway may refuse) and lock until it reports canTrade: true again.
import type { RiskRules } from '../config/types.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS } from './util.ts';

export function authLossGuard(cfg: RiskRules['auth_loss_guard'], ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled || ctx.event.kind === 'quote') return NO_VERDICTS;
  const { view } = ctx;
  if (!view.account || view.account.canTrade) return NO_VERDICTS;
  const reason = `The gateway reports account ${view.account.name} cannot trade`;
  return [
    {
      rule: 'RULE-010',
      intents: [
        { type: 'flatten', accountId: view.accountId },
        { type: 'cancelAll', accountId: view.accountId },
      ],
      lock: { kind: 'until_can_trade', rule: 'RULE-010', reason },
      message: `${reason}: flattened (best effort), locked until trading is allowed again`,
      numbers: {},
    },
  ];
}
