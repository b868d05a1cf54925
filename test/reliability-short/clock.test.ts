// Clock: DST switch days, wall-clock jumps forward and back, a 10-minute laptop sleep. riskd and the simulator
// run in-process on one injected wall clock (see test/reliability/support/clockScenario.ts); the machines' tick
// is the only timer that matters, so moving the clock and letting a few ticks run is the whole trick.
import { afterEach, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { expectReleasedExactlyAt, startClockRig, type ClockRig } from '../reliability/support/clockScenario.ts';

let rig: ClockRig | undefined;
afterEach(async () => {
  await rig?.env.close();
  rig = undefined;
});

const MIN = 60_000;
const ZONE = 'America/Chicago';

/** 15:00 Chicago time on the next US DST switch Sunday (2nd Sunday of March / 1st of November) after today. */
function nextSwitchDay(month: 3 | 11): DateTime {
  const nth = month === 3 ? 2 : 1;
  for (let y = DateTime.now().year; ; y++) {
    const first = DateTime.fromObject({ year: y, month, day: 1, hour: 15 }, { zone: ZONE });
    const sunday = first.plus({ days: (7 - (first.weekday % 7)) % 7 + 7 * (nth - 1) });
    if (sunday.toMillis() > Date.now() + 86_400_000) return sunday;
  }
}

/** Next Tuesday 10:00 Chicago time after today (a plain trading day). */
function nextTuesday(): number {
  let d = DateTime.now().setZone(ZONE).plus({ days: 1 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  while (d.weekday !== 2) d = d.plus({ days: 1 });
  return d.toMillis();
}

// The DST days are the next ones after today: riskd's ledger opens its trading day from the real date, so a
// clock set before today would be a backward jump for it.
it('spring-forward day (CST -> CDT): the daily lock ends at 17:00 CDT = 22:00 UTC', async () => {
  const day = nextSwitchDay(3);
  rig = await startClockRig(day.toMillis()); // 15:00 CDT, after the 02:00 switch
  await rig.lose();
  const reset = Date.UTC(day.year, 2, day.day, 22, 0); // not 23:00 UTC (the CST offset of the morning)
  expect(rig.locks().find((l) => l.rule === 'RULE-003')!.until).toBe(reset);
  await expectReleasedExactlyAt(rig, 'RULE-003', reset);
});

it('fall-back day (CDT -> CST): the daily lock ends at 17:00 CST = 23:00 UTC', async () => {
  const day = nextSwitchDay(11);
  rig = await startClockRig(day.toMillis()); // 15:00 CST
  await rig.lose();
  const reset = Date.UTC(day.year, 10, day.day, 23, 0);
  expect(rig.locks().find((l) => l.rule === 'RULE-003')!.until).toBe(reset);
  await expectReleasedExactlyAt(rig, 'RULE-003', reset);
});

it('wall clock jumps back then forward: a cooldown keeps its absolute deadline and ends at it', async () => {
  const t0 = nextTuesday();
  rig = await startClockRig(t0);
  await rig.lose();
  const cool = rig.locks().find((l) => l.rule === 'RULE-007')!;
  expect(cool.until! - t0).toBeGreaterThanOrEqual(5 * MIN);
  expect(cool.until! - t0).toBeLessThan(5 * MIN + 10_000);
  await rig.setClock(t0 - 60 * MIN); // NTP step back an hour
  expect(rig.locks().find((l) => l.rule === 'RULE-007')?.until).toBe(cool.until);
  await rig.setClock(t0 + 2 * MIN); // and forward again
  expect(rig.locks().some((l) => l.rule === 'RULE-007')).toBe(true);
  await expectReleasedExactlyAt(rig, 'RULE-007', cool.until!);
  // The daily lock is untouched by all of it, then ends at the 17:00 CST reset.
  expect(rig.locks().some((l) => l.rule === 'RULE-003')).toBe(true);
  await expectReleasedExactlyAt(rig, 'RULE-003', DateTime.fromMillis(t0, { zone: ZONE }).set({ hour: 17 }).toMillis());
});

it('a 10-minute laptop sleep: the 5-minute cooldown that ended during the sleep is released on wake, the daily lock is not', async () => {
  const t0 = nextTuesday();
  rig = await startClockRig(t0);
  await rig.lose();
  rig.clock.now += 10 * MIN; // asleep: no tick ran in between
  const { waitFor } = await import('../reliability/support/wait.ts');
  await waitFor('cooldown released on wake', () => !rig!.locks().some((l) => l.rule === 'RULE-007'), 2000);
  expect(rig.locks().some((l) => l.rule === 'RULE-003')).toBe(true);
  // Sleeping across the reset: on wake the daily lock is gone too (the new trading day started meanwhile).
  rig.clock.now = DateTime.fromMillis(t0, { zone: ZONE }).set({ hour: 17, minute: 10 }).toMillis();
  await waitFor('daily lock released on wake after the reset', () => !rig!.locks().some((l) => l.rule === 'RULE-003'), 2000);
});
