// RULE-007 cooldown_after_loss: after a trader exit, a net loss (P&L minus that fill's fees) at or above a
// tier's loss locks for the largest matching tier's cooldown; `count` losing exits in a row lock for the
// consecutive cooldown (each further loser in the streak extends it). The longest lock wins. Entries have no
// P&L and riskd's own exits never count; a profitable exit resets the streak (the ledger counts it).
import type { RiskRules } from '../config/types.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, cents } from './util.ts';
import { clock, duration, money } from '../format/plain.ts';

export function cooldownAfterLoss(cfg: RiskRules['cooldown_after_loss'], ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled || ctx.event.kind !== 'fill') return NO_VERDICTS;
  const fill = ctx.event.fill;
  if (fill.byRiskd || fill.voided || fill.profitAndLoss === null) return NO_VERDICTS;

  const net = fill.profitAndLoss - fill.fees;
  if (cents(net) >= 0) return NO_VERDICTS; // not a loser: nothing to cool down (and the streak is reset)
  const loss = -net;

  let tier: { loss: number; cooldown: number } | undefined;
  for (const t of cfg.tiers) {
    if (cents(loss) >= cents(t.loss) && (!tier || t.loss > tier.loss)) tier = t;
  }
  const streak = ctx.view.consecutiveLosingExits();
  const streakHit = cfg.consecutive_losses.count > 0 && streak >= cfg.consecutive_losses.count;
  if (!tier && !streakHit) return NO_VERDICTS;

  const useStreak = streakHit && (!tier || cfg.consecutive_losses.cooldown > tier.cooldown);
  const cooldown = useStreak ? cfg.consecutive_losses.cooldown : (tier as { cooldown: number }).cooldown;
  const until = ctx.now + cooldown;
  const reason = useStreak
    ? `${streak} losing exits in a row (limit ${cfg.consecutive_losses.count})`
    : `Losing exit of ${money(loss)} on ${fill.symbol} (tier ${money((tier as { loss: number }).loss)})`;
  return [
    {
      rule: 'RULE-007',
      intents: [],
      lock: { kind: 'cooldown', rule: 'RULE-007', reason, until },
      message: `${reason}: cooling down ${duration(cooldown)}, no new trades until ${clock(until, ctx.tz, ctx.now)}`,
      numbers: useStreak
        ? { limit: cfg.consecutive_losses.count, value: streak, symbol: fill.symbol, contractId: fill.contractId }
        : { limit: (tier as { loss: number }).loss, value: loss, symbol: fill.symbol, contractId: fill.contractId },
    },
  ];
}
