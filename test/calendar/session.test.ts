import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { holidayAt, nextSessionBoundary, nextSessionOpen, sessionStateAt, type SessionConfig } from '../../src/calendar/session.ts';

const CT = 'America/Chicago';
const ct = (iso: string): number => DateTime.fromISO(iso, { zone: CT }).toMillis();
const utc = (iso: string): number => Date.parse(iso);

function cfg(over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    enabled: true,
    timezone: CT,
    windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:30', end: '15:05' }],
    holidays: [],
    early_close: {},
    flatten_at_end: true,
    blackouts: [],
    ...over,
  };
}

const futuresWeek = (over: Partial<SessionConfig> = {}): SessionConfig =>
  cfg({ windows: [{ days: ['sun', 'mon', 'tue', 'wed', 'thu'], start: '17:00', end: '15:10' }], ...over });

describe('sessionStateAt: day windows', () => {
  it('is inside during the window and reports its end', () => {
    const s = sessionStateAt(ct('2026-06-10T10:00'), cfg());
    expect(s).toEqual({ inside: true, windowEnd: ct('2026-06-10T15:05'), nextOpen: null, blackout: null });
  });
  it('start is inclusive, end exclusive', () => {
    expect(sessionStateAt(ct('2026-06-10T08:30'), cfg()).inside).toBe(true);
    expect(sessionStateAt(ct('2026-06-10T08:29:59.999'), cfg()).inside).toBe(false);
    const atEnd = sessionStateAt(ct('2026-06-10T15:05'), cfg());
    expect(atEnd.inside).toBe(false);
    expect(atEnd.nextOpen).toBe(ct('2026-06-11T08:30'));
  });
  it('Friday evening -> next open is Monday 08:30', () => {
    const s = sessionStateAt(ct('2026-06-12T16:00'), cfg());
    expect(s.inside).toBe(false);
    expect(s.windowEnd).toBeNull();
    expect(s.nextOpen).toBe(ct('2026-06-15T08:30'));
  });
  it('uses the local wall clock on both sides of the spring-forward switch (2026-03-08)', () => {
    // Friday before: CST (UTC-6). Monday after: CDT (UTC-5).
    expect(sessionStateAt(utc('2026-03-06T14:30:00Z'), cfg()).inside).toBe(true);
    expect(sessionStateAt(utc('2026-03-06T14:29:00Z'), cfg()).inside).toBe(false);
    const sat = sessionStateAt(utc('2026-03-07T18:00:00Z'), cfg());
    expect(sat.nextOpen).toBe(utc('2026-03-09T13:30:00Z'));
  });
  it('uses the local wall clock on both sides of the fall-back switch (2026-11-01)', () => {
    const sat = sessionStateAt(utc('2026-10-31T18:00:00Z'), cfg());
    expect(sat.nextOpen).toBe(utc('2026-11-02T14:30:00Z')); // Monday 08:30 CST
    expect(sessionStateAt(utc('2026-11-02T20:04:00Z'), cfg()).windowEnd).toBe(utc('2026-11-02T21:05:00Z'));
  });
});

