// From a replay's outcome to what the trader reads: per trading day, the P&L as traded and with riskd, which
// rules fired and when, which round trips a lock would have blocked; totals (worst day, maximum drawdown,
// days a limit was hit) and the equity curves. P&L is net: gross realized P&L minus the fills' fees.
import { tradingDayId, type ResetSpec } from '../calendar/tradingDay.ts';
import type { BlockedTrip, ReplayData, ReplayEnforcement, ReplayLock, ReplayOutcome } from './types.ts';

export const APPROXIMATIONS: readonly string[] = [
  'positions riskd would have closed are marked at the close of the minute bar of the enforcement minute',
  "riskd's closing fills are assumed at that bar close: no slippage, no latency, the trader's fee per contract",
  'round trips a lock forbade are removed whole (live, riskd would close them at once, for a small cost)',
  'after a reduce, the remaining contracts exit where the trader exited',
];

/** Rules that did something on a day (see limitHit: the session rule's calendar lock alone is not shown). */
export function rulesFired(d: Pick<DayReport, 'locks' | 'enforcements' | 'blocked'>): string[] {
  const rules = [
    ...d.locks.filter((l) => l.lock.kind !== 'until_session').map((l) => l.lock.rule as string),
    ...d.enforcements.map((e) => e.rule),
    ...d.blocked.map((b) => b.rule as string),
  ];
  return [...new Set(rules)].sort();
}

export interface DayReport {
  day: string;
  /** Round trips the trader made that day (as traded). */
  trips: number;
  asTraded: number;
  withRiskd: number;
  /** Locks set that day, in time order. */
  locks: ReplayLock[];
  enforcements: ReplayEnforcement[];
  /** Blocked round trips with their number among the day's round trips (1-based). */
  blocked: (BlockedTrip & { n: number })[];
}

export interface Totals {
  asTraded: number;
  withRiskd: number;
  worstDay: { asTraded: { day: string; pnl: number } | null; withRiskd: { day: string; pnl: number } | null };
  maxDrawdown: { asTraded: number; withRiskd: number };
  daysLimitHit: number;
}

/** Cumulative net P&L after each fill of a series (x = epoch ms). */
export interface Curve {
  label: string;
  points: { at: number; pnl: number }[];
}

export interface ReplayReport {
  account: string;
  since: number;
  until: number;
  timezone: string;
  days: DayReport[];
  totals: Totals;
  curves: Curve[];
  /** The compared rule set's totals and per-day figures (same days), when --compare was given. */
  compare?: { label: string; days: Pick<DayReport, 'day' | 'withRiskd' | 'locks'>[]; totals: Totals };
  approximations: readonly string[];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

interface NetFill {
  at: number;
  net: number;
}

function byDay<T>(items: readonly T[], at: (x: T) => number, spec: ResetSpec): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const d = tradingDayId(at(x), spec);
    const list = m.get(d);
    if (list) list.push(x);
    else m.set(d, [x]);
  }
  return m;
}

function curveOf(label: string, fills: readonly NetFill[]): Curve {
  let sum = 0;
  return { label, points: [...fills].sort((a, b) => a.at - b.at).map((f) => ({ at: f.at, pnl: round2((sum += f.net)) })) };
}

function maxDrawdown(c: Curve): number {
  let peak = 0;
  let worst = 0;
  for (const p of c.points) {
    peak = Math.max(peak, p.pnl);
    worst = Math.max(worst, peak - p.pnl);
  }
  return round2(worst);
}

function worst(days: { day: string; pnl: number }[]): { day: string; pnl: number } | null {
  return days.reduce<{ day: string; pnl: number } | null>((w, d) => (w === null || d.pnl < w.pnl ? d : w), null);
}

/** Entry instants of the round trips (flat to flat per contract) of the history. */
function tripEntries(data: ReplayData): number[] {
  const size = new Map<string, number>();
  const entries: number[] = [];
  for (const t of [...data.trades].filter((x) => !x.voided).sort((a, b) => a.creationTimestamp - b.creationTimestamp)) {
    const before = size.get(t.contractId) ?? 0;
    if (before === 0) entries.push(t.creationTimestamp);
    size.set(t.contractId, before + (t.side === 0 ? t.size : -t.size));
  }
  return entries;
}

