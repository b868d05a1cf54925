// Trading-day roll in the ledger: a fill at/after the 17:00 CT reset belongs to the next day, DST-safe.
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { applyEvent } from '../../src/ledger/apply.ts';
import { ACC, registry, tradeEv, posEv } from './helpers.ts';

const ct = (iso: string) => DateTime.fromISO(iso, { zone: 'America/Chicago' }).toMillis();

describe('ledger trading day', () => {
  for (const [label, day] of [
    ['an ordinary day', '2026-11-20'],
    ['the spring-forward day (2026-03-08)', '2026-03-08'],
    ['the fall-back day (2026-11-01)', '2026-11-01'],
  ] as const) {
    it(`on ${label}: 16:59:59.999 CT counts today, 17:00:00.000 CT rolls to the next day`, () => {
      const before = ct(`${day}T16:59:59.999`);
      const at = ct(`${day}T17:00:00.000`);
      const r = registry(ct(`${day}T10:00:00`));
      const l = r.get(ACC)!;
      applyEvent(l, posEv({ id: 1 }, before - 10));
      const c1 = applyEvent(l, tradeEv({ id: 1, profitAndLoss: -50, side: 1 }, before));
      expect(c1.map((c) => c.kind)).toEqual(['fill']);
      expect(l.realizedGrossToday()).toBe(-50);
      expect(l.tradingDayEnd).toBe(at);
      const c2 = applyEvent(l, tradeEv({ id: 2, profitAndLoss: 20, side: 1 }, at));
      expect(c2.map((c) => c.kind)).toEqual(['tradingDay', 'fill']);
      expect(l.tradingDayStart).toBe(at);
      expect(l.tradingDayId).toBe(DateTime.fromISO(day).plus({ days: 1 }).toISODate());
      expect(l.realizedGrossToday()).toBe(20);
      expect(l.fillsToday().map((f) => f.id)).toEqual([2]);
      expect(l.countSince(0, 'fills')).toBe(1);
      expect(l.consecutiveLosingExits()).toBe(0);
      expect(l.openContractsTotal()).toBe(1); // positions carry over the reset
      // A late replay of yesterday's fill is not counted today and not re-reported as new.
      expect(applyEvent(l, tradeEv({ id: 1, profitAndLoss: -50, side: 1 }, before))).toEqual([]);
      expect(l.realizedGrossToday()).toBe(20);
    });
  }

  it('the trading day starting on the spring-forward Sunday lasts 23 hours, the fall-back one 25', () => {
    const spring = registry(ct('2026-03-07T18:00'));
    expect((spring.get(ACC)!.tradingDayEnd - spring.get(ACC)!.tradingDayStart) / 3_600_000).toBe(23);
    const fall = registry(ct('2026-10-31T18:00'));
    expect((fall.get(ACC)!.tradingDayEnd - fall.get(ACC)!.tradingDayStart) / 3_600_000).toBe(25);
  });

  it('an earlier day’s fill arriving late is reported as not today and never counted', () => {
    const r = registry(ct('2026-11-20T10:00'));
    const l = r.get(ACC)!;
    const c = applyEvent(l, tradeEv({ id: 5, profitAndLoss: -80, side: 1, creationTimestamp: ct('2026-11-19T16:30') }, ct('2026-11-20T10:00')));
    expect(c).toMatchObject([{ kind: 'fill', today: false }]);
    expect(l.realizedGrossToday()).toBe(0);
  });
});
