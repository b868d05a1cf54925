// The replay report as terminal text: one table row per trading day, what fired under it, the totals, and
// plainly what is approximated. Times in the trading day's zone.
import { DateTime } from 'luxon';
import { rulesFired, type DayReport, type ReplayReport, type Totals } from './report.ts';

export function money(x: number): string {
  const s = Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${x < 0 ? '-' : ''}$${s}`;
}

export const clockTime = (at: number, zone: string): string => DateTime.fromMillis(at, { zone }).toFormat('HH:mm:ss');
const dateTime = (at: number, zone: string): string => DateTime.fromMillis(at, { zone }).toFormat('yyyy-LL-dd HH:mm ZZZZ');

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

function totalsLines(label: string, t: Totals): string[] {
  const w = (x: { day: string; pnl: number } | null) => (x ? `${money(x.pnl)} on ${x.day}` : 'n/a');
  return [
    `${label}: total ${money(t.asTraded)} as traded, ${money(t.withRiskd)} with riskd`,
    `  worst day: ${w(t.worstDay.asTraded)} as traded, ${w(t.worstDay.withRiskd)} with riskd`,
    `  maximum drawdown: ${money(-t.maxDrawdown.asTraded)} as traded, ${money(-t.maxDrawdown.withRiskd)} with riskd`,
    `  days a limit was hit: ${t.daysLimitHit}`,
  ];
}

/** What happened on a day, in time order: locks set, riskd's actions, trades a lock blocked. */
export function dayEvents(d: DayReport, tz: string): { at: number; text: string }[] {
  const out: { at: number; text: string }[] = [];
  // The session rule's lock at every window end is the calendar: shown only on a day it acted.
  const sessionActed = rulesFired(d).includes('RULE-009');
  for (const l of d.locks) {
    if (l.lock.kind === 'until_session' && !sessionActed) continue;
    const until = l.lock.until === null ? '' : ` until ${clockTime(l.lock.until, tz)}`;
    out.push({ at: l.lock.since, text: `${l.lock.rule} lock (${l.lock.kind})${until}: ${l.lock.reason}` });
  }
  for (const e of d.enforcements) {
    const what = e.intent.type === 'close' || e.intent.type === 'reduce' ? `${e.intent.type} ${e.intent.contractId}` : e.intent.type;
    const at = e.markPrice !== undefined ? ` at ${e.markPrice} (${e.markFrom === 'bar' ? 'bar close' : e.markFrom})` : '';
    const cancelled = e.cancelled ? ` (cancelled ${e.cancelled.length} order${e.cancelled.length === 1 ? '' : 's'})` : '';
    out.push({ at: e.at, text: `${e.rule} ${what}${at}${cancelled}: ${e.reason}` });
  }
  for (const b of d.blocked) out.push({ at: b.entryAt, text: `trade ${b.n} blocked by ${b.rule} (${money(b.pnl)} as traded)` });
  return out.sort((a, b) => a.at - b.at);
}

export function formatReport(r: ReplayReport): string {
  const tz = r.timezone;
  const lines: string[] = [];
  lines.push(`riskd replay: ${r.account}, ${dateTime(r.since, tz)} to ${dateTime(r.until, tz)}`);
  lines.push('');
  const header = ['trading day', 'trades', 'as traded', 'with riskd', ...(r.compare ? [r.compare.label] : []), 'blocked', 'rules fired'];
  const rows = r.days.map((d, i) => [
    d.day,
    String(d.trips),
    money(d.asTraded),
    money(d.withRiskd),
    ...(r.compare ? [money(r.compare.days[i]?.withRiskd ?? 0)] : []),
    String(d.blocked.length),
    rulesFired(d).join(' ') || '-',
  ]);
  lines.push(pad([header, ...rows]));
  lines.push('');
  for (const d of r.days) {
    const events = dayEvents(d, tz);
    if (events.length === 0) continue;
    lines.push(`${d.day}:`);
    for (const e of events) lines.push(`  ${clockTime(e.at, tz)}  ${e.text}`);
  }
  lines.push('');
  lines.push(...totalsLines('Totals', r.totals));
  if (r.compare) lines.push(...totalsLines(`Compared rule set ${r.compare.label}`, r.compare.totals));
  lines.push('');
  lines.push('Approximated:');
  for (const a of r.approximations) lines.push(`  - ${a}`);
  return `${lines.join('\n')}\n`;
}
