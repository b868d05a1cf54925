// RULE-006 trade_frequency_limit: trader entries (or all trader fills with count: fills) per rolling minute,
// rolling hour and trading day. count > limit locks the account for that window's cooldown; when several
// windows breach, the longest lock wins. Only a counted fill triggers the rule, so a breach during a cooldown
// extends it (the new deadline is later) while unrelated events never do. riskd's own fills never count.
import type { CooldownSpec, RiskRules } from '../config/types.ts';
import type { RuleContext } from './context.ts';
import type { LockRequest, Verdict } from './types.ts';
import { NO_VERDICTS } from './util.ts';
import { clock, duration } from './format.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;

type Cfg = RiskRules['trade_frequency_limit'];

function deadline(spec: CooldownSpec, ctx: RuleContext): number {
  return spec === 'until_reset' ? ctx.nextResetAt : ctx.now + spec;
}

export function tradeFrequencyLimit(cfg: Cfg, ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled || ctx.event.kind !== 'fill') return NO_VERDICTS;
  const fill = ctx.event.fill;
  if (fill.byRiskd || fill.voided) return NO_VERDICTS;
  if (cfg.count === 'entries' && fill.profitAndLoss !== null) return NO_VERDICTS;

  const { view, now } = ctx;
  // The rolling windows end at riskd's now, so they count fills by when riskd received them (one clock); the
  // day counts every fill of the trading day, which the gateway's stamps define.
  const windows: [string, number, Cfg['per_minute']][] = [
    ['in the last minute', view.countReceivedSince(now - MINUTE, cfg.count), cfg.per_minute],
    ['in the last hour', view.countReceivedSince(now - HOUR, cfg.count), cfg.per_hour],
    ['today', view.countSince(view.tradingDayStart, cfg.count), cfg.per_day],
  ];
  let b: { window: string; count: number; limit: number; spec: CooldownSpec; until: number } | undefined;
  for (const [window, count, w] of windows) {
    if (count <= w.limit) continue;
    const until = deadline(w.cooldown, ctx);
    // Longest wins; on an equal deadline prefer until_reset (it is released by the reset itself).
    if (!b || until > b.until || (until === b.until && w.cooldown === 'until_reset')) {
      b = { window, count, limit: w.limit, spec: w.cooldown, until };
    }
  }
  if (!b) return NO_VERDICTS;

  const noun = cfg.count === 'entries' ? 'entries' : 'fills';
  const reason = `${b.count} ${noun} ${b.window}, over your limit of ${b.limit}`;
  const lock: LockRequest =
    b.spec === 'until_reset'
      ? { kind: 'until_reset', rule: 'RULE-006', reason }
      : { kind: 'cooldown', rule: 'RULE-006', reason, until: b.until };
  const pause = b.spec === 'until_reset' ? '' : ` (${duration(b.spec)})`;
  return [
    {
      rule: 'RULE-006',
      intents: [],
      lock,
      message: `${reason}: no new trades until ${clock(b.until, ctx.tz, now)}${pause}`,
      numbers: { limit: b.limit, value: b.count, symbol: fill.symbol, contractId: fill.contractId },
    },
  ];
}
