// Words and numbers for trader-facing verdict messages: money as "$1,234.50", instants as wall-clock time in
// the trading-day zone ("17:00 CST", or "Mon 08:30 CST" when not on the same local day as now).
import { DateTime } from 'luxon';

const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "$512.40"; a negative amount as "-$512.40". */
export function money(v: number): string {
  const cents = Math.round(v * 100) / 100;
  return `${cents < 0 ? '-' : ''}$${MONEY.format(Math.abs(cents))}`;
}

/** Wall-clock time of `at` in `tz`, with the weekday when it is not on the same local date as `now`. */
export function clock(at: number, tz: string, now: number): string {
  const t = DateTime.fromMillis(at, { zone: tz });
  const sameDay = t.hasSame(DateTime.fromMillis(now, { zone: tz }), 'day');
  return t.toFormat(sameDay ? 'HH:mm ZZZZ' : 'ccc HH:mm ZZZZ');
}

/** "30s", "5m", "1h 30m", "1h 0m 5s". */
export function duration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return s > 0 ? `${h}h ${m}m ${s}s` : `${h}h ${m}m`;
  if (m > 0) return s > 0 ? `${m}m ${s}s` : `${m}m`;
  return `${s}s`;
}

export function contracts(n: number): string {
  return `${n} contract${n === 1 ? '' : 's'}`;
}
