// Every enabled rule of an account as one limit in force: what it measures now (used), against what (limit),
// the share used, and the same in words. Computed from the daemon's effective configuration (live, or the copy
// it saved in SQLite while it is down), never from a config file a view reads on its own. The status snapshot
// carries the result, so watch, status and the web dashboard draw the same gauges.
import type { RiskConfig } from '../config/types.ts';
import { RULE_IDS, RULE_LABELS } from '../rules/registry.ts';
import { clock, countdown, duration, money, moneyLimit } from '../format/plain.ts';

export type RuleKey = keyof RiskConfig['rules'];

/** What the limits are measured on: the daemon's live account status, or what SQLite saved (nulls: unknown). */
export interface LimitFacts {
  openContracts: number;
  positions: readonly { symbol: string; size: number; unrealized: number | null }[];
  /** Net realized P&L today. */
  realized: number | null;
  unrealized: number | null;
  entriesToday: number | null;
  consecutiveLosses: number | null;
  canTrade: boolean | null;
  session: { phase: string; windowEnd: number | null; nextOpen: number | null; blackoutEnd: number | null } | null;
  locks: readonly { rule: string }[];
}

export interface RuleLimit {
  /** "RULE-003". */
  rule: string;
  /** The risk.yaml key, "daily_realized_loss". */
  key: RuleKey;
  /** A short name for a gauge: "realized loss". */
  label: string;
  /** What counts against the limit now (a loss as a positive amount); null: not known now (e.g. no quote). */
  used: number | null;
  /** The limit in force; null for rules without a number to fill up (session, grace period, ...). */
  limit: number | null;
  unit: 'usd' | 'contracts' | 'entries' | 'losses' | null;
  /** used / limit (1 = at the limit, above 1 = breached); null: no gauge. */
  ratio: number | null;
  /** The same in words: "$120.00 of $500", "open until 15:05 CT", "CL blocked". */
  text: string;
  /** For rules without a ratio: whether their state is a problem now (true), fine (false) or not known (null). */
  alarm: boolean | null;
  /** A lock of this rule is in force. */
  locked: boolean;
  /** The instant `text` counts down to (session end or start, blackout end), so a view can show time left. */
  until: number | null;
}


/** Share of a limit used: 0 when nothing is used; a zero limit counts as fully used by anything above zero. */
export function share(value: number, limit: number): number {
  if (value <= 0) return 0;
  if (limit <= 0) return 1;
  return value / limit;
}

type Gauge = Omit<RuleLimit, 'rule' | 'key' | 'label' | 'locked'>;

const none = { used: null, limit: null, unit: null, ratio: null, alarm: null, until: null } as const;
const loss = (v: number | null) => (v === null ? 0 : Math.max(0, -v));

function measured(used: number, limit: number, unit: NonNullable<RuleLimit['unit']>, text: string): Gauge {
  return { used, limit, unit, ratio: share(used, limit), text, alarm: null, until: null };
}

function sizesBySymbol(f: LimitFacts): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of f.positions) m.set(p.symbol, (m.get(p.symbol) ?? 0) + p.size);
  return m;
}