describe('sessionStateAt: the futures week window {sun..thu 17:00 -> 15:10}', () => {
  it('Sunday 17:00 opens the week (overnight window belongs to its start day)', () => {
    expect(sessionStateAt(ct('2026-06-14T16:59'), futuresWeek()).nextOpen).toBe(ct('2026-06-14T17:00'));
    const s = sessionStateAt(ct('2026-06-14T17:00'), futuresWeek());
    expect(s).toMatchObject({ inside: true, windowEnd: ct('2026-06-15T15:10') });
  });
  it('daily maintenance break 15:10-17:00 is outside', () => {
    const s = sessionStateAt(ct('2026-06-16T15:30'), futuresWeek());
    expect(s).toMatchObject({ inside: false, nextOpen: ct('2026-06-16T17:00') });
  });
  it('Friday 15:10 closes the week until Sunday 17:00', () => {
    expect(sessionStateAt(ct('2026-06-19T15:09'), futuresWeek()).inside).toBe(true);
    const s = sessionStateAt(ct('2026-06-19T15:10'), futuresWeek());
    expect(s).toMatchObject({ inside: false, nextOpen: ct('2026-06-21T17:00') });
    expect(sessionStateAt(ct('2026-06-20T12:00'), futuresWeek()).inside).toBe(false);
  });
  it('the spring-forward Sunday: opens at 17:00 CDT = 22:00Z, closed Friday at 21:10Z (CST)', () => {
    expect(sessionStateAt(utc('2026-03-06T21:09:00Z'), futuresWeek()).inside).toBe(true);
    const s = sessionStateAt(utc('2026-03-06T21:10:00Z'), futuresWeek());
    expect(s.nextOpen).toBe(utc('2026-03-08T22:00:00Z'));
    expect(sessionStateAt(utc('2026-03-08T22:00:00Z'), futuresWeek())).toMatchObject({
      inside: true,
      windowEnd: utc('2026-03-09T20:10:00Z'),
    });
    // Just after the 02:00 switch on Sunday: still outside, same next open.
    expect(sessionStateAt(utc('2026-03-08T08:30:00Z'), futuresWeek()).nextOpen).toBe(utc('2026-03-08T22:00:00Z'));
  });
  it('the fall-back Sunday: opens at 17:00 CST = 23:00Z; a window spanning the switch ends at local 15:10', () => {
    const s = sessionStateAt(utc('2026-11-01T07:30:00Z'), futuresWeek()); // 01:30 local, the repeated hour
    expect(s).toMatchObject({ inside: false, nextOpen: utc('2026-11-01T23:00:00Z') });
    // Window Sat? none; Thursday Oct 29 17:00 CDT -> Friday Oct 30 15:10 CDT.
    expect(sessionStateAt(utc('2026-10-30T20:09:00Z'), futuresWeek()).inside).toBe(true);
    expect(sessionStateAt(utc('2026-11-02T21:09:00Z'), futuresWeek())).toMatchObject({
      inside: true,
      windowEnd: utc('2026-11-02T21:10:00Z'),
    });
  });
  it('a window running through a DST switch has the right length (Sat 20:00 -> Sun 04:00 spans 02:00)', () => {
    const c = cfg({ windows: [{ days: ['sat'], start: '20:00', end: '04:00' }] });
    const spring = sessionStateAt(ct('2026-03-07T21:00'), c);
    expect(spring.windowEnd! - ct('2026-03-07T20:00')).toBe(7 * 3600_000);
    const fall = sessionStateAt(ct('2026-10-31T21:00'), c);
    expect(fall.windowEnd! - ct('2026-10-31T20:00')).toBe(9 * 3600_000);
  });
});

describe('holidays, early closes, blackouts', () => {
  it('a holiday drops the window that ends (trades) that date', () => {
    const c = futuresWeek({ holidays: ['2026-12-25'] });
    // Thursday Dec 24 17:00 -> Friday Dec 25 is Christmas: closed until Sunday Dec 27 17:00.
    const s = sessionStateAt(ct('2026-12-24T18:00'), c);
    expect(s).toMatchObject({ inside: false, nextOpen: ct('2026-12-27T17:00') });
    // Wednesday's window (ending Thursday) is unaffected.
    expect(sessionStateAt(ct('2026-12-24T10:00'), c).inside).toBe(true);
  });
  it('a holiday drops a day window', () => {
    const c = cfg({ holidays: ['2026-07-03'] });
    expect(sessionStateAt(ct('2026-07-03T10:00'), c)).toMatchObject({ inside: false, nextOpen: ct('2026-07-06T08:30') });
  });
  it('early_close cuts the window ending that date', () => {
    const c = futuresWeek({ early_close: { '2026-11-27': '12:00' } });
    expect(sessionStateAt(ct('2026-11-27T11:59'), c)).toMatchObject({ inside: true, windowEnd: ct('2026-11-27T12:00') });
    expect(sessionStateAt(ct('2026-11-27T12:00'), c)).toMatchObject({ inside: false, nextOpen: ct('2026-11-29T17:00') });
  });
  it('an early close later than the normal end changes nothing', () => {
    const c = cfg({ early_close: { '2026-06-10': '16:00' } });
    expect(sessionStateAt(ct('2026-06-10T10:00'), c).windowEnd).toBe(ct('2026-06-10T15:05'));
  });
  it('reports the blackout covering now', () => {
    const b = { start: ct('2026-06-10T07:25'), end: ct('2026-06-10T07:45'), flatten: true };
    const c = futuresWeek({ blackouts: [b] });
    expect(sessionStateAt(ct('2026-06-10T07:30'), c)).toMatchObject({ inside: true, blackout: b });
    expect(sessionStateAt(ct('2026-06-10T07:45'), c).blackout).toBeNull();
  });
  it('contiguous windows merge into one window end', () => {
    const c = cfg({
      windows: [
        { days: ['mon'], start: '08:00', end: '12:00' },
        { days: ['mon'], start: '12:00', end: '16:00' },
      ],
    });
    expect(sessionStateAt(ct('2026-06-15T09:00'), c).windowEnd).toBe(ct('2026-06-15T16:00'));
  });
  it('no windows at all: outside, no next open', () => {
    expect(sessionStateAt(ct('2026-06-15T09:00'), cfg({ windows: [] }))).toEqual({
      inside: false,
      windowEnd: null,
      nextOpen: null,
      blackout: null,
    });
  });
  it('bad times name the field', () => {
    expect(() => sessionStateAt(0, cfg({ windows: [{ days: ['mon'], start: '8:30', end: '15:00' }] }))).toThrow(
      /windows\[0\]\.start "8:30"/,
    );
  });
});

