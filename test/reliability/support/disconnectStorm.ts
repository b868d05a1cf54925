// Disconnect storm (short and long suites): the simulator drops both hubs (or stalls them) again and again;
// right after each drop, while riskd's hubs are down or reconnecting, the trader breaches RULE-001. Those
// events are lost for good (SignalR has no replay), so riskd must find the breach through its REST
// reconciliation after the reconnect or its degraded-mode poll, and enforce it within 5 s of that REST look.
import { expect } from 'vitest';
import { OrderSide, OrderType } from '../../../src/gateway/models.ts';
import { BASE_RISK, startBenchEnv } from '../../../bench/support/inProcess.ts';
import { createPrng } from '../../../src/sim/prng.ts';
import { waitFor } from './wait.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const LIMIT = 2;
const READS = /Position\/searchOpen|Order\/(v2\/query|searchOpen)|Trade\/search/i;

export async function runDisconnectStorm(o: { cycles: number; gapMs: [number, number]; seed: number }): Promise<{ lagsMs: number[] }> {
  const env = await startBenchEnv({ accounts: 1, seed: o.seed, risk: { ...BASE_RISK, rules: { max_contracts: { enabled: true, limit: LIMIT, action: 'reduce_to_limit' } } }, unlimitedRest: true, logLevel: 'info' });
  const { sim, daemon } = env;
  const acct = env.accounts[0]!;
  const rnd = createPrng(o.seed);
  const size = () => {
    const p = sim.state.positions(acct.id).find((x) => x['contractId'] === MNQ);
    return p ? Number(p['size']) : 0;
  };
  const order = (side: OrderSide, n: number) => sim.trader.placeOrder({ accountId: acct.id, contractId: MNQ, type: OrderType.Market, side, size: n });
  const lagsMs: number[] = [];
  try {
    for (let c = 0; c < o.cycles; c++) {
      await new Promise((r) => setTimeout(r, rnd.int(o.gapMs[0], o.gapMs[1])));
      const stall = c % 3 === 2;
      if (stall) sim.control.stallHubs(rnd.int(1000, 4000));
      else sim.control.dropHubs('both');
      const after = sim.requests.lastSeq();
      order(OrderSide.Bid, LIMIT + 1);
      const enforced = await sim.requests.waitForRequest((r) => r.seq > after && /partialCloseContract/i.test(r.path) && r.status === 200, 30_000);
      // The first REST read of the account after the breach that could have shown it: the reconcile or poll.
      const firstLook = sim.requests.filter((r) => r.seq > after && r.seq < enforced.seq && READS.test(r.path) && r.status === 200).at(0);
      const fromLook = firstLook ? enforced.at - firstLook.at : 0; // 0: enforced from a (delayed) hub event
      lagsMs.push(fromLook);
      expect(fromLook, `cycle ${c + 1}: enforced ${fromLook.toFixed(0)} ms after the first REST look`).toBeLessThan(5000);
      await waitFor(`cycle ${c + 1}: reduced to ${LIMIT}`, () => size() === LIMIT, 10_000);
      order(OrderSide.Ask, LIMIT);
      await waitFor('flat', () => size() === 0, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(size(), `cycle ${c + 1}: a second reduce landed`).toBe(0);
    }
    const partials = sim.requests.filter((r) => /partialCloseContract/i.test(r.path) && r.status === 200);
    expect(partials).toHaveLength(o.cycles);
    expect(daemon.status().hubs?.user.reconnects ?? 0).toBeGreaterThanOrEqual(0);
    return { lagsMs };
  } finally {
    await env.close();
  }
}
