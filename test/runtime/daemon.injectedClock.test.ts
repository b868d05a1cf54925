// The daemon's injected clock is the only clock: hub events are stamped with it, so with a date in the past the
// ledger's trading day is the injected one and that day's fills count as today's P&L (reliability README item 4).
import { afterEach, expect, it } from 'vitest';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { BASE_RISK, startBenchEnv, type BenchEnv } from '../../bench/support/inProcess.ts';
import { waitFor } from '../reliability/support/wait.ts';
import { daemonEventSource } from '../../src/notify/daemonEvents.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
let env: BenchEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

it('a past injected date: the ledger trades on that day and its fills are today\'s realized P&L', async () => {
  const clock = { now: Date.parse('2025-03-11T15:00:00Z') }; // a Tuesday, market open, well before the real date
  env = await startBenchEnv({ accounts: 1, now: () => clock.now, tickMs: 50, risk: { ...BASE_RISK, rules: {} } });
  const accountId = env.accounts[0]!.id;
  const ledger = () => env!.daemon.registry.get(accountId)!;
  expect(ledger().tradingDayId).toBe('2025-03-11');
  expect(daemonEventSource(env.daemon).now()).toBe(clock.now); // notifications are stamped on the same clock

  env.sim.trader.placeOrder({ accountId, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
  await waitFor('position seen', () => (ledger().position(MNQ)?.size ?? 0) === 1);
  clock.now += 60_000;
  env.sim.market.setPrice(MNQ, env.sim.market.quote(MNQ).bid - 10); // 1 MNQ x 10 points = $20 loss
  env.sim.trader.closeContract(accountId, MNQ);
  await waitFor('exit fill counted', () => ledger().realizedGrossToday() !== 0, 10_000, () => JSON.stringify({ day: ledger().tradingDayId, fills: ledger().fillsToday() }));

  expect(ledger().tradingDayId).toBe('2025-03-11');
  expect(ledger().realizedGrossToday()).toBeLessThan(0);
  expect(ledger().fillsToday().every((f) => f.at >= ledger().tradingDayStart && f.at < ledger().tradingDayEnd)).toBe(true);
}, 30_000);
