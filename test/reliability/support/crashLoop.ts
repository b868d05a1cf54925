// The crash-loop scenario shared by the short (npm test) and long (npm run test:reliability) suites.
// A scripted trading session on one simulator account while the REAL riskd process is SIGKILLed at seeded
// random moments and restarted (sometimes the trader keeps trading while riskd is down). Afterwards the
// result must equal what an uninterrupted riskd produces for the same script, which is fully determined:
//   - every max_contracts breach (one per block) reduced by exactly ONE partialCloseContract of 1 contract;
//   - every fill the simulator made is in riskd's store exactly once, and riskd's realized P&L equals the sum
//     of the simulator's trade P&L;
//   - the closing loss leaves exactly one active RULE-003 until_reset lock whose deadline is the next 17:00
//     America/Chicago after it was set, and the position opened under the lock is closed by exactly one call.
import { expect } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/index.ts';
import { OrderSide, OrderType } from '../../../src/gateway/models.ts';
import { openStoreReadOnly } from '../../../src/store/index.ts';
import { nextReset, tradingDayId } from '../../../src/calendar/tradingDay.ts';
import { createPrng } from '../../../src/sim/prng.ts';
import { join } from 'node:path';
import { RiskdProcess } from './riskdProcess.ts';
import { waitFor } from './wait.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const LIMIT = 2;
const RESET = { resetTime: '17:00', timezone: 'America/Chicago' };

export const CRASH_RISK = {
  trading_day: { reset_time: RESET.resetTime, timezone: RESET.timezone },
  rules: {
    max_contracts: { enabled: true, limit: LIMIT, action: 'reduce_to_limit' },
    daily_realized_loss: { enabled: true, limit: 100, include_fees: false },
  },
  admin: { unlock: 'delayed', unlock_delay: '15m' },
};

export interface CrashLoopResult {
  kills: number;
  riskd: RiskdProcess;
  sim: Simulator;
}

export async function runCrashLoop(o: { blocks: number; killsWanted: number; seed: number }): Promise<CrashLoopResult> {
  const account = { id: 950000 + (o.seed % 1000), name: `CRASH-${o.seed}`, balance: 50000 };
  const sim = await startSimulator({ seed: o.seed, accounts: [account], rateLimit: { max: 100_000, windowMs: 60_000 } });
  const riskd = await RiskdProcess.start({ sim, accountNames: [account.name], risk: CRASH_RISK, liveTimeoutMs: 60_000 });
  const rnd = createPrng(o.seed);
  // Every trader action is a kill opportunity; spread the wanted kills over them.
  const actions = o.blocks * 3 + 4;
  const pKill = Math.min(1, o.killsWanted / actions);
  let kills = 0;
  const size = () => {
    const p = sim.state.positions(account.id).find((x) => x['contractId'] === MNQ);
    return p ? Number(p['size']) * (p['type'] === 2 ? -1 : 1) : 0;
  };
  const order = (side: OrderSide, n: number) => {
    const r = sim.trader.placeOrder({ accountId: account.id, contractId: MNQ, type: OrderType.Market, side, size: n });
    if (!r.success) throw new Error(`trader order refused: ${r.errorMessage}`);
  };
  /** After a trader action: maybe kill riskd now or a few ms later, maybe trade while it is down, restart. */
  const maybeCrash = async (whileDown?: () => void) => {
    if (rnd.next() >= pKill) return;
    await new Promise((r) => setTimeout(r, Math.floor(rnd.next() * 60)));
    await riskd.kill();
    kills++;
    whileDown?.();
    await riskd.restart();
  };
  const mid = () => sim.market.quote(MNQ).bid;
  try {
    for (let b = 0; b < o.blocks; b++) {
      // A small round trip (+/- a few points), then a max_contracts breach riskd must reduce exactly once.
      order(OrderSide.Bid, 1);
      await maybeCrash();
      sim.market.setPrice(MNQ, mid() + (b % 2 === 0 ? 2 : -1));
      order(OrderSide.Ask, 1);
      await maybeCrash();
      order(OrderSide.Bid, LIMIT + 1);
      await maybeCrash();
      await waitFor(`block ${b}: breach reduced to ${LIMIT}`, () => size() === LIMIT, 60_000, () => riskd.stderr.slice(-3000));
      order(OrderSide.Ask, LIMIT);
      await waitFor(`block ${b}: flat`, () => size() === 0, 10_000);
    }
    // The losing trade: 2 contracts, 30 points down = $120 > $100 limit -> until_reset lock.
    order(OrderSide.Bid, 2);
    await maybeCrash();
    sim.market.setPrice(MNQ, mid() - 30);
    order(OrderSide.Ask, 2);
    await maybeCrash();
    await waitFor('daily loss lock', () => activeLocks(riskd).some((l) => l.rule === 'RULE-003'), 60_000, () => {
      const pnl = sim.state.trades(account.id).reduce((s, t) => s + Number(t['profitAndLoss'] ?? 0), 0);
      return `sim realized ${pnl}; kills ${kills}; riskd runs:\n${riskd.allOutput.map((o) => o.split('\n').filter((l) => /RULE|lock|loss|live|reconcil|error/i.test(l) && !/gateway connection state/.test(l)).join('\n')).join('\n---\n')}`;
    });
    // Under the lock every new position is closed: one kill may hit right after the trader's buy.
    const seqBeforeLockedBuy = sim.requests.lastSeq();
    order(OrderSide.Bid, 1);
    await maybeCrash();
    await waitFor('kill switch closed the locked position', () => size() === 0, 60_000, () => riskd.stderr.slice(-3000));
    // Let riskd settle (post-enforcement checks) before the caller inspects it.
    await new Promise((r) => setTimeout(r, 1500));
    assertOutcome(sim, riskd, account.id, o.blocks, seqBeforeLockedBuy);
    return { kills, riskd, sim };
  } catch (err) {
    await riskd.dispose();
    await sim.close();
    throw err;
  }
}

