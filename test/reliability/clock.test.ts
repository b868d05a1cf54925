// Clock (long suite): the same checks as the short suite, repeated over many cooldown deadlines with random
// jumps back and forth before each deadline.
import { afterEach, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { createPrng } from '../../src/sim/prng.ts';
import { expectReleasedExactlyAt, startClockRig, type ClockRig } from './support/clockScenario.ts';

let rig: ClockRig | undefined;
afterEach(async () => {
  await rig?.env.close();
  rig = undefined;
});

it('20 random wall-clock jumps around a cooldown deadline never release it early, and it ends at its deadline', async () => {
  let t0 = DateTime.now().setZone('America/Chicago').plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  while (t0.weekday > 4) t0 = t0.plus({ days: 1 }); // Monday-Thursday
  rig = await startClockRig(t0.toMillis());
  await rig.lose();
  const until = rig.locks().find((l) => l.rule === 'RULE-007')!.until!;
  const rnd = createPrng(3);
  for (let i = 0; i < 20; i++) {
    await rig.setClock(until - 1000 - rnd.int(0, 3 * 3600_000)); // anywhere up to 3 h before the deadline
    expect(rig.locks().some((l) => l.rule === 'RULE-007'), `jump ${i + 1}`).toBe(true);
  }
  await expectReleasedExactlyAt(rig, 'RULE-007', until);
}, 120_000);
