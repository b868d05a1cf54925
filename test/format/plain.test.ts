import { describe, expect, it } from 'vitest';
import { clock, clockSeconds, countdown, duration, lockDescription, money, moneyLimit, zoneLabel } from '../../src/format/plain.ts';

const TUE_0900_CST = Date.UTC(2026, 10, 24, 15, 0); // Tue Nov 24 2026 09:00 CST
const JUL_0900_CDT = Date.UTC(2026, 6, 14, 14, 0); // Tue Jul 14 2026 09:00 CDT

describe('money', () => {
  it('puts the sign before the dollar sign, with cents and thousands', () => {
    expect(money(-187.89)).toBe('-$187.89');
    expect(money(1234.5)).toBe('$1,234.50');
    expect(money(0)).toBe('$0.00');
    expect(money(-0.004)).toBe('$0.00'); // rounds to zero: no "-$0.00"
    expect(money(null)).toBe('-');
    expect(money(Number.NaN)).toBe('-');
  });
  it('a limit in whole dollars when whole', () => {
    expect(moneyLimit(500)).toBe('$500');
    expect(moneyLimit(2500)).toBe('$2,500');
    expect(moneyLimit(150.5)).toBe('$150.50');
  });
});

describe('durations', () => {
  it('words for a length of time', () => {
    expect(duration(30_000)).toBe('30s');
    expect(duration(300_000)).toBe('5m');
    expect(duration(5_400_000)).toBe('1h 30m');
    expect(duration(3_605_000)).toBe('1h 0m 5s');
    expect(duration(2 * 86_400_000 + 3 * 3_600_000)).toBe('2d 3h');
  });
  it('countdowns round up to the second', () => {
    expect(countdown(1)).toBe('00:01');
    expect(countdown(272_000)).toBe('04:32');
    expect(countdown(3_600_000)).toBe('1:00:00');
  });
});

describe('times in the trading-day zone, labelled', () => {
  it('CT in winter and summer alike; other zones get their abbreviation or offset', () => {
    expect(zoneLabel('America/Chicago', TUE_0900_CST)).toBe('CT');
    expect(zoneLabel('America/Chicago', JUL_0900_CDT)).toBe('CT');
    expect(zoneLabel('America/New_York', TUE_0900_CST)).toBe('ET');
    expect(zoneLabel('Europe/London', TUE_0900_CST)).toBe('GMT');
    expect(zoneLabel('UTC', TUE_0900_CST)).toBe('UTC');
  });
  it('the weekday only when the time is not today', () => {
    expect(clock(TUE_0900_CST + 8 * 3_600_000, 'America/Chicago', TUE_0900_CST)).toBe('17:00 CT');
    expect(clock(TUE_0900_CST + 24 * 3_600_000, 'America/Chicago', TUE_0900_CST)).toBe('Wed 09:00 CT');
    expect(clockSeconds(TUE_0900_CST + 9_000, 'America/Chicago')).toBe('09:00:09 CT');
  });
});

describe('locks in words', () => {
  const tz = 'America/Chicago';
  const reset = TUE_0900_CST + 8 * 3_600_000;
  it('never the internal kind', () => {
    expect(lockDescription({ kind: 'until_reset', symbol: null, until: reset }, tz, TUE_0900_CST)).toBe('locked until the 17:00 CT reset');
    expect(lockDescription({ kind: 'cooldown', symbol: null, until: TUE_0900_CST + 300_000 }, tz, TUE_0900_CST)).toBe('no new trades until 09:05 CT');
    expect(lockDescription({ kind: 'until_session', symbol: null, until: TUE_0900_CST + 24 * 3_600_000 }, tz, TUE_0900_CST)).toBe('locked until the session opens at Wed 09:00 CT');
    expect(lockDescription({ kind: 'until_can_trade', symbol: null, until: null }, tz, TUE_0900_CST)).toBe('locked until the broker allows trading again');
    expect(lockDescription({ kind: 'symbol', symbol: 'CL', until: null }, tz, TUE_0900_CST)).toBe('no trading in CL');
  });
});