function activeLocks(riskd: RiskdProcess) {
  const store = openStoreReadOnly(join(riskd.dataDir, 'state.db'));
  try {
    return store.locks.active();
  } finally {
    store.close();
  }
}

const body = (r: { body: unknown }) => (r.body ?? {}) as Record<string, unknown>;

function assertOutcome(sim: Simulator, riskd: RiskdProcess, accountId: number, blocks: number, seqBeforeLockedBuy: number): void {
  const calls = sim.requests.filter((r) => body(r)['accountId'] === accountId && /Position\/(partialCloseContract|closeContract)|Order\/(cancel|place|modify)/i.test(r.path) && r.status === 200);
  const partials = calls.filter((r) => /partialCloseContract/i.test(r.path));
  const trace = `riskd's calls (seq path body -> response): ${JSON.stringify(calls.map((r) => `${r.seq} ${r.path} ${JSON.stringify(r.body)} -> ${JSON.stringify(r.response)}`))}; locked buy after seq ${seqBeforeLockedBuy}`;
  // One reduction of exactly 1 contract per breach, never twice.
  expect(partials.map((r) => body(r)['size']), trace).toEqual(Array.from({ length: blocks }, () => 1));
  const closesAfterLockedBuy = calls.filter((r) => r.seq > seqBeforeLockedBuy && /closeContract/i.test(r.path) && !/partial/i.test(r.path));
  expect(closesAfterLockedBuy.length, trace).toBe(1);

  const store = openStoreReadOnly(join(riskd.dataDir, 'state.db'));
  try {
    const simTrades = sim.state.trades(accountId).filter((t) => !t['voided']);
    const fills = store.fills.since(accountId, 0);
    expect(fills.map((f) => f.id).sort((a, b) => a - b)).toEqual(simTrades.map((t) => Number(t['id'])).sort((a, b) => a - b));
    const simPnl = simTrades.reduce((s, t) => s + (t['profitAndLoss'] == null ? 0 : Number(t['profitAndLoss'])), 0);
    const day = tradingDayId(Date.now(), RESET);
    const pnl = store.dailyPnl.get(accountId, day);
    expect(pnl?.realizedGross ?? 0).toBeCloseTo(simPnl, 6);
    const locks = store.locks.active(accountId);
    const dayLocks = locks.filter((l) => l.rule === 'RULE-003');
    expect(dayLocks).toHaveLength(1);
    expect(dayLocks[0]!.kind).toBe('until_reset');
    expect(dayLocks[0]!.until).toBe(nextReset(dayLocks[0]!.since, RESET));
    // No lock other than the daily one survives (RULE-001 reduces, it does not lock).
    expect(locks.filter((l) => l.rule !== 'RULE-003')).toEqual([]);
  } finally {
    store.close();
  }
}
