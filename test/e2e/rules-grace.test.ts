// E2E, the real riskd process against the simulator: RULE-008 (no stop loss within the grace period). A 3 s
// grace keeps it fast; each assertion is "not before the grace, within ~1 s after it".
import { expectOneRowPerAction } from './support/audit.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { OrderSide } from '../../src/gateway/models.ts';
import { MES, MNQ, NQ, effectiveCalls, observe, positionSize, startE2ESim, trader, waitFor, waitForCall, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

// One riskd for the file: each case has its own account and risk file.
const CASES = () => ({
  c1: RISK,
  c2: RISK,
});

beforeAll(async () => {
  env = await startE2ESim('grace', 4);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

const GRACE = 3000;
const RISK = { rules: { no_stop_loss_grace: { enabled: true, grace: '3s' } } };

describe('RULE-008 no_stop_loss_grace', () => {
  it('an unprotected position is closed after the grace, not before; scaling in does not restart the grace', async () => {
    const acct = fleet.account('c1');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    const opened = Date.now();
    t.buy(MNQ, 1); // no stop at all
    t.sell(MES, 1); // no stop; scaled in below
    await observe(1500);
    t.sell(MES, 1); // scaling in: the grace still runs from the first fill
    const mnq = await waitForCall(sim, acct.id, '/api/Position/closeContract', GRACE + 3000, (b) => b['contractId'] === MNQ);
    const mes = await waitForCall(sim, acct.id, '/api/Position/closeContract', GRACE + 3000, (b) => b['contractId'] === MES);
    for (const call of [mnq, mes]) {
      expect(call.wallAt - opened).toBeGreaterThanOrEqual(GRACE);
      expect(call.wallAt - opened).toBeLessThan(GRACE + 1000);
    }
    await waitFor('both flat', () => positionSize(sim, acct.id, MNQ) === 0 && positionSize(sim, acct.id, MES) === 0);
    await observe(300);
    expect(effectiveCalls(sim, acct.id).sort()).toEqual([`Position/closeContract ${MES}`, `Position/closeContract ${MNQ}`].sort());
    await expectOneRowPerAction(riskd, env, acct.id);
  });

  it('a protective stop keeps the position; cancelling it starts a new grace from the cancel', async () => {
    const acct = fleet.account('c2');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(NQ, 2);
    const stopId = t.stop(NQ, OrderSide.Ask, 2, 40); // sell stop 40 ticks below: protective for both contracts
    await observe(GRACE + 800);
    expect(effectiveCalls(sim, acct.id)).toEqual([]);
    const cancelledAt = Date.now();
    const r = sim.trader.cancelOrder(acct.id, stopId);
    expect(r.success).toBe(true);
    const call = await waitForCall(sim, acct.id, '/api/Position/closeContract', GRACE + 3000);
    expect(call.body).toEqual({ accountId: acct.id, contractId: NQ });
    expect(call.wallAt - cancelledAt).toBeGreaterThanOrEqual(GRACE);
    expect(call.wallAt - cancelledAt).toBeLessThan(GRACE + 1000);
    await waitFor('NQ flat', () => positionSize(sim, acct.id, NQ) === 0);
    expect(effectiveCalls(sim, acct.id)).toEqual([`Position/closeContract ${NQ}`]);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});
