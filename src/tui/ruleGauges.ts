// Every enabled rule of an account as one gauge: what it measures now, against its limit, as a share of the
// limit (null when the rule has no number to fill up, e.g. a session window or a stop-loss grace period).
// Values come from the status payload; limits from the config files given to `riskd watch`.
import type { RiskConfig } from '../config/types.ts';
import { RULE_IDS, RULE_LABELS } from '../rules/registry.ts';
import type { WatchAccount } from './model.ts';
import { countdown, share, usd, usdLimit } from './format.ts';

export interface RuleGauge {
  rule: string;
  label: string;
  /** e.g. "$120.00 / $500". */
  value: string;
  /** Share of the limit used (1 = at the limit); null: no gauge. */
  ratio: number | null;
  /** A lock of this rule is active (shown red whatever the ratio). */
  locked: boolean;
  /** For rules without a ratio: whether their current state is a problem (red) or fine (green). */
  alarm?: boolean;
}


/** Open contracts per symbol. */
function sizesBySymbol(a: WatchAccount): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of a.positions) m.set(p.symbol, (m.get(p.symbol) ?? 0) + p.size);
  return m;
}

function gauge(a: WatchAccount, key: keyof RiskConfig['rules'], cfg: RiskConfig, now: number): Omit<RuleGauge, 'rule' | 'label' | 'locked'> {
  const r = cfg.rules;
  const loss = (v: number | null) => (v === null ? 0 : Math.max(0, -v));
  switch (key) {
    case 'max_contracts': {
      const lim = r.max_contracts.limit;
      return { value: `${a.openContracts} / ${lim}`, ratio: share(a.openContracts, lim) };
    }
    case 'max_contracts_per_instrument': {
      const rule = r.max_contracts_per_instrument;
      let worst: { sym: string; size: number; lim: number; ratio: number } | null = null;
      for (const [sym, size] of sizesBySymbol(a)) {
        const lim = rule.limits[sym] ?? rule.default_limit;
        const ratio = share(size, lim);
        if (!worst || ratio > worst.ratio) worst = { sym, size, lim, ratio };
      }
      if (!worst) return { value: `flat (default ${rule.default_limit})`, ratio: 0 };
      return { value: `${worst.sym} ${worst.size} / ${worst.lim}`, ratio: worst.ratio };
    }
    case 'daily_realized_loss': {
      const lim = r.daily_realized_loss.limit;
      return { value: `${usd(loss(a.realized))} / ${usdLimit(lim)}`, ratio: share(loss(a.realized), lim) };
    }
    case 'daily_unrealized_loss': {
      const rule = r.daily_unrealized_loss;
      if (a.unrealized === null && a.positions.every((p) => p.unrealized === null)) return { value: 'no marks', ratio: null };
      const open = rule.scope === 'total' ? loss(a.unrealized) : Math.max(0, ...a.positions.map((p) => loss(p.unrealized)));
      let ratio = share(open, rule.limit);
      // With respect_realized_budget the day's total (realized + open) also counts against the realized limit.
      if (rule.respect_realized_budget && r.daily_realized_loss.enabled) {
        ratio = Math.max(ratio, share(loss((a.realized ?? 0) + (a.unrealized ?? 0)), r.daily_realized_loss.limit));
      }
      return { value: `${usd(open)} / ${usdLimit(rule.limit)}${rule.scope === 'per_position' ? ' pos' : ''}`, ratio };
    }
    case 'max_unrealized_profit': {
      const rule = r.max_unrealized_profit;
      if (a.unrealized === null && a.positions.every((p) => p.unrealized === null)) return { value: 'no marks', ratio: null };
      const gain = rule.scope === 'total' ? Math.max(0, a.unrealized ?? 0) : Math.max(0, ...a.positions.map((p) => p.unrealized ?? 0));
      return { value: `${usd(gain)} / ${usdLimit(rule.target)}`, ratio: share(gain, rule.target) };
    }
    case 'trade_frequency_limit': {
      const rule = r.trade_frequency_limit;
      if (a.entriesToday === null) return { value: `limit ${rule.per_day.limit}/day`, ratio: null };
      // The status counts entries; with count: fills the day's figure is not known here.
      if (rule.count !== 'entries') return { value: `${a.entriesToday} entries (counts fills)`, ratio: null };
      return { value: `${a.entriesToday} / ${rule.per_day.limit}`, ratio: share(a.entriesToday, rule.per_day.limit) };
    }
    case 'cooldown_after_loss': {
      const n = r.cooldown_after_loss.consecutive_losses.count;
      if (a.consecutiveLosses === null) return { value: `limit ${n}`, ratio: null };
      return { value: `${a.consecutiveLosses} / ${n}`, ratio: share(a.consecutiveLosses, n) };
    }
    case 'no_stop_loss_grace':
      return { value: `grace ${countdown(r.no_stop_loss_grace.grace)}`, ratio: null };
    case 'session_block_outside': {
      const s = a.session;
      if (!s) return { value: 'unknown', ratio: null };
      if (s.blackoutEnd !== null && s.blackoutEnd > now) return { value: `BLACKOUT ${countdown(s.blackoutEnd - now)}`, ratio: null, alarm: true };
      if (s.phase === 'inside') return { value: s.windowEnd ? `open, ends ${countdown(s.windowEnd - now)}` : 'open', ratio: null, alarm: false };
      if (s.phase === 'outside') return { value: s.nextOpen ? `CLOSED, opens ${countdown(s.nextOpen - now)}` : 'CLOSED', ratio: null, alarm: true };
      return { value: s.phase, ratio: null };
    }
    case 'auth_loss_guard':
      return { value: a.canTrade === null ? 'unknown' : a.canTrade ? 'yes' : 'NO', ratio: null, ...(a.canTrade === null ? {} : { alarm: !a.canTrade }) };
    case 'symbol_blocks': {
      const blocked = r.symbol_blocks.symbols;
      const held = [...sizesBySymbol(a).keys()].filter((s) => blocked.includes(s));
      return { value: held.length > 0 ? `HOLDING ${held.join(',')}` : blocked.join(',') || 'none', ratio: null, alarm: held.length > 0 };
    }
    case 'trade_management': {
      const t = r.trade_management;
      return { value: `BE +${t.breakeven.trigger_ticks}t, trail ${t.trailing.distance_ticks}t`, ratio: null };
    }
    case 'daily_realized_profit': {
      const target = r.daily_realized_profit.target;
      const gain = Math.max(0, a.realized ?? 0);
      return { value: `${usd(gain)} / ${usdLimit(target)}`, ratio: share(gain, target) };
    }
  }
}

/** One gauge per enabled rule, in rule order; empty when no config is known. */
export function ruleGauges(a: WatchAccount, now: number): RuleGauge[] {
  const cfg = a.config;
  if (!cfg) return [];
  const out: RuleGauge[] = [];
  for (const key of Object.keys(RULE_IDS) as (keyof RiskConfig['rules'])[]) {
    if (!cfg.rules[key].enabled) continue;
    const rule = RULE_IDS[key];
    out.push({ rule, label: RULE_LABELS[key], locked: a.locks.some((l) => l.rule === rule), ...gauge(a, key, cfg, now) });
  }
  return out;
}