function gauge(f: LimitFacts, key: RuleKey, cfg: RiskConfig, now: number): Gauge {
  const r = cfg.rules;
  const tz = cfg.trading_day.timezone;
  switch (key) {
    case 'max_contracts': {
      const lim = r.max_contracts.limit;
      return measured(f.openContracts, lim, 'contracts', `${f.openContracts} of ${lim}`);
    }
    case 'max_contracts_per_instrument': {
      const rule = r.max_contracts_per_instrument;
      let worst: { sym: string; size: number; lim: number } | null = null;
      for (const [sym, size] of sizesBySymbol(f)) {
        const lim = rule.limits[sym] ?? rule.default_limit;
        if (!worst || share(size, lim) > share(worst.size, worst.lim)) worst = { sym, size, lim };
      }
      if (!worst) return measured(0, rule.default_limit, 'contracts', `flat (${rule.default_limit} per symbol)`);
      return measured(worst.size, worst.lim, 'contracts', `${worst.sym} ${worst.size} of ${worst.lim}`);
    }
    case 'daily_realized_loss': {
      const lim = r.daily_realized_loss.limit;
      if (f.realized === null) return { ...none, limit: lim, unit: 'usd', text: `limit ${moneyLimit(lim)}` };
      return measured(loss(f.realized), lim, 'usd', `${money(loss(f.realized))} of ${moneyLimit(lim)}`);
    }
    case 'daily_unrealized_loss': {
      const rule = r.daily_unrealized_loss;
      if (f.unrealized === null && f.positions.every((p) => p.unrealized === null)) return { ...none, limit: rule.limit, unit: 'usd', text: `limit ${moneyLimit(rule.limit)} (no prices)` };
      const open = rule.scope === 'total' ? loss(f.unrealized) : Math.max(0, ...f.positions.map((p) => loss(p.unrealized)));
      const g = measured(open, rule.limit, 'usd', `${money(open)} of ${moneyLimit(rule.limit)}${rule.scope === 'per_position' ? ' per position' : ''}`);
      // With respect_realized_budget the day's total (realized + open) also counts against the realized limit.
      if (rule.respect_realized_budget && r.daily_realized_loss.enabled) {
        g.ratio = Math.max(g.ratio!, share(loss((f.realized ?? 0) + (f.unrealized ?? 0)), r.daily_realized_loss.limit));
      }
      return g;
    }
    case 'max_unrealized_profit': {
      const rule = r.max_unrealized_profit;
      if (f.unrealized === null && f.positions.every((p) => p.unrealized === null)) return { ...none, limit: rule.target, unit: 'usd', text: `target ${moneyLimit(rule.target)} (no prices)` };
      const gain = rule.scope === 'total' ? Math.max(0, f.unrealized ?? 0) : Math.max(0, ...f.positions.map((p) => p.unrealized ?? 0));
      return measured(gain, rule.target, 'usd', `${money(gain)} of ${moneyLimit(rule.target)}`);
    }
    case 'trade_frequency_limit': {
      const rule = r.trade_frequency_limit;
      const lim = rule.per_day.limit;
      // The status counts entries; with count: fills the day's figure is not known here.
      if (f.entriesToday === null || rule.count !== 'entries') return { ...none, limit: lim, unit: 'entries', text: `limit ${lim} a day` };
      return measured(f.entriesToday, lim, 'entries', `${f.entriesToday} of ${lim}`);
    }
    case 'cooldown_after_loss': {
      const n = r.cooldown_after_loss.consecutive_losses.count;
      if (f.consecutiveLosses === null) return { ...none, limit: n, unit: 'losses', text: `limit ${n} in a row` };
      return measured(f.consecutiveLosses, n, 'losses', `${f.consecutiveLosses} of ${n}`);
    }
    case 'no_stop_loss_grace':
      return { ...none, text: `stop within ${duration(r.no_stop_loss_grace.grace)}` };
    case 'session_block_outside': {
      const s = f.session;
      const at = (ms: number) => clock(ms, tz, now);
      if (!s) return { ...none, text: 'unknown' };
      if (s.blackoutEnd !== null && s.blackoutEnd > now) return { ...none, text: `news blackout until ${at(s.blackoutEnd)}`, alarm: true, until: s.blackoutEnd };
      if (s.phase === 'inside') return { ...none, text: s.windowEnd ? `open until ${at(s.windowEnd)}` : 'open', alarm: false, until: s.windowEnd };
      if (s.phase === 'outside') return { ...none, text: s.nextOpen ? `closed, opens ${at(s.nextOpen)}` : 'closed', alarm: true, until: s.nextOpen };
      return { ...none, text: s.phase === 'disabled' ? 'no trading windows set' : s.phase };
    }
    case 'auth_loss_guard':
      return { ...none, text: f.canTrade === null ? 'unknown' : f.canTrade ? 'broker allows trading' : 'broker does NOT allow trading', alarm: f.canTrade === null ? null : !f.canTrade };
    case 'symbol_blocks': {
      const blocked = r.symbol_blocks.symbols;
      const held = [...sizesBySymbol(f).keys()].filter((s) => blocked.includes(s));
      if (held.length > 0) return { ...none, text: `HOLDING blocked ${held.join(', ')}`, alarm: true };
      return { ...none, text: blocked.length > 0 ? `${blocked.join(', ')} blocked` : 'none blocked', alarm: false };
    }
    case 'trade_management': {
      const t = r.trade_management;
      return { ...none, text: `breakeven at +${t.breakeven.trigger_ticks} ticks, trail ${t.trailing.distance_ticks} ticks` };
    }
    case 'daily_realized_profit': {
      const target = r.daily_realized_profit.target;
      if (f.realized === null) return { ...none, limit: target, unit: 'usd', text: `target ${moneyLimit(target)}` };
      const gain = Math.max(0, f.realized);
      return measured(gain, target, 'usd', `${money(gain)} of ${moneyLimit(target)}`);
    }
  }
}

/** One entry per enabled rule, in rule order. */
export function ruleLimits(f: LimitFacts, cfg: RiskConfig, now: number): RuleLimit[] {
  const out: RuleLimit[] = [];
  for (const key of Object.keys(RULE_IDS) as RuleKey[]) {
    if (!cfg.rules[key].enabled) continue;
    const rule = RULE_IDS[key];
    out.push({ rule, key, label: RULE_LABELS[key], locked: f.locks.some((l) => l.rule === rule), ...gauge(f, key, cfg, now) });
  }
  return out;
}

/** "04:32 left" for a limit whose text names a deadline (for views that redraw every second). */
export function timeLeft(l: RuleLimit, now: number): string | null {
  return l.until !== null && l.until > now ? `${countdown(l.until - now)} left` : null;
}
