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

/** The windows that start on the local calendar dates [from, from + days), as absolute intervals. */
function windowsStartingOn(from: DateTime, days: number, cfg: SessionConfig): Interval[] {
  const holidays = new Set(cfg.holidays);
  const out: Interval[] = [];
  for (let i = 0; i < days; i++) {
    const date = from.plus({ days: i });
    const weekday = WEEKDAYS[date.weekday - 1]!;
    for (const [index, w] of cfg.windows.entries()) {
      if (!w.days.includes(weekday)) continue;
      const s = parseHHMM(w.start, `windows[${index}].start`);
      const e = parseHHMM(w.end, `windows[${index}].end`);
      const overnight = e.hour * 60 + e.minute <= s.hour * 60 + s.minute;
      const endDate = overnight ? date.plus({ days: 1 }) : date;
      const sessionDate = endDate.toISODate()!;
      if (holidays.has(sessionDate)) continue;
      const start = date.set({ ...s, second: 0, millisecond: 0 }).toMillis();
      let end = endDate.set({ ...e, second: 0, millisecond: 0 }).toMillis();
      const early = cfg.early_close[sessionDate];
      if (early !== undefined) {
        const ec = parseHHMM(early, `early_close[${sessionDate}]`);
        end = Math.min(end, endDate.set({ ...ec, second: 0, millisecond: 0 }).toMillis());
      }
      if (end > start) out.push({ start, end });
    }
  }
  return out;
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
  const today = DateTime.fromMillis(now, { zone: cfg.timezone }).startOf('day');
  if (!today.isValid) throw new Error(`session_block_outside: invalid timezone "${cfg.timezone}"`);
  const first = today.minus({ days: 2 });
  let collected: Interval[] = [];
  for (let scanned = 0; scanned < SCAN_LIMIT_DAYS; scanned += SCAN_CHUNK_DAYS) {
    collected = collected.concat(windowsStartingOn(first.plus({ days: scanned }), SCAN_CHUNK_DAYS, cfg));
    // No unscanned window can start before the horizon, so an interval ending before it is complete.
    const horizon = first.plus({ days: scanned + SCAN_CHUNK_DAYS }).toMillis();
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
  const today = DateTime.fromMillis(now, { zone: cfg.timezone }).startOf('day');
  if (!today.isValid) throw new Error(`session_block_outside: invalid timezone "${cfg.timezone}"`);
  // Windows ending before now start at most a day before they end, so scanning back day-chunks suffices;
  // the chunk also includes today so a window still open at now merges correctly.
  for (let back = SCAN_CHUNK_DAYS; back <= SCAN_LIMIT_DAYS; back += SCAN_CHUNK_DAYS) {
    const merged = merge(windowsStartingOn(today.minus({ days: back }), back + 1, cfg));
    const closed = merged.filter((iv) => iv.end <= now);
    // The earliest scanned day may hold a window glued to an unscanned earlier one, but only its end matters.
    if (closed.length > 0) return closed[closed.length - 1]!.end;
  }
  return null;
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
