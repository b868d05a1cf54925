// How riskd writes numbers, durations, times and locks wherever a trader reads them (rule messages, status,
// watch, notifications, the demo): "-$187.89", "1h 30m", "17:05 CT", "locked until the 17:00 CT reset".
// Times are wall-clock in the trading-day zone, labelled with the zone's short name. Pure functions only.
import { DateTime } from 'luxon';

const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "$1,234.50"; a negative amount as "-$512.40" (never "$-512.40"); "-" when unknown. */
export function money(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const cents = Math.round(v * 100) / 100;
  return `${cents < 0 ? '-' : ''}$${MONEY.format(Math.abs(cents))}`;
}

/** A configured limit: whole dollars when whole ("$500"), else with cents ("$150.50"). */
export function moneyLimit(v: number): string {
  return Number.isInteger(v) ? `$${MONEY.format(v).replace(/\.00$/, '')}` : money(v);
}

/** "30s", "5m", "1h 30m", "1h 0m 5s", "2d 3h" (rounded to the second). */
export function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return s > 0 ? `${h}h ${m}m ${s}s` : `${h}h ${m}m`;
  if (m > 0) return s > 0 ? `${m}m ${s}s` : `${m}m`;
  return `${s}s`;
}

/**
 * Time left as mm:ss (h:mm:ss from one hour, "Nd hh:mm:ss" from one day). Rounded UP to the second, so a lock
 * shows 00:01 until its last second has passed and 00:00 only at its deadline.
 */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const two = (n: number) => String(n).padStart(2, '0');
  if (h === 0) return `${two(m)}:${two(s)}`;
  if (h < 24) return `${h}:${two(m)}:${two(s)}`;
  return `${Math.floor(h / 24)}d ${two(h % 24)}:${two(m)}:${two(s)}`;
}

/** "3s", "4m", "2h", "3d" (for "… ago"). */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export function contracts(n: number): string {
  return `${n} contract${n === 1 ? '' : 's'}`;
}

/**
 * The zone's short name at `at`: the generic one traders use when it is short ("CT", "ET"), else the
 * abbreviation or offset ("GMT", "GMT+1").
 */
const zoneFormats = new Map<string, Intl.DateTimeFormat>(); // building one costs more than using it

export function zoneLabel(tz: string, at: number): string {
  const part = (style: 'shortGeneric' | 'short') => {
    const key = `${tz} ${style}`;
    let f = zoneFormats.get(key);
    if (!f) zoneFormats.set(key, (f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style })));
    return f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? tz;
  };
  const generic = part('shortGeneric');
  return /^[A-Z]{2,4}$/.test(generic) ? generic : part('short');
}

/** "17:00 CT" — or "Fri 17:00 CT" when `at` is not on the same local day as `now`. */
export function clock(at: number, tz: string, now: number): string {
  const t = DateTime.fromMillis(at, { zone: tz });
  const sameDay = t.hasSame(DateTime.fromMillis(now, { zone: tz }), 'day');
  return `${t.toFormat(sameDay ? 'HH:mm' : 'ccc HH:mm')} ${zoneLabel(tz, at)}`;
}

/** "14:05:09 CT": a moment in a feed, to the second. */
export function clockSeconds(at: number, tz: string): string {
  return `${DateTime.fromMillis(at, { zone: tz }).toFormat('HH:mm:ss')} ${zoneLabel(tz, at)}`;
}

/** "Thu Dec 3 14:05 CT" (with `seconds`, "Thu Dec 3 14:05:09 CT"): a moment that may be days away. */
export function dateTime(at: number, tz: string, seconds = false): string {
  return `${DateTime.fromMillis(at, { zone: tz }).toFormat(seconds ? 'ccc LLL d HH:mm:ss' : 'ccc LLL d HH:mm')} ${zoneLabel(tz, at)}`;
}

export interface LockFacts {
  kind: string;
  symbol: string | null;
  /** Deadline (epoch ms) when the lock has one (cooldowns, the reset, the next session window). */
  until: number | null;
}

/**
 * What a lock means for the trader, in words: "locked until the 17:00 CT reset", "no new trades until
 * 09:05 CT", "no trading in CL". `tz` is the trading-day zone.
 */
export function lockDescription(l: LockFacts, tz: string, now: number): string {
  const at = (ms: number) => clock(ms, tz, now);
  switch (l.kind) {
    case 'until_reset':
      return l.until !== null ? `locked until the ${at(l.until)} reset` : 'locked until the trading-day reset';
    case 'until_session':
      return l.until !== null ? `locked until the session opens at ${at(l.until)}` : 'locked until the next session opens';
    case 'until_can_trade':
      return 'locked until the broker allows trading again';
    case 'cooldown':
      return l.until !== null ? `no new trades until ${at(l.until)}` : 'no new trades during the cooldown';
    case 'symbol':
      return `no trading in ${l.symbol ?? 'a blocked symbol'}`;
    default:
      return 'locked';
  }
}

const OUTCOME_WORDS: Record<string, string> = {
  pending: 'in progress',
  sent: 'sent',
  confirmed: 'done',
  reconciled: 'done',
  failed: 'FAILED',
  skipped: 'not needed',
};

/** An enforcement row's status in words. */
export function outcomeWords(status: string): string {
  return OUTCOME_WORDS[status] ?? status;
}

/**
 * What the gateway refuses on an account (a live or follower account) and what riskd does instead, one sentence
 * each: the trader sees why an order was not cancelled or a whole position was closed.
 */
export function gatewayRefusalNotes(refuses: { cancel: boolean; partialClose: boolean }): string[] {
  const notes: string[] = [];
  if (refuses.cancel) notes.push('refuses cancels: riskd closes what an order it could not cancel fills');
  if (refuses.partialClose) notes.push('refuses partial closes: riskd closes the whole position instead of the excess');
  return notes;
}
