// REST-fault scenario (short and long suites): 30 % of riskd's REST calls fail with 429, 500 or a timeout
// (the timed-out call IS executed by the simulator, its answer never comes) while riskd enforces RULE-001
// breaches. Every breach must still be enforced, exactly once: the position ends at the limit, never below
// (a blind retry of an executed reduce would take it below).
import { expect } from 'vitest';
import { OrderSide, OrderType } from '../../../src/gateway/models.ts';
import { BASE_RISK, startBenchEnv } from '../../../bench/support/inProcess.ts';
import type { SimRequest } from '../../../src/sim/types.ts';
import { waitFor } from './wait.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const LIMIT = 2;

export interface RestFaultStats {
  breaches: number;
  /** riskd's REST calls while faults were on, and how many of them the injector failed, by kind. */
  calls: number;
  faults: { '429': number; '500': number; timeout: number };
  /** partialCloseContract calls that reached the gateway (sent), and those executed (200 ok or executed timeout). */
  reducesSent: number;
  reducesExecuted: number;
  /** Breach placed -> position back at the limit, ms (includes retries and back-off). */
  enforceMs: number[];
  /** The slowest breach's REST calls: ms after the breach, path, status (fault), to see where the time went. */
  slowestTrace: string[];
}

/** A partialCloseContract the simulator carried out: answered with success, or hung after executing. */
const executedReduce = (r: SimRequest) =>
  /partialCloseContract/i.test(r.path) && ((r.status === 200 && (r.response as { success?: unknown } | null)?.success === true) || (r.status === 0 && r.executed === true));

export async function runRestFaults(o: { breaches: number; seed: number }): Promise<RestFaultStats> {
  const env = await startBenchEnv({ accounts: 1, seed: o.seed, risk: { ...BASE_RISK, rules: { max_contracts: { enabled: true, limit: LIMIT, action: 'reduce_to_limit' } } }, unlimitedRest: true, logLevel: 'info' });
  const { sim, daemon } = env;
  const acct = env.accounts[0]!;
  const size = () => {
    const p = sim.state.positions(acct.id).find((x) => x['contractId'] === MNQ);
    return p ? Number(p['size']) : 0;
  };
  const order = (side: OrderSide, n: number) => sim.trader.placeOrder({ accountId: acct.id, contractId: MNQ, type: OrderType.Market, side, size: n });
  try {
    sim.control.restFaults({ rate: 0.3, kinds: ['429', '500', 'timeout'], timeoutExecutes: true, hangMs: 3000 });
    const stats: RestFaultStats = { breaches: o.breaches, calls: 0, faults: { '429': 0, '500': 0, timeout: 0 }, reducesSent: 0, reducesExecuted: 0, enforceMs: [], slowestTrace: [] };
    for (let b = 0; b < o.breaches; b++) {
      const after = sim.requests.lastSeq();
      const t0 = performance.now();
      order(OrderSide.Bid, LIMIT + 1);
      await waitFor(`breach ${b + 1} reduced to ${LIMIT}`, () => size() === LIMIT, 30_000, () => JSON.stringify(sim.requests.filter((r) => r.seq > after).map((r) => `${r.path} ${r.status}`)));
      const took = performance.now() - t0;
      if (took > Math.max(0, ...stats.enforceMs)) {
        stats.slowestTrace = sim.requests.filter((r) => r.seq > after).map((r) => `+${(r.at - t0).toFixed(0)} ms ${r.path.replace(/^\/api\//, '')} ${r.status}${r.fault ? ` (${r.fault}${r.executed ? ', executed' : ''})` : ''}`);
      }
      stats.enforceMs.push(took);
      // Watch long enough for a retry of an executed call to land (the hang is 3 s, the confirm timeout shorter).
      await new Promise((r) => setTimeout(r, 1500));
      expect(size(), `breach ${b + 1}: reduced more than once`).toBe(LIMIT);
      const window = sim.requests.filter((r) => r.seq > after);
      const executed = window.filter(executedReduce).length;
      expect(executed, `breach ${b + 1}: executed reduces ${JSON.stringify(window.map((r) => `${r.path} ${r.status}`))}`).toBe(1);
      stats.calls += window.length;
      for (const r of window) if (r.fault) stats.faults[r.fault]++;
      stats.reducesSent += window.filter((r) => /partialCloseContract/i.test(r.path)).length;
      stats.reducesExecuted += executed;
      sim.control.restFaults(null);
      order(OrderSide.Ask, LIMIT);
      await waitFor('flat', () => size() === 0, 10_000);
      await new Promise((r) => setTimeout(r, 200));
      sim.control.restFaults({ rate: 0.3, kinds: ['429', '500', 'timeout'], timeoutExecutes: true, hangMs: 3000 });
    }
    sim.control.restFaults(null);
    const faulted = sim.requests.filter((r) => r.status !== 200).length;
    expect(faulted, 'the fault injector never fired').toBeGreaterThan(0);
    expect(daemon.phase === 'live' || daemon.phase === 'degraded').toBe(true);
    return stats;
  } finally {
    await env.close();
  }
}
