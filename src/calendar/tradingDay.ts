// The trading-day clock: a trading day runs from one reset (default 17:00 America/Chicago) to the next.
// All math happens in the configured IANA zone through luxon, so DST switch days are handled; inputs
// and outputs are UTC epoch ms. Pure: the caller passes "now".
import { DateTime } from 'luxon';

export interface ResetSpec {
  resetTime: string; // HH:MM
  timezone: string; // IANA
}

function parseHHMM(hhmm: string): { hour: number; minute: number } {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`invalid time "${hhmm}", expected HH:MM`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** The reset instant on the calendar date of `local` (may be after `local`). */
function resetOnDate(local: DateTime, spec: ResetSpec): DateTime {
  const { hour, minute } = parseHHMM(spec.resetTime);
  return local.set({ hour, minute, second: 0, millisecond: 0 });
}

/** Epoch ms of the most recent reset at or before `at`: the start of the trading day containing `at`. */
export function tradingDayStart(at: number, spec: ResetSpec): number {
  const local = DateTime.fromMillis(at, { zone: spec.timezone });
  let reset = resetOnDate(local, spec);
  if (reset.toMillis() > at) reset = resetOnDate(local.minus({ days: 1 }), spec);
  return reset.toMillis();
}

/** Epoch ms of the first reset strictly after `at`: when the current trading day ends. */
export function nextReset(at: number, spec: ResetSpec): number {
  const local = DateTime.fromMillis(at, { zone: spec.timezone });
  let reset = resetOnDate(local, spec);
  if (reset.toMillis() <= at) reset = resetOnDate(local.plus({ days: 1 }), spec);
  return reset.toMillis();
}

/**
 * The trading-day id (YYYY-MM-DD) of `at`: the local calendar date on which the trading day ends.
 * With a 17:00 reset, Thursday 17:30 CT belongs to Friday, and Sunday evening to Monday.
 */
export function tradingDayId(at: number, spec: ResetSpec): string {
  const end = DateTime.fromMillis(nextReset(at, spec), { zone: spec.timezone });
  const { hour, minute } = parseHHMM(spec.resetTime);
  // A reset at 00:00 ends the day on the previous calendar date.
  const day = hour === 0 && minute === 0 ? end.minus({ days: 1 }) : end;
  return day.toISODate()!;
}
