// Gateway timestamp forms and the seeded PRNG.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/sim/prng.ts';
import { millisTime, restTime, StampClock, streamTime } from '../../src/sim/time.ts';

const ms = Date.parse('2025-11-21T14:35:02.156Z');

describe('timestamps', () => {
  it('stream: 7 fractional digits; REST: microseconds with trailing zeros trimmed; quotes: milliseconds', () => {
    expect(streamTime({ ms, sub: 7302 })).toBe('2025-11-21T14:35:02.1567302+00:00');
    expect(restTime({ ms, sub: 7302 })).toBe('2025-11-21T14:35:02.15673+00:00');
    expect(restTime({ ms, sub: 7512 })).toBe('2025-11-21T14:35:02.156751+00:00');
    expect(restTime({ ms: Date.parse('2025-11-21T14:35:02.000Z'), sub: 3 })).toBe('2025-11-21T14:35:02+00:00');
    expect(millisTime(ms)).toBe('2025-11-21T14:35:02.156+00:00');
  });

  it('stamps strictly increase even when the clock stands still', () => {
    const c = new StampClock(() => ms);
    const a = c.stamp();
    const b = c.stamp();
    // (ms, sub) compared as a pair: ms * 10000 + sub is past 2^53 and would round two close stamps together.
    expect(b.ms > a.ms || (b.ms === a.ms && b.sub > a.sub)).toBe(true);
    expect(streamTime(b) > streamTime(a)).toBe(true);
  });
});

describe('prng', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const seq = (s: number) => {
      const p = createPrng(s);
      return Array.from({ length: 5 }, () => p.next());
    };
    expect(seq(1)).toEqual(seq(1));
    expect(seq(1)).not.toEqual(seq(2));
    expect(seq(1).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
