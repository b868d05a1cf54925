// E2E, the real riskd process against the simulator: RULE-012 (trade management). riskd moves the trader's
// stop to breakeven + offset, then trails it, never loosens it, modifies at most once a second, places a stop
// when there is none, and cancels the stop it placed once the trader closes the position. MNQ ticks are 0.25.
import { expectOneRowPerAction } from './support/audit.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { OrderSide } from '../../src/gateway/models.ts';
import { MNQ, bodyOf, enforcementCalls, observe, quoteSeen, startE2ESim, succeeded, summarize, trader, waitFor, waitForCall, workingOrders, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

// One riskd for the file: each case has its own account and risk file.
const CASES = () => ({
  c1: RISK,
  c2: RISK,
});

beforeAll(async () => {
  env = await startE2ESim('manage', 3);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

const RISK = { rules: { trade_management: { enabled: true, breakeven: { trigger_ticks: 8, offset_ticks: 1 }, trailing: { activation_ticks: 16, distance_ticks: 8 } } } };
const MODIFY = '/api/Order/modify';

describe('RULE-012 trade_management', () => {
  it('breakeven, then trailing, never loosening, at most one modify a second', async () => {
    const acct = fleet.account('c1');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.buy(MNQ, 1); // long at 20000.25
    const stopId = t.stop(MNQ, OrderSide.Ask, 1, 20); // sell stop at 19995
    await quoteSeen(sim, MNQ, { bid: 20002, ask: 20002.25 }); // +7 ticks: nothing yet
    await observe(400);
    expect(enforcementCalls(sim, acct.id)).toEqual([]);
    sim.market.setQuote(MNQ, { bid: 20002.25, ask: 20002.5 }); // +8 ticks: breakeven + 1 tick
    const be = await waitForCall(sim, acct.id, MODIFY);
    expect(bodyOf(be)).toMatchObject({ accountId: acct.id, orderId: stopId, stopPrice: 20000.5 });
    // Fast rising quotes: the trail follows at 8 ticks, but with at most one modify a second.
    for (let px = 20004.25; px <= 20006.25; px += 0.25) {
      sim.market.setQuote(MNQ, { bid: px, ask: px + 0.25 });
      await observe(100);
    }
    const last = await waitForCall(sim, acct.id, MODIFY, 4000, (b) => b['stopPrice'] === 20004.25); // 20006.25 - 2.00
    const modifies = enforcementCalls(sim, acct.id, MODIFY);
    for (let i = 1; i < modifies.length; i++) expect(modifies[i]!.at - modifies[i - 1]!.at).toBeGreaterThanOrEqual(950);
    const prices = modifies.map((r) => Number(bodyOf(r)['stopPrice']));
    expect(prices).toEqual([...prices].sort((a, b) => a - b)); // only ever tighter
    expect(modifies.every((r) => bodyOf(r)['orderId'] === stopId)).toBe(true);
    // The market falls back: the stop is never loosened.
    const seq = last.seq;
    sim.market.setQuote(MNQ, { bid: 20005, ask: 20005.25 });
    await observe(1500);
    expect(enforcementCalls(sim, acct.id, undefined, seq).map(summarize)).toEqual([]);
    const stop = sim.state.orders(acct.id).find((o) => o['id'] === stopId)!;
    expect(stop['stopPrice']).toBe(20004.25);
    await expectOneRowPerAction(riskd, env, acct.id);
  });

  it('places a protective stop at breakeven when the position has none', async () => {
    const acct = fleet.account('c2');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.buy(MNQ, 2);
    await quoteSeen(sim, MNQ, { bid: 20002.25, ask: 20002.5 }); // +8 ticks
    const place = await waitForCall(sim, acct.id, '/api/Order/place');
    expect(bodyOf(place)).toMatchObject({ accountId: acct.id, contractId: MNQ, type: 4, side: 1, size: 2, stopPrice: 20000.5 });
    expect(succeeded(place)).toBe(true);
    await observe(800);
    expect(enforcementCalls(sim, acct.id, '/api/Order/place')).toHaveLength(1);
    // The trader closes the position: riskd cancels the stop it placed, so it cannot open a new position.
    const stop = workingOrders(sim, acct.id).find((o) => o['contractId'] === MNQ && o['type'] === 4)!;
    expect(stop).toBeDefined();
    t.close(MNQ);
    const cancel = await waitForCall(sim, acct.id, '/api/Order/cancel');
    expect(bodyOf(cancel)).toMatchObject({ accountId: acct.id, orderId: stop['id'] });
    expect(succeeded(cancel)).toBe(true);
    await waitFor('the stop gone', () => workingOrders(sim, acct.id).length === 0);
    await observe(500);
    expect(enforcementCalls(sim, acct.id, '/api/Order/cancel')).toHaveLength(1);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});
