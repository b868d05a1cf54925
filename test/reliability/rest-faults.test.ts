// REST faults (long suite): 30 % of calls fail with 429, 500 or an executed timeout while riskd enforces
// breaches; every breach must be enforced, exactly once. See test/reliability/support/restFaults.ts.
import { it } from 'vitest';
import { runRestFaults, type RestFaultStats } from './support/restFaults.ts';

const report = (s: RestFaultStats) => {
  const ms = [...s.enforceMs].sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(0);
  console.log(
    `rest faults: ${s.breaches} breaches, ${s.calls} calls, faults 429 x${s.faults['429']} 500 x${s.faults['500']} timeout x${s.faults.timeout}; ` +
      `partialCloseContract sent ${s.reducesSent}, executed ${s.reducesExecuted}; breach -> at limit p50 ${q(0.5)} ms, max ${q(1)} ms`,
  );
  console.log(`slowest breach, riskd's REST calls:\n  ${s.slowestTrace.join('\n  ')}`);
};

it('6 breaches under 30 % REST faults: each enforced exactly once', async () => {
  report(await runRestFaults({ breaches: 6, seed: 31 }));
}, 120_000);

it('50 breaches under 30 % REST faults: each enforced exactly once', async () => {
  report(await runRestFaults({ breaches: 50, seed: 32 }));
}, 600_000);