/**
 * Whether a day hit a limit: a rule's lock, except the session rule's daily "outside the window" lock, which is
 * the calendar, not a limit (it counts when it blocked a trade or closed a position).
 */
function limitHit(d: Pick<DayReport, 'locks' | 'enforcements' | 'blocked'>): boolean {
  return (
    d.locks.some((l) => l.lock.rule !== 'admin' && l.lock.kind !== 'until_session') ||
    d.enforcements.some((e) => e.rule !== 'admin') ||
    d.blocked.some((b) => b.rule !== 'admin')
  );
}

export function buildReport(data: ReplayData, outcome: ReplayOutcome, spec: ResetSpec, compare?: { label: string; outcome: ReplayOutcome }): ReplayReport {
  const traded: NetFill[] = data.trades.filter((t) => !t.voided).map((t) => ({ at: t.creationTimestamp, net: (t.profitAndLoss ?? 0) - t.fees }));
  const kept = (o: ReplayOutcome): NetFill[] => o.fills.map((f) => ({ at: f.at, net: (f.pnl ?? 0) - f.fees }));
  const entriesByDay = byDay(tripEntries(data), (x) => x, spec);
  const tradedByDay = byDay(traded, (f) => f.at, spec);
  const dayIds = new Set([...tradedByDay.keys(), ...byDay(kept(outcome), (f) => f.at, spec).keys()]);
  const sum = (fs: readonly NetFill[] | undefined): number => round2((fs ?? []).reduce((s, f) => s + f.net, 0));

  const daysOf = (o: ReplayOutcome) => {
    const keptByDay = byDay(kept(o), (f) => f.at, spec);
    const locksByDay = byDay(o.locks, (l) => l.lock.since, spec);
    const enfByDay = byDay(o.enforcements, (e) => e.at, spec);
    const blockedByDay = byDay(o.blocked, (b) => b.entryAt, spec);
    return [...dayIds].sort().map((day) => {
      const entries = entriesByDay.get(day) ?? [];
      return {
        day,
        trips: entries.length,
        asTraded: sum(tradedByDay.get(day)),
        withRiskd: sum(keptByDay.get(day)),
        locks: locksByDay.get(day) ?? [],
        enforcements: enfByDay.get(day) ?? [],
        blocked: (blockedByDay.get(day) ?? []).map((b) => ({ ...b, n: entries.indexOf(b.entryAt) + 1 })),
      };
    });
  };
  const totalsOf = (days: DayReport[], withCurve: Curve, tradedCurve: Curve): Totals => ({
    asTraded: round2(days.reduce((s, d) => s + d.asTraded, 0)),
    withRiskd: round2(days.reduce((s, d) => s + d.withRiskd, 0)),
    worstDay: { asTraded: worst(days.map((d) => ({ day: d.day, pnl: d.asTraded }))), withRiskd: worst(days.map((d) => ({ day: d.day, pnl: d.withRiskd }))) },
    maxDrawdown: { asTraded: maxDrawdown(tradedCurve), withRiskd: maxDrawdown(withCurve) },
    daysLimitHit: days.filter(limitHit).length,
  });

  const days = daysOf(outcome);
  const tradedCurve = curveOf('as traded', traded);
  const withCurve = curveOf('with riskd', kept(outcome));
  const report: ReplayReport = {
    account: data.account.name,
    since: data.since,
    until: data.until,
    timezone: spec.timezone,
    days,
    totals: totalsOf(days, withCurve, tradedCurve),
    curves: [tradedCurve, withCurve],
    approximations: APPROXIMATIONS,
  };
  if (compare) {
    const cDays = daysOf(compare.outcome);
    const cCurve = curveOf(`with riskd (${compare.label})`, kept(compare.outcome));
    report.curves.push(cCurve);
    report.compare = { label: compare.label, days: cDays.map((d) => ({ day: d.day, withRiskd: d.withRiskd, locks: d.locks })), totals: totalsOf(cDays, cCurve, tradedCurve) };
  }
  return report;
}
