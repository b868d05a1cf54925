// Kill -9 and restart within 50 ms, 50 times in a row (issue 16): every start gets the data directory lock,
// goes live and enforces a breach exactly once (test/reliability/support/killRestart.ts).
import { afterEach, expect, it } from 'vitest';
import { runKillRestart, summarizeMs, type KillRestartResult } from './support/killRestart.ts';
import { assertNoSecrets } from './support/secrets.ts';

let res: KillRestartResult | undefined;
afterEach(async () => {
  await res?.riskd.dispose();
  await res?.sim.close();
  res = undefined;
});

it('50 kills, each followed by a restart within 50 ms: 51 starts, every one live and enforcing', async () => {
  res = await runKillRestart({ restarts: 50, seed: 1650 });
  console.info(`kill-restart x50: restart ${summarizeMs(res.restartMs)}; breach -> reduce ${summarizeMs(res.enforceMs)}`);
  expect(res.starts).toBe(51);
  assertNoSecrets({ secrets: [res.sim.credentials.apiKey], dirs: [res.riskd.dir], texts: res.riskd.allOutput });
}, 3_600_000);
