import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseGatewayInstant } from '../../src/gateway/parse/timestamp.ts';

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** Formats an instant the way the gateway might: local wall time at `offsetMin` plus that offset. */
function format(ms: number, ticks: number, digits: number, offsetMin: number | null): string {
  const local = new Date(ms + (offsetMin ?? 0) * 60_000);
  const frac = (pad(local.getUTCMilliseconds(), 3) + pad(ticks, 4)).slice(0, digits);
  const zone = offsetMin === null ? '' : offsetMin === 0 ? '+00:00' : `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${digits ? `.${frac}` : ''}${zone}`;
}

describe('parseGatewayInstant (property)', () => {
  it('round-trips any instant, fraction length and offset exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 7 }),
        fc.option(fc.integer({ min: -12 * 60, max: 14 * 60 }), { nil: null }),
        (ms, ticks, digits, offsetMin) => {
          const text = format(ms, ticks, digits, offsetMin);
          const parsed = parseGatewayInstant(text);
          // Fewer digits truncate the fraction: compare against the truncated expectation.
          const scale = 10 ** (7 - digits);
          const sub = Math.floor(((ms % 1000) * 10_000 + ticks) / scale) * scale;
          expect(parsed, text).toEqual({ ms: ms - (ms % 1000) + Math.floor(sub / 10_000), ticks: sub % 10_000 });
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
