// Kill -9 and restart at once, many times in a row (issue 16): the REAL riskd process is SIGKILLed and the next
// one started 0-50 ms later, without waiting for the killed one to be reaped, on the same data directory. Every
// start must get the data directory lock (an OS lock the kernel drops with the dead process, never a pid guess),
// become live and enforce: after each start the trader breaches max_contracts and riskd must reduce it with
// exactly one partialCloseContract of 1 contract.
import { expect } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/index.ts';
import { OrderSide, OrderType } from '../../../src/gateway/models.ts';
import { createPrng } from '../../../src/sim/prng.ts';
import { RiskdProcess } from './riskdProcess.ts';
import { waitFor } from './wait.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const LIMIT = 2;

export interface KillRestartResult {
  starts: number;
  /** ms from SIGKILL to the next "riskd is live", per restart. */
  restartMs: number[];
  /** ms from the trader's breaching order to riskd's reduce reaching the gateway, per start. */
  enforceMs: number[];
  riskd: RiskdProcess;
  sim: Simulator;
}

export async function runKillRestart(o: { restarts: number; seed: number }): Promise<KillRestartResult> {
  const account = { id: 960000 + (o.seed % 1000), name: `KILL-${o.seed}`, balance: 50000 };
  const sim = await startSimulator({ seed: o.seed, accounts: [account], rateLimit: { max: 100_000, windowMs: 60_000 } });
  const risk = {
    trading_day: { reset_time: '17:00', timezone: 'America/Chicago' },
    rules: { max_contracts: { enabled: true, limit: LIMIT, action: 'reduce_to_limit' } },
    admin: { unlock: 'delayed', unlock_delay: '15m' },
  };
  const riskd = await RiskdProcess.start({ sim, accountNames: [account.name], risk, liveTimeoutMs: 60_000 });
  const rnd = createPrng(o.seed);
  const restartMs: number[] = [];
  const enforceMs: number[] = [];
  const size = () => {
    const p = sim.state.positions(account.id).find((x) => x['contractId'] === MNQ);
    return p ? Number(p['size']) * (p['type'] === 2 ? -1 : 1) : 0;
  };
  const order = (side: OrderSide, n: number) => {
    const r = sim.trader.placeOrder({ accountId: account.id, contractId: MNQ, type: OrderType.Market, side, size: n });
    if (!r.success) throw new Error(`trader order refused: ${r.errorMessage}`);
  };
  const reduces = () => sim.requests.filter((r) => /Position\/partialCloseContract/i.test(r.path) && r.status === 200);
  try {
    for (let start = 0; start <= o.restarts; start++) {
      if (start > 0) {
        const t0 = Date.now();
        await riskd.killAndRestart(Math.floor(rnd.next() * 50));
        restartMs.push(Date.now() - t0);
      }
      // This start enforces: a breach of max_contracts is reduced by exactly one call of 1 contract.
      const before = reduces().length;
      const t0 = Date.now();
      order(OrderSide.Bid, LIMIT + 1);
      await waitFor(`start ${start}: breach reduced to ${LIMIT}`, () => size() === LIMIT, 30_000, () => riskd.stderr.slice(-3000));
      const mine = reduces().slice(before);
      expect(mine.map((r) => (r.body as Record<string, unknown>)['size']), `start ${start}`).toEqual([1]);
      enforceMs.push(mine[0]!.wallAt - t0);
      order(OrderSide.Ask, LIMIT);
      await waitFor(`start ${start}: flat`, () => size() === 0, 10_000);
    }
    return { starts: o.restarts + 1, restartMs, enforceMs, riskd, sim };
  } catch (err) {
    await riskd.dispose();
    await sim.close();
    throw err;
  }
}

export function summarizeMs(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return `p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${s[s.length - 1] ?? NaN} ms`;
}
