// Gateway timestamps come with 0-7 (or more) fractional digits and a `Z`, `+00:00`, another offset, or no offset
// at all (then UTC, not local time). Date.parse truncates to ms and treats offset-less strings as local time, so
// we parse by hand: epoch ms plus the sub-millisecond remainder in 100 ns ticks for ordering ties.

export interface GatewayInstant {
  /** UTC epoch milliseconds (the fraction truncated to whole ms). */
  ms: number;
  /** Sub-millisecond remainder in 100 ns units, 0..9999. */
  ticks: number;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Returns undefined when the string is not a valid gateway timestamp. */
export function parseGatewayInstant(text: string): GatewayInstant | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s ?? '0');
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0)) return undefined;
  const digits = (frac ?? '').padEnd(7, '0');
  const fracMs = Number(digits.slice(0, 3));
  const ticks = Number(digits.slice(3, 7));
  let offsetMin = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const body = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(body.slice(0, 2)) * 60 + Number(body.slice(2, 4) || '0'));
  }
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC silently rolls over (Feb 30 -> Mar 2); reject days that do not exist.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  return { ms: base + fracMs - offsetMin * 60_000, ticks };
}
