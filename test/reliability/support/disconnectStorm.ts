// Disconnect storm (short and long suites): the simulator drops both hubs (or stalls them) again and again;
// right after each drop, while riskd's hubs are down or reconnecting, the trader breaches RULE-001. Those
// events are lost for good (SignalR has no replay), so riskd must find the breach through its REST
// reconciliation after the reconnect or its degraded-mode poll, and enforce it within 5 s of that REST look.
// A stall keeps the sockets open but sends nothing (not even pings, nor the handshake of a new connection):
// riskd only notices through its SignalR server timeout, so a long stall (`stallMs` up to 2 min) must take it
// to degraded polling, and the breach made at the start of the stall is enforced from the first poll.
import { expect } from 'vitest';
import { OrderSide, OrderType } from '../../../src/gateway/models.ts';
import { BASE_RISK, startBenchEnv } from '../../../bench/support/inProcess.ts';
import { createPrng } from '../../../src/sim/prng.ts';
import { waitFor } from './wait.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const LIMIT = 2;
const READS = /Position\/searchOpen|Order\/(v2\/query|searchOpen)|Trade\/search/i;

export interface StormCycle {
  kind: 'drop' | 'stall';
  stallMs: number;
  /** Breach -> first REST read that could show it (0 when a delayed hub event showed it first). */
  breachToLookMs: number;
  /** First REST look -> enforcing partialCloseContract (0 when a hub event showed the breach). */
  lookToEnforceMs: number;
  /** Whether riskd went degraded (polling) during the cycle. */
  degraded: boolean;
  /** Stall over -> riskd live again (reconnect back-off after a long stall; 0 for drops). */
  liveAgainMs: number;
}

export interface StormOptions {
  cycles: number;
  gapMs: [number, number];
  seed: number;
  /** Range of stall lengths (default 1-4 s). */
  stallMs?: [number, number];
  /** Exact stall lengths, in order, instead of drawing from `stallMs` (then cycling). */
  stallList?: number[];
  /** Every n-th cycle (1-based: c % n === n - 1) is a stall instead of a drop (default 3). */
  stallEvery?: number;
  /** Longest wait for one enforcement (must cover the server timeout + one poll during a long stall). */
  enforceTimeoutMs?: number;
  /** Progress lines (the long test prints one per cycle). */
  onCycle?: (c: StormCycle, index: number) => void;
}

export async function runDisconnectStorm(o: StormOptions): Promise<{ lagsMs: number[]; cycles: StormCycle[] }> {
  const env = await startBenchEnv({ accounts: 1, seed: o.seed, risk: { ...BASE_RISK, rules: { max_contracts: { enabled: true, limit: LIMIT, action: 'reduce_to_limit' } } }, unlimitedRest: true, logLevel: 'info' });
  const { sim, daemon } = env;
  const acct = env.accounts[0]!;
  const rnd = createPrng(o.seed);
  const stallRange = o.stallMs ?? [1000, 4000];
  const stallEvery = o.stallEvery ?? 3;
  const size = () => {
    const p = sim.state.positions(acct.id).find((x) => x['contractId'] === MNQ);
    return p ? Number(p['size']) : 0;
  };
  const order = (side: OrderSide, n: number) => sim.trader.placeOrder({ accountId: acct.id, contractId: MNQ, type: OrderType.Market, side, size: n });
  const lagsMs: number[] = [];
  const cycles: StormCycle[] = [];
  let degraded = false;
  let stallNo = 0;
  const watch = setInterval(() => {
    if (daemon.phase === 'degraded') degraded = true;
  }, 50);
  try {
    for (let c = 0; c < o.cycles; c++) {
      await new Promise((r) => setTimeout(r, rnd.int(o.gapMs[0], o.gapMs[1])));
      degraded = false;
      const stall = c % stallEvery === stallEvery - 1;
      const drawn = stall ? rnd.int(stallRange[0], stallRange[1]) : 0; // drawn always: same PRNG sequence either way
      const stallMs = stall && o.stallList?.length ? o.stallList[stallNo++ % o.stallList.length]! : drawn;
      const stallEnds = performance.now() + stallMs;
      if (stall) sim.control.stallHubs(stallMs);
      else sim.control.dropHubs('both');
      const after = sim.requests.lastSeq();
      const breachAt = performance.now();
      order(OrderSide.Bid, LIMIT + 1);
      const enforced = await sim.requests.waitForRequest((r) => r.seq > after && /partialCloseContract/i.test(r.path) && r.status === 200, o.enforceTimeoutMs ?? 30_000);
      // The first REST read of the account after the breach that could have shown it: the reconcile or poll.
      const firstLook = sim.requests.filter((r) => r.seq > after && r.seq < enforced.seq && READS.test(r.path) && r.status === 200).at(0);
      const fromLook = firstLook ? enforced.at - firstLook.at : 0; // 0: enforced from a (delayed) hub event
      lagsMs.push(fromLook);
      expect(fromLook, `cycle ${c + 1}: enforced ${fromLook.toFixed(0)} ms after the first REST look`).toBeLessThan(5000);
      await waitFor(`cycle ${c + 1}: reduced to ${LIMIT}`, () => size() === LIMIT, 10_000);
      order(OrderSide.Ask, LIMIT);
      // During a long stall only the degraded poll shows the flat position: allow one poll interval and more.
      await waitFor('flat', () => size() === 0, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(size(), `cycle ${c + 1}: a second reduce landed`).toBe(0);
      const cyc: StormCycle = { kind: stall ? 'stall' : 'drop', stallMs, breachToLookMs: firstLook ? firstLook.at - breachAt : 0, lookToEnforceMs: fromLook, degraded, liveAgainMs: 0 };
      if (stall) {
        // Next cycle only once the stall is over and riskd is live again (reconnect back-off may add up to 60 s).
        await new Promise((r) => setTimeout(r, Math.max(0, stallEnds - performance.now())));
        await waitFor(`cycle ${c + 1}: live again after a ${stallMs} ms stall`, () => daemon.phase === 'live', 120_000);
        cyc.liveAgainMs = Math.max(0, performance.now() - stallEnds);
        await new Promise((r) => setTimeout(r, 300));
        expect(size(), `cycle ${c + 1}: a late reduce landed after the stall`).toBe(0);
      }
      cycles.push(cyc);
      o.onCycle?.(cyc, c);
    }
    const partials = sim.requests.filter((r) => /partialCloseContract/i.test(r.path) && r.status === 200);
    expect(partials).toHaveLength(o.cycles);
    return { lagsMs, cycles };
  } finally {
    clearInterval(watch);
    await env.close();
  }
}
