// REST faults (long suite): 30 % of calls fail with 429, 500 or an executed timeout while riskd enforces
// breaches; every breach must be enforced, exactly once. See test/reliability/support/restFaults.ts.
import { it } from 'vitest';
import { runRestFaults } from './support/restFaults.ts';

it('6 breaches under 30 % REST faults: each enforced exactly once', async () => {
  await runRestFaults({ breaches: 6, seed: 31 });
}, 120_000);

it('50 breaches under 30 % REST faults: each enforced exactly once', async () => {
  await runRestFaults({ breaches: 50, seed: 32 });
}, 600_000);
