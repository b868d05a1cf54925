// The session calendar of RULE-009: when is trading allowed? Pure; the caller passes "now" (UTC epoch ms).
// Windows are wall-clock times in cfg.timezone (luxon does the DST math). A window whose end is not after
// its start runs past midnight, and `days` names the day it starts. A window belongs to the calendar date on
// which it ENDS (the futures convention: Sunday 17:00 -> Monday 15:10 is Monday's session), so a holiday date
// drops the window ending that date and an early_close date cuts the window ending that date.
import { DateTime } from 'luxon';
import type { RiskRules, Weekday } from '../config/types.ts';

export type SessionConfig = RiskRules['session_block_outside'];

export interface SessionState {
  inside: boolean;
  /** End of the current window (contiguous windows merged) when inside, else null. */
  windowEnd: number | null;
  /** Start of the next window when outside, else null (null also when no window opens within a year). */
  nextOpen: number | null;
  /** The blackout covering `now`, if any. */
  blackout: { start: number; end: number; flatten: boolean } | null;
}

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']; // luxon weekday 1..7
const SCAN_CHUNK_DAYS = 8;
const SCAN_LIMIT_DAYS = 370;

function parseHHMM(hhmm: string, what: string): { hour: number; minute: number } {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const hour = m ? Number(m[1]) : NaN;
  const minute = m ? Number(m[2]) : NaN;
  if (!m || hour > 23 || minute > 59) throw new Error(`session_block_outside: invalid time ${what} "${hhmm}", expected HH:MM`);
  return { hour, minute };
}

interface Interval {
  start: number;
  end: number;
}

