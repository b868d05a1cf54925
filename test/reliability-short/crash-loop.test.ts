// Short crash loop inside npm test (the long suite kills riskd 50+ times): see
// test/reliability/support/crashLoop.ts. Real `riskd start` processes, SIGKILLed after trader actions.
import { afterEach, expect, it } from 'vitest';
import { runCrashLoop, type CrashLoopResult } from '../reliability/support/crashLoop.ts';

let res: CrashLoopResult | undefined;
afterEach(async () => {
  await res?.riskd.dispose();
  await res?.sim.close();
  res = undefined;
});

it('riskd killed -9 and restarted during a session: every breach enforced exactly once, fills and P&L intact', async () => {
  res = await runCrashLoop({ blocks: 2, killsWanted: 4, seed: 4242 });
  expect(res.kills).toBeGreaterThanOrEqual(2);
}, 120_000);
