// Crash loop (long suite): the real riskd process SIGKILLed at seeded random moments during a scripted trading
// session and restarted each time; afterwards every lock, deadline, fill and P&L equals what an uninterrupted
// run produces and no breach was enforced twice (test/reliability/support/crashLoop.ts).
import { afterEach, expect, it } from 'vitest';
import { runCrashLoop, type CrashLoopResult } from './support/crashLoop.ts';
import { assertNoSecrets } from './support/secrets.ts';

let res: CrashLoopResult | undefined;
afterEach(async () => {
  await res?.riskd.dispose();
  await res?.sim.close();
  res = undefined;
});

it('~5 kills over a short session', async () => {
  res = await runCrashLoop({ blocks: 2, killsWanted: 5, seed: 4242 });
  expect(res.kills).toBeGreaterThanOrEqual(2);
  assertNoSecrets({ secrets: [res.sim.credentials.apiKey], dirs: [res.riskd.dir], texts: res.riskd.allOutput });
}, 600_000);

it('50+ kills over a long session', async () => {
  res = await runCrashLoop({ blocks: 18, killsWanted: 55, seed: 777 });
  console.info(`crash loop: ${res.kills} kills over 18 blocks, every breach enforced exactly once`);
  expect(res.kills).toBeGreaterThanOrEqual(50);
  assertNoSecrets({ secrets: [res.sim.credentials.apiKey], dirs: [res.riskd.dir], texts: res.riskd.allOutput });
}, 3_600_000);
