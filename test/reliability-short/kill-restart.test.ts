// Short kill -9 / restart-within-50-ms loop inside npm test (the long suite does it 50 times):
// test/reliability/support/killRestart.ts. Real `riskd start` processes on one data directory.
import { afterEach, expect, it } from 'vitest';
import { runKillRestart, summarizeMs, type KillRestartResult } from '../reliability/support/killRestart.ts';

let res: KillRestartResult | undefined;
afterEach(async () => {
  await res?.riskd.dispose();
  await res?.sim.close();
  res = undefined;
});

it('riskd killed -9 and restarted within 50 ms, 5 times in a row: every start takes the lock, goes live and enforces', async () => {
  res = await runKillRestart({ restarts: 5, seed: 1605 });
  console.info(`kill-restart x5: restart ${summarizeMs(res.restartMs)}; breach -> reduce ${summarizeMs(res.enforceMs)}`);
  expect(res.starts).toBe(6);
}, 180_000);
