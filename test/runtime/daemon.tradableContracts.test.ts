// At start riskd loads every tradable contract (Contract/available), so a hub position on a real contract is
// applied at once: the router holds only positions on contracts it has no tick facts for (router.ts).
import { afterEach, expect, it } from 'vitest';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { BASE_RISK, startBenchEnv, type BenchEnv } from '../../bench/support/inProcess.ts';
import { waitFor } from '../reliability/support/wait.ts';

const MES = 'CON.F.US.MES.Z26';
let env: BenchEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

it('tick facts of every tradable contract are known from the start; a new position needs no lookup', async () => {
  env = await startBenchEnv({ accounts: 1, risk: { ...BASE_RISK, rules: {} } });
  const accountId = env.accounts[0]!.id;
  expect(env.sim.requests.byPath('/api/Contract/available')).toHaveLength(1);
  expect(env.daemon.registry.contracts.get(MES)?.tickValue).toBe(1.25);
  env.sim.trader.placeOrder({ accountId, contractId: MES, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
  await waitFor('position applied', () => env!.daemon.registry.get(accountId)?.position(MES)?.size === 1);
  expect(env.daemon.router.unverified().size).toBe(0);
  expect(env.sim.requests.byPath('/api/Contract/searchById')).toHaveLength(0);
}, 30_000);
