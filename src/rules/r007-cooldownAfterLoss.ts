// RULE-007 cooldown_after_loss: after a trader exit ORDER, a net loss (its profitAndLoss minus its fees) at or
// above a tier's loss locks for the largest matching tier's cooldown; `count` losing exit orders in a row lock for
// the consecutive cooldown (each further loser in the streak extends it). The longest lock wins. Entries have no
// P&L and riskd's own exits never count; a profitable exit resets the streak (the ledger counts it).
// One exit order can arrive as several fill rows (one per lot closed, projectx-api.md §8.25): the order's net is
// the sum of its rows so far, judged on each row; a later row re-locks only when it changes the judgement (a
// larger tier, or the order turning into a loser), so the order counts once.
import type { RiskRules } from '../config/types.ts';
import type { FillView } from '../ledger/view.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, cents, otherRowsOfOrder } from './util.ts';
import { clock, duration, money } from '../format/plain.ts';

type Cfg = RiskRules['cooldown_after_loss'];
type Tier = Cfg['tiers'][number];

const netOf = (f: FillView): number => (f.profitAndLoss ?? 0) - f.fees;

/** The largest tier whose loss a net of `net` reaches; undefined for a winner or a small loss. */
function tierFor(cfg: Cfg, net: number): Tier | undefined {
  if (cents(net) >= 0) return undefined;
  let tier: Tier | undefined;
  for (const t of cfg.tiers) if (cents(-net) >= cents(t.loss) && (!tier || t.loss > tier.loss)) tier = t;
  return tier;
}

export function cooldownAfterLoss(cfg: Cfg, ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled || ctx.event.kind !== 'fill') return NO_VERDICTS;
  const fill = ctx.event.fill;
  if (fill.byRiskd || fill.voided || fill.profitAndLoss === null) return NO_VERDICTS;

  const earlier = otherRowsOfOrder(ctx.view, fill);
  const before = earlier.reduce((s, f) => s + netOf(f), 0);
  const net = before + netOf(fill);
  if (cents(net) >= 0) return NO_VERDICTS; // not a loser: nothing to cool down (and the streak is reset)
  const loss = -net;

  const tier = tierFor(cfg, net);
  const streak = ctx.view.consecutiveLosingExits();
  const streakHit = cfg.consecutive_losses.count > 0 && streak >= cfg.consecutive_losses.count;
  if (!tier && !streakHit) return NO_VERDICTS;
  // A further row of an order already judged a loser in the same tier: nothing new (the streak counted it then).
  if (earlier.length > 0 && cents(before) < 0 && tierFor(cfg, before) === tier) return NO_VERDICTS;

  const useStreak = streakHit && (!tier || cfg.consecutive_losses.cooldown > tier.cooldown);
  const cooldown = useStreak ? cfg.consecutive_losses.cooldown : (tier as Tier).cooldown;
  const until = ctx.now + cooldown;
  const reason = useStreak
    ? `${streak} losing exits in a row (limit ${cfg.consecutive_losses.count})`
    : `Losing exit of ${money(loss)} on ${fill.symbol} (tier ${money((tier as Tier).loss)})`;
  return [
    {
      rule: 'RULE-007',
      intents: [],
      lock: { kind: 'cooldown', rule: 'RULE-007', reason, until },
      message: `${reason}: cooling down ${duration(cooldown)}, no new trades until ${clock(until, ctx.tz, ctx.now)}`,
      numbers: useStreak
        ? { limit: cfg.consecutive_losses.count, value: streak, symbol: fill.symbol, contractId: fill.contractId }
        : { limit: (tier as Tier).loss, value: loss, symbol: fill.symbol, contractId: fill.contractId },
    },
  ];
}
