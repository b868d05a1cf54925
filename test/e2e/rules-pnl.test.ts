// E2E, the real riskd process against the simulator: the P&L rules RULE-003 (daily realized loss), RULE-004
// (unrealized loss), RULE-005 (unrealized profit), RULE-013 (daily realized profit). Prices are set exactly so
// each breach lands on the limit; MNQ is $2 a point, MES $5 a point (the simulator's contract facts).
import { expectOneRowPerAction } from './support/audit.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { MES, MNQ, effectiveCalls, enforcementCalls, observe, positionSize, quoteSeen, startE2ESim, summarize, trader, waitFor, waitForCall, workingOrders, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

// One riskd for the file: each case has its own account and risk file.
const CASES = () => ({
  c1: { rules: { daily_realized_loss: { enabled: true, limit: 100, include_fees: false } } },
  c2: { rules: { daily_realized_profit: { enabled: true, target: 60 }, daily_realized_loss: { enabled: true, limit: 1000, include_fees: false } } },
  c3: { rules: { daily_unrealized_loss: { enabled: true, limit: 50, scope: 'per_position', respect_realized_budget: false } } },
  c4: { rules: { max_unrealized_profit: { enabled: true, target: 40, scope: 'per_position' } } },
});

beforeAll(async () => {
  env = await startE2ESim('pnl', 6);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

/** Opens 1 MES (to be flattened) and a resting MES buy (to be cancelled), then realizes `pnlPoints` on 1 MNQ. */
async function realizeOnMnq(acctId: number, pnlPoints: number): Promise<{ restingId: number }> {
  const sim = env.sim;
  const t = trader(sim, acctId);
  sim.market.setQuote(MES, { bid: 6800, ask: 6800.25 });
  t.buy(MES, 1);
  const restingId = t.restingBuy(MES, 1);
  sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
  t.buy(MNQ, 1); // filled at 20000.25
  sim.market.setQuote(MNQ, { bid: 20000.25 + pnlPoints, ask: 20000.5 + pnlPoints });
  t.close(MNQ); // sold at the bid: pnlPoints × $2
  return { restingId };
}

async function expectFlattenedWithLock(acctId: number, rule: string, restingId: number): Promise<void> {
  const sim = env.sim;
  const close = await waitForCall(sim, acctId, '/api/Position/closeContract');
  expect(close.body).toEqual({ accountId: acctId, contractId: MES });
  const cancel = await waitForCall(sim, acctId, '/api/Order/cancel');
  expect(cancel.body).toEqual({ accountId: acctId, orderId: restingId });
  await waitFor('MES flat and no working order', () => positionSize(sim, acctId, MES) === 0 && workingOrders(sim, acctId).length === 0);
  await observe(400);
  expect(effectiveCalls(sim, acctId).sort()).toEqual([`Order/cancel order=${restingId}`, `Position/closeContract ${MES}`].sort());
  const locks = riskd!.readStore((s) => s.locks.active(acctId));
  expect(locks.map((l) => ({ kind: l.kind, rule: l.rule }))).toEqual([{ kind: 'until_reset', rule }]);
  expect(locks[0]!.until).toBeGreaterThan(Date.now());
}

describe('RULE-003 daily_realized_loss', () => {
  it('a realized loss exactly at the limit: closeContract + cancel for each, and an until_reset lock row', async () => {
    const acct = fleet.account('c1');
    const { restingId } = await realizeOnMnq(acct.id, -50); // -$100
    await expectFlattenedWithLock(acct.id, 'RULE-003', restingId);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});

describe('RULE-013 daily_realized_profit', () => {
  it('a realized profit exactly at the target flattens, cancels and locks until the reset', async () => {
    const acct = fleet.account('c2');
    const { restingId } = await realizeOnMnq(acct.id, 30); // +$60 (fees excluded: include_fees false)
    await expectFlattenedWithLock(acct.id, 'RULE-013', restingId);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});

describe('RULE-005 max_unrealized_profit', () => {
  it('per_position: the position reaching the target is closed (take profit), once', async () => {
    const acct = fleet.account('c4');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.buy(MNQ, 1); // long at 20000.25, marked at the bid
    await quoteSeen(sim, MNQ, { bid: 20020, ask: 20020.25 }); // +$39.50
    await observe(300);
    expect(enforcementCalls(sim, acct.id)).toEqual([]);
    sim.market.setQuote(MNQ, { bid: 20020.25, ask: 20020.5 }); // +$40
    const close = await waitForCall(sim, acct.id, '/api/Position/closeContract');
    expect(close.body).toEqual({ accountId: acct.id, contractId: MNQ });
    await waitFor('MNQ flat', () => positionSize(sim, acct.id, MNQ) === 0);
    await observe(400);
    expect(enforcementCalls(sim, acct.id).map(summarize)).toEqual([`Position/closeContract ${MNQ}`]);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});

describe('RULE-004 daily_unrealized_loss', () => {
  it('per_position: a short marked at a quote carrying only bestAsk is closed at the limit; other positions stay', async () => {
    const acct = fleet.account('c3');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    sim.market.setQuote(MES, { bid: 6800, ask: 6800.25 });
    t.buy(MES, 1);
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.sell(MNQ, 1); // short at 20000
    await quoteSeen(sim, MNQ, { bid: 20000, ask: 20024.75 }); // -24.75 pts = -$49.50: no breach
    await observe(300);
    expect(enforcementCalls(sim, acct.id)).toEqual([]);
    // A sparse live update: only bestAsk. A short is marked at the ask: -25 pts × $2 = -$50.
    sim.control.sendRawMarketFrame('GatewayQuote', MNQ, { symbol: 'F.US.MNQ', bestAsk: 20025, lastUpdated: new Date().toISOString(), timestamp: new Date().toISOString() });
    const close = await waitForCall(sim, acct.id, '/api/Position/closeContract');
    expect(close.body).toEqual({ accountId: acct.id, contractId: MNQ });
    await waitFor('MNQ flat', () => positionSize(sim, acct.id, MNQ) === 0);
    await observe(400);
    expect(enforcementCalls(sim, acct.id).map(summarize)).toEqual([`Position/closeContract ${MNQ}`]);
    expect(positionSize(sim, acct.id, MES)).toBe(1);
    expect(riskd.readStore((s) => s.locks.active(acct.id))).toEqual([]);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});