describe('nextSessionOpen / nextSessionBoundary', () => {
  it('when inside, the next open is after the current window', () => {
    expect(nextSessionOpen(ct('2026-06-15T10:00'), futuresWeek())).toBe(ct('2026-06-15T17:00'));
    expect(nextSessionOpen(ct('2026-06-19T10:00'), futuresWeek())).toBe(ct('2026-06-21T17:00'));
  });
  it('the next boundary is the window end, the next open or a blackout edge', () => {
    const b = { start: ct('2026-06-15T13:00'), end: ct('2026-06-15T13:30'), flatten: false };
    expect(nextSessionBoundary(ct('2026-06-15T10:00'), futuresWeek({ blackouts: [b] }))).toBe(b.start);
    expect(nextSessionBoundary(ct('2026-06-15T13:10'), futuresWeek({ blackouts: [b] }))).toBe(b.end);
    expect(nextSessionBoundary(ct('2026-06-15T14:00'), futuresWeek())).toBe(ct('2026-06-15T15:10'));
    expect(nextSessionBoundary(ct('2026-06-15T16:00'), futuresWeek())).toBe(ct('2026-06-15T17:00'));
  });
});

describe('previousSessionClose', () => {
  it('is the end of the latest window closed at or before now', async () => {
    const { previousSessionClose } = await import('../../src/calendar/session.ts');
    expect(previousSessionClose(ct('2026-06-16T16:00'), futuresWeek())).toBe(ct('2026-06-16T15:10'));
    expect(previousSessionClose(ct('2026-06-16T15:10'), futuresWeek())).toBe(ct('2026-06-16T15:10'));
    expect(previousSessionClose(ct('2026-06-21T12:00'), futuresWeek())).toBe(ct('2026-06-19T15:10')); // Sunday -> Friday
    expect(previousSessionClose(ct('2026-03-08T12:00'), futuresWeek())).toBe(utc('2026-03-06T21:10:00Z')); // across DST
    expect(previousSessionClose(ct('2026-06-16T10:00'), futuresWeek())).toBe(ct('2026-06-15T15:10')); // inside: the previous one
    expect(previousSessionClose(ct('2026-06-16T10:00'), cfg({ windows: [] }))).toBeNull();
  });
});

describe('holidayAt: where a holiday closes the market', () => {
  const week = futuresWeek({ holidays: ['2026-06-12'] }); // drops Thursday 17:00 -> Friday 15:10
  it('before the dropped window: the next thing is its would-be start (before the next real open)', () => {
    expect(holidayAt(ct('2026-06-11T15:30'), week)).toEqual({ closedUntil: null, nextClosed: ct('2026-06-11T17:00') });
  });
  it('during it: closed until its would-be end; after it: plain outside', () => {
    expect(holidayAt(ct('2026-06-12T09:00'), week)).toEqual({ closedUntil: ct('2026-06-12T15:10'), nextClosed: null });
    expect(holidayAt(ct('2026-06-12T15:10'), week)).toEqual({ closedUntil: null, nextClosed: null });
  });
  it('an ordinary evening or a window: nothing', () => {
    expect(holidayAt(ct('2026-06-10T16:00'), week)).toEqual({ closedUntil: null, nextClosed: null });
    expect(holidayAt(ct('2026-06-10T10:00'), week)).toEqual({ closedUntil: null, nextClosed: null });
  });
});