/** A local calendar date as plain numbers; day arithmetic through Date.UTC needs no time-zone math. */
interface CivilDate {
  y: number;
  m: number; // 1..12
  d: number;
}
const addDays = (c: CivilDate, n: number): CivilDate => {
  const t = new Date(Date.UTC(c.y, c.m - 1, c.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
const isoOf = (c: CivilDate): string => `${String(c.y).padStart(4, '0')}-${String(c.m).padStart(2, '0')}-${String(c.d).padStart(2, '0')}`;
const weekdayOf = (c: CivilDate): Weekday => WEEKDAYS[(new Date(Date.UTC(c.y, c.m - 1, c.d)).getUTCDay() + 6) % 7]!;
/** The instant of a local wall-clock time in the zone (luxon: a nonexistent DST time moves forward). */
const instant = (c: CivilDate, t: { hour: number; minute: number }, zone: string): number =>
  DateTime.fromObject({ year: c.y, month: c.m, day: c.d, hour: t.hour, minute: t.minute }, { zone }).toMillis();

/**
 * Windows per local start date, cached per config object (configs are immutable values): the calendar is asked
 * on every boundary and by rules on hot paths, and luxon zone math is the expensive part.
 */
const windowCache = new WeakMap<SessionConfig, Map<string, Interval[]>>();
const CACHE_LIMIT = 4000;

/** The windows that start on the local calendar date `date`. */
function windowsStartingOnDate(date: CivilDate, cfg: SessionConfig): Interval[] {
  let perDate = windowCache.get(cfg);
  if (!perDate) windowCache.set(cfg, (perDate = new Map()));
  const key = isoOf(date);
  const hit = perDate.get(key);
  if (hit) return hit;
  const weekday = weekdayOf(date);
  const out: Interval[] = [];
  for (const [index, w] of cfg.windows.entries()) {
    if (!w.days.includes(weekday)) continue;
    const s = parseHHMM(w.start, `windows[${index}].start`);
    const e = parseHHMM(w.end, `windows[${index}].end`);
    const overnight = e.hour * 60 + e.minute <= s.hour * 60 + s.minute;
    const endDate = overnight ? addDays(date, 1) : date;
    const sessionDate = isoOf(endDate);
    if (cfg.holidays.includes(sessionDate)) continue;
    const start = instant(date, s, cfg.timezone);
    let end = instant(endDate, e, cfg.timezone);
    const early = cfg.early_close[sessionDate];
    if (early !== undefined) end = Math.min(end, instant(endDate, parseHHMM(early, `early_close[${sessionDate}]`), cfg.timezone));
    if (end > start) out.push({ start, end });
  }
  if (perDate.size >= CACHE_LIMIT) perDate.clear();
  perDate.set(key, out);
  return out;
}

/** The windows that start on the local calendar dates [from, from + days), as absolute intervals. */
function windowsStartingOn(from: CivilDate, days: number, cfg: SessionConfig): Interval[] {
  const out: Interval[] = [];
  for (let i = 0; i < days; i++) out.push(...windowsStartingOnDate(addDays(from, i), cfg));
  return out;
}

/** The local calendar date of `now` in the configured zone. */
function localDate(now: number, cfg: SessionConfig): CivilDate {
  const local = DateTime.fromMillis(now, { zone: cfg.timezone });
  if (!local.isValid) throw new Error(`session_block_outside: invalid timezone "${cfg.timezone}"`);
  return { y: local.year, m: local.month, d: local.day };
}

/** Sorted, merged (overlapping or touching) intervals. */
function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else out.push({ ...iv });
  }
  return out;
}

/**
 * Merged windows relevant at `now`: every window that could contain `now` (those starting yesterday or
 * today) and at least one window starting after `now`, scanning ahead up to a year.
 */
function intervalsAround(now: number, cfg: SessionConfig): Interval[] {
  const first = addDays(localDate(now, cfg), -2);
  let collected: Interval[] = [];
  for (let scanned = 0; scanned < SCAN_LIMIT_DAYS; scanned += SCAN_CHUNK_DAYS) {
    collected = collected.concat(windowsStartingOn(addDays(first, scanned), SCAN_CHUNK_DAYS, cfg));
    // No unscanned window can start before the horizon (local midnight of the first unscanned date; a zone
    // offset is < 1 day, so the UTC midnight minus a day is a safe lower bound), so an interval ending before it is complete.
    const h = addDays(first, scanned + SCAN_CHUNK_DAYS);
    const horizon = Date.UTC(h.y, h.m - 1, h.d) - 86_400_000;
    const merged = merge(collected);
    if (merged.some((iv) => iv.start > now && iv.end < horizon)) return merged;
  }
  return merge(collected);
}

/** Where `now` stands in the session calendar. */
export function sessionStateAt(now: number, cfg: SessionConfig): SessionState {
  const intervals = intervalsAround(now, cfg);
  const current = intervals.find((iv) => iv.start <= now && now < iv.end);
  const next = intervals.find((iv) => iv.start > now);
  const b = cfg.blackouts.find((x) => x.start <= now && now < x.end);
  return {
    inside: current !== undefined,
    windowEnd: current ? current.end : null,
    nextOpen: current ? null : (next?.start ?? null),
    blackout: b ? { start: b.start, end: b.end, flatten: b.flatten } : null,
  };
}

/** Start of the next window strictly after `now` (after the current window's end when inside); null if none within a year. */
export function nextSessionOpen(now: number, cfg: SessionConfig): number | null {
  const intervals = intervalsAround(now, cfg);
  return intervals.find((iv) => iv.start > now)?.start ?? null;
}

/**
 * End of the latest window that closed at or before `now` (contiguous windows merged); null if none within a
 * year. When the account machine catches up after downtime, an until_session lock began at that instant.
 */
export function previousSessionClose(now: number, cfg: SessionConfig): number | null {
  const today = localDate(now, cfg);
  // Windows ending before now start at most a day before they end, so scanning back day-chunks suffices;
  // the chunk also includes today so a window still open at now merges correctly.
  for (let back = SCAN_CHUNK_DAYS; back <= SCAN_LIMIT_DAYS; back += SCAN_CHUNK_DAYS) {
    const merged = merge(windowsStartingOn(addDays(today, -back), back + 1, cfg));
    const closed = merged.filter((iv) => iv.end <= now);
    if (closed.length > 0) return closed[closed.length - 1]!.end;
  }
  return null;
}

/** The same calendar without its holidays (one object per config, so the window cache keeps working). */
const withoutHolidays = new WeakMap<SessionConfig, SessionConfig>();

export interface HolidayState {
  /** A holiday dropped the window around `now`: that window's would-be end (the market is closed until then). */
  closedUntil: number | null;
  /** Outside and not closed: the would-be start of a window a holiday dropped, if it comes before the next open. */
  nextClosed: number | null;
}

/** Where the holidays change the calendar's answer around `now` (windows early_close only cuts stay as they are). */
export function holidayAt(now: number, cfg: SessionConfig, st: SessionState = sessionStateAt(now, cfg)): HolidayState {
  if (st.inside || cfg.holidays.length === 0) return { closedUntil: null, nextClosed: null };
  let plain = withoutHolidays.get(cfg);
  if (!plain) withoutHolidays.set(cfg, (plain = { ...cfg, holidays: [] }));
  const p = sessionStateAt(now, plain);
  if (p.inside) return { closedUntil: p.windowEnd, nextClosed: null };
  const dropped = p.nextOpen !== null && (st.nextOpen === null || p.nextOpen < st.nextOpen);
  return { closedUntil: null, nextClosed: dropped ? p.nextOpen : null };
}

/**
 * The next instant after `now` at which sessionStateAt can change its answer: the current window's end,
 * the next window's start, or a blackout's start or end. The account machine arms its wake timer with it.
 */
export function nextSessionBoundary(now: number, cfg: SessionConfig, st: SessionState = sessionStateAt(now, cfg)): number | null {
  const candidates: number[] = [];
  if (st.windowEnd !== null) candidates.push(st.windowEnd);
  const open = st.inside ? null : st.nextOpen;
  if (open !== null) candidates.push(open);
  for (const b of cfg.blackouts) {
    if (b.start > now) candidates.push(b.start);
    if (b.end > now) candidates.push(b.end);
  }
  return candidates.length > 0 ? Math.min(...candidates) : null;
}
