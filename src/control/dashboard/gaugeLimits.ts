// DASHBOARD-LOCAL limits: what each gauge on the trader dashboard compares with (the inspector lists the same),
// derived from the effective configuration the daemon holds for the account (never from a file on disk). The status snapshot does not
// carry limits yet; when it does (one source of truth for every view), this module reduces to a pick from it.
// The page computes "used" from the snapshot fields named in `used`; this module only says against what.
import type { RiskRules } from '../../config/types.ts';

/** Which snapshot number a gauge reads (the page knows how to compute each from the status snapshot). */
export type GaugeUse =
  | 'openContracts' // Σ open contracts
  | 'symbolContracts' // open contracts of one symbol (one gauge per open symbol)
  | 'realizedLoss' // -realized, floored at 0
  | 'unrealizedLossTotal' // -unrealized, floored at 0
  | 'unrealizedLossWorst' // the worst position's -unrealized, floored at 0
  | 'unrealizedProfitTotal'
  | 'unrealizedProfitBest'
  | 'entriesToday'
  | 'consecutiveLosses'
  | 'realizedProfit';

export interface GaugeLimit {
  rule: string;
  /** What the trader reads above the bar: "Daily loss", "Contracts open". */
  label: string;
  use: GaugeUse;
  unit: 'money' | 'count';
  limit: number;
  /** RULE-002 only: per-symbol limits and the default for symbols not listed (0 = not allowed). */
  perSymbol?: { limits: Record<string, number>; defaultLimit: number };
}

export function gaugeLimits(r: RiskRules): GaugeLimit[] {
  const out: GaugeLimit[] = [];
  if (r.daily_realized_loss.enabled) out.push({ rule: 'RULE-003', label: 'Daily loss', use: 'realizedLoss', unit: 'money', limit: r.daily_realized_loss.limit });
  if (r.daily_unrealized_loss.enabled) {
    const total = r.daily_unrealized_loss.scope === 'total';
    out.push({ rule: 'RULE-004', label: total ? 'Open loss' : 'Open loss, worst position', use: total ? 'unrealizedLossTotal' : 'unrealizedLossWorst', unit: 'money', limit: r.daily_unrealized_loss.limit });
  }
  if (r.max_contracts.enabled) out.push({ rule: 'RULE-001', label: 'Contracts open', use: 'openContracts', unit: 'count', limit: r.max_contracts.limit });
  if (r.max_contracts_per_instrument.enabled) {
    const p = r.max_contracts_per_instrument;
    out.push({ rule: 'RULE-002', label: 'Contracts per symbol', use: 'symbolContracts', unit: 'count', limit: p.default_limit, perSymbol: { limits: { ...p.limits }, defaultLimit: p.default_limit } });
  }
  // The snapshot counts entries; with `count: fills` its number is not what the rule compares, so no gauge.
  if (r.trade_frequency_limit.enabled && r.trade_frequency_limit.count === 'entries') {
    out.push({ rule: 'RULE-006', label: 'Trades today', use: 'entriesToday', unit: 'count', limit: r.trade_frequency_limit.per_day.limit });
  }
  if (r.cooldown_after_loss.enabled) out.push({ rule: 'RULE-007', label: 'Losing trades in a row', use: 'consecutiveLosses', unit: 'count', limit: r.cooldown_after_loss.consecutive_losses.count });
  if (r.max_unrealized_profit.enabled) {
    const total = r.max_unrealized_profit.scope === 'total';
    out.push({ rule: 'RULE-005', label: total ? 'Open profit target' : 'Open profit target, best position', use: total ? 'unrealizedProfitTotal' : 'unrealizedProfitBest', unit: 'money', limit: r.max_unrealized_profit.target });
  }
  if (r.daily_realized_profit.enabled) out.push({ rule: 'RULE-013', label: 'Daily profit target', use: 'realizedProfit', unit: 'money', limit: r.daily_realized_profit.target });
  return out;
}
