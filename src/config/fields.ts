// Leaf value types of the configuration files (durations, clock times, zones, dates, money, counts, symbols).
// Each one accepts exactly what rules.md allows, normalises it (durations -> ms, symbols -> upper case,
// instants -> epoch ms) and, when the value is wrong, says what was expected and what was found.
import { z } from 'zod';
import { didYouMean } from './didYouMean.ts';
import { DateTime, IANAZone } from 'luxon';

/** Shows a bad value in an error message: strings quoted, objects named by kind, long values cut. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A zod error function that reads "expected <what>, got <value>" (the loader redacts secret values). */
export function expecting(what: string) {
  return (iss: { input?: unknown }) => `expected ${what}, got ${describeValue(iss.input)}`;
}

/** A whole number ≥ 0 (contract counts, ticks, limits). */
export function count() {
  const msg = expecting('a whole number ≥ 0');
  return z.int({ error: msg }).min(0, { error: msg });
}

/** A whole number in [min, max]. */
export function intRange(min: number, max: number) {
  const msg = expecting(`a whole number from ${min} to ${max}`);
  return z.int({ error: msg }).min(min, { error: msg }).max(max, { error: msg });
}

/**
 * A dollar amount, written as a positive magnitude. A negative number is read as its magnitude (the loader
 * reports a notice for it, see MONEY_PATHS in schema.ts), so "limit: -500" and "limit: 500" mean the same.
 */
export function money() {
  return z
    .number({ error: expecting('an amount in dollars (a number)') })
    .refine(Number.isFinite, { error: expecting('a finite amount in dollars') })
    .transform((n) => Math.abs(n));
}

const DURATION_RE = /^(\d+)\s*(s|m|h)$/;
const DURATION_UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION_WORDS = 'a duration like 30s, 15m, 1h or a whole number of seconds';

function durationToMs(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v * 1000 : undefined;
  const m = DURATION_RE.exec(v.trim());
  if (!m) return undefined;
  return Number(m[1]) * DURATION_UNIT_MS[m[2] as keyof typeof DURATION_UNIT_MS];
}

/** `30s`, `15m`, `1h` or an integer number of seconds -> milliseconds. */
export function duration() {
  const msg = expecting(DURATION_WORDS);
  return z
    .union([z.int({ error: msg }).min(0, { error: msg }), z.string({ error: msg }).regex(DURATION_RE, { error: msg })], {
      error: msg,
    })
    .transform((v, ctx) => {
      const ms = durationToMs(v);
      if (ms === undefined) {
        ctx.issues.push({ code: 'custom', input: v, message: msg({ input: v }) });
        return z.NEVER;
      }
      return ms;
    });
}

/** A duration (ms), or `until_reset`: locked until the next trading-day reset. */
export function cooldown() {
  const msg = expecting(`${DURATION_WORDS}, or until_reset`);
  return z
    .union(
      [
        z.literal('until_reset', { error: msg }),
        z.int({ error: msg }).min(0, { error: msg }),
        z.string({ error: msg }).regex(DURATION_RE, { error: msg }),
      ],
      { error: msg },
    )
    .transform((v, ctx): number | 'until_reset' => {
      if (v === 'until_reset') return v;
      const ms = durationToMs(v);
      if (ms === undefined) {
        ctx.issues.push({ code: 'custom', input: v, message: msg({ input: v }) });
        return z.NEVER;
      }
      return ms;
    });
}

const HHMM_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** A clock time `HH:MM` (24 h), normalised to two-digit hours ("8:30" -> "08:30"). */
export function clockTime() {
  const msg = expecting('a time "HH:MM" (00:00 to 23:59)');
  return z
    .string({ error: msg })
    .regex(HHMM_RE, { error: msg })
    .transform((v) => v.padStart(5, '0'));
}

/** An IANA time-zone name such as America/Chicago. */
const ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

export function timeZone() {
  const msg = expecting('an IANA time zone such as America/Chicago');
  return z.string({ error: msg }).refine((v) => IANAZone.isValidZone(v), {
    error: (iss) => {
      const hint = typeof iss.input === 'string' ? didYouMean(iss.input, ZONES) : '';
      return `${msg(iss)}${hint ? ` (${hint})` : ''}`;
    },
  });
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(v: string): boolean {
  return DATE_RE.test(v) && DateTime.fromISO(v, { zone: 'utc' }).isValid;
}

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
export function calendarDate() {
  const msg = expecting('a real date "YYYY-MM-DD"');
  return z.string({ error: msg }).refine(isRealDate, { error: msg });
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export function weekday() {
  return z.enum(WEEKDAYS, { error: expecting(`a weekday (${WEEKDAYS.join(', ')})`) });
}

const OFFSET_RE = /(Z|[+-]\d{2}(:?\d{2})?)$/;

/** An ISO 8601 date-time WITH a UTC offset (2026-03-06T08:30:00-06:00) -> epoch ms. */
export function instant() {
  const msg = expecting('an ISO date-time with an offset, like 2026-03-06T08:30:00-06:00');
  return z
    .string({ error: msg })
    .refine((v) => v.includes('T') && OFFSET_RE.test(v) && DateTime.fromISO(v, { setZone: true }).isValid, {
      error: msg,
    })
    .transform((v) => DateTime.fromISO(v, { setZone: true }).toMillis());
}

/** A trader ticker as written (ES, mnq): letters and digits. */
export function symbolText() {
  const msg = expecting('a symbol such as ES or MNQ (letters and digits)');
  return z.string({ error: msg }).regex(/^\s*[A-Za-z0-9]+\s*$/, { error: msg });
}

export function normalizeSymbol(v: string): string {
  return v.trim().toUpperCase();
}

/** A trader ticker (ES, MNQ), case-insensitive in the file, upper case once loaded. */
export function symbol() {
  return symbolText().transform(normalizeSymbol);
}

/** One of a fixed set of words. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expecting(`one of ${values.join(', ')}`) });
}

export function bool() {
  return z.boolean({ error: expecting('true or false') });
}

/** A URL whose scheme is one of `schemes` (e.g. http, https). */
export function url(schemes: readonly string[]) {
  const msg = expecting(`a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`);
  return z.string({ error: msg }).refine(
    (v) => {
      try {
        const u = new URL(v);
        return schemes.includes(u.protocol.replace(/:$/, '')) && u.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: msg },
  );
}

/** A string that is not empty or blank. A secret one never echoes the value it got. */
export function nonEmptyText(what = 'a non-empty text', opts: { secret?: boolean } = {}) {
  const msg = opts.secret ? () => `expected ${what}` : expecting(what);
  return z.string({ error: msg }).refine((v) => v.trim() !== '', { error: msg });
}
