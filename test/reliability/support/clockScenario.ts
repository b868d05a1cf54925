// Clock scenarios (short and long suites): riskd and the simulator share one injected wall clock; a losing
// exit sets a RULE-003 until_reset lock (daily loss) and a RULE-007 5-minute cooldown. The test then moves the
// wall clock (DST days, jumps, a laptop-style sleep) and checks every lock ends at the right wall-clock instant:
// not a tick before its deadline, and at the first tick after it.
import { expect } from 'vitest';
import { OrderSide, OrderType } from '../../../src/gateway/models.ts';
import { BASE_RISK, startBenchEnv, type BenchEnv } from '../../../bench/support/inProcess.ts';
import { waitFor } from './wait.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
export const TICK_MS = 50;

export interface ClockRig {
  env: BenchEnv;
  clock: { now: number };
  accountId: number;
  locks(): { rule: string; kind: string; until: number | null }[];
  /** Moves the wall clock and lets a few machine ticks run. */
  setClock(ms: number): Promise<void>;
  /** Sets both locks with a losing round trip at the current clock. */
  lose(): Promise<void>;
}

export async function startClockRig(startUtcMs: number): Promise<ClockRig> {
  const clock = { now: startUtcMs };
  const env = await startBenchEnv({
    accounts: 1,
    now: () => clock.now,
    tickMs: TICK_MS,
    risk: {
      ...BASE_RISK,
      rules: {
        daily_realized_loss: { enabled: true, limit: 50, include_fees: false },
        cooldown_after_loss: { enabled: true, tiers: [{ loss: 20, cooldown: '5m' }], consecutive_losses: { count: 10, cooldown: '30m' } },
      },
    },
  });
  const accountId = env.accounts[0]!.id;
  const locks = () => env.daemon.accountStatus(accountId).locks.map((l) => ({ rule: l.rule, kind: l.kind, until: l.until }));
  return {
    env,
    clock,
    accountId,
    locks,
    setClock: async (ms) => {
      clock.now = ms;
      await new Promise((r) => setTimeout(r, TICK_MS * 6));
    },
    lose: async () => {
      const sim = env.sim;
      sim.trader.placeOrder({ accountId, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
      await waitFor('position seen', () => (env.daemon.registry.get(accountId)?.position(MNQ)?.size ?? 0) === 1);
      sim.market.setPrice(MNQ, sim.market.quote(MNQ).bid - 30); // 1 MNQ x 30 points = $60 loss
      sim.trader.closeContract(accountId, MNQ);
      await waitFor('both locks', () => locks().some((l) => l.rule === 'RULE-003') && locks().some((l) => l.rule === 'RULE-007'), 10_000, () => JSON.stringify(locks()));
    },
  };
}

/** The lock of `rule` is held now and still after the clock moves to `until - 1 s`; gone right after `until`. */
export async function expectReleasedExactlyAt(rig: ClockRig, rule: string, until: number): Promise<void> {
  await rig.setClock(until - 1000);
  expect(rig.locks().some((l) => l.rule === rule), `${rule} released before ${new Date(until).toISOString()}`).toBe(true);
  await rig.setClock(until + 1000);
  await waitFor(`${rule} released after ${new Date(until).toISOString()}`, () => !rig.locks().some((l) => l.rule === rule), 2000, () => JSON.stringify(rig.locks()));
}
