// E2E, the real riskd process against the simulator: the kill switch. While a lock is active every new
// position is closed and every new working order cancelled; positions held before a cooldown stay; after the
// release trading is left alone. (until_session, symbol and until_can_trade locks: see rules-session.test.ts;
// a cooldown across a crash: crash.test.ts.)
import { expectOneRowPerAction } from './support/audit.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { MES, MNQ, NQ, effectiveCalls, enforcementCalls, observe, positionSize, startE2ESim, summarize, trader, waitFor, waitForCall, workingOrders, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

// One riskd for the file: each case has its own account and risk file.
const CASES = () => ({
  c1: { rules: { daily_realized_loss: { enabled: true, limit: 20, include_fees: false } } },
  c2: { rules: { cooldown_after_loss: { enabled: true, tiers: [{ loss: 10, cooldown: '4s' }], consecutive_losses: { count: 9, cooldown: '1h' } } } },
  c3: { rules: { daily_realized_loss: { enabled: true, limit: 20, include_fees: false } } },
});

beforeAll(async () => {
  env = await startE2ESim('killswitch', 4);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

/** -$20 on one MNQ round trip (the trader's own exit). */
function losingRoundTrip(acctId: number): void {
  const sim = env.sim;
  const t = trader(sim, acctId);
  sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
  t.buy(MNQ, 1);
  sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
  t.close(MNQ);
}

describe('kill switch', () => {
  it('until_reset (RULE-003): a new order is cancelled and a new position closed at once', async () => {
    const acct = fleet.account('c1');
    const sim = env.sim;
    losingRoundTrip(acct.id);
    await waitFor('the until_reset lock', () => riskd!.readStore((s) => s.locks.active(acct.id)).find((l) => l.kind === 'until_reset'));
    await observe(300);
    expect(effectiveCalls(sim, acct.id)).toEqual([]); // the account was already flat
    const t = trader(sim, acct.id);
    const order = t.restingBuy(MES, 1);
    const cancel = await waitForCall(sim, acct.id, '/api/Order/cancel', 3000, (b) => b['orderId'] === order);
    expect(cancel.body).toEqual({ accountId: acct.id, orderId: order });
    t.sell(NQ, 1);
    const close = await waitForCall(sim, acct.id, '/api/Position/closeContract', 3000, (b) => b['contractId'] === NQ);
    expect(close.wallAt).toBeGreaterThan(cancel.wallAt);
    await waitFor('flat, no order', () => positionSize(sim, acct.id, NQ) === 0 && workingOrders(sim, acct.id).length === 0);
    await observe(300);
    expect(effectiveCalls(sim, acct.id)).toEqual([`Order/cancel order=${order}`, `Position/closeContract ${NQ}`]);
    await expectOneRowPerAction(riskd, env, acct.id);
  });

  it('cooldown (RULE-007): positions held before it stay; new ones are closed, new orders cancelled; after it, trading is free', async () => {
    const acct = fleet.account('c2');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(MES, 1); // held before the cooldown
    losingRoundTrip(acct.id);
    const lock = await waitFor('the cooldown', () => riskd!.readStore((s) => s.locks.active(acct.id)).find((l) => l.kind === 'cooldown'));
    const order = t.restingBuy(NQ, 1);
    await waitForCall(sim, acct.id, '/api/Order/cancel', 3000, (b) => b['orderId'] === order);
    t.buy(NQ, 1);
    await waitForCall(sim, acct.id, '/api/Position/closeContract', 3000, (b) => b['contractId'] === NQ);
    await waitFor('NQ flat', () => positionSize(sim, acct.id, NQ) === 0);
    expect(positionSize(sim, acct.id, MES)).toBe(1);
    expect(effectiveCalls(sim, acct.id)).toEqual([`Order/cancel order=${order}`, `Position/closeContract ${NQ}`]);
    // After the deadline: left alone.
    await waitFor('the cooldown released', () => riskd!.readStore((s) => s.locks.history({ accountId: acct.id })).find((l) => l.id === lock.id && l.releasedAt != null), 8000);
    const seq = sim.requests.lastSeq();
    t.buy(NQ, 1);
    const order2 = t.restingBuy(NQ, 1);
    await observe(1000);
    expect(enforcementCalls(sim, acct.id, undefined, seq).map(summarize)).toEqual([]);
    expect(positionSize(sim, acct.id, NQ)).toBe(1);
    expect(workingOrders(sim, acct.id).map((o) => o['id'])).toContain(order2);
    await expectOneRowPerAction(riskd, env, acct.id);
  });

  it('with fills lagging the REST answer, a new position during a lock still ends closed (riskd does not undo its own close)', async () => {
    // Regression: the close's market order shows up as a new working order while it waits for its fill; the kill
    // switch used to cancel it, leaving the locked account with the position open.
    const acct = fleet.account('c3');
    const sim = env.sim;
    losingRoundTrip(acct.id);
    await waitFor('the until_reset lock', () => riskd.readStore((s) => s.locks.active(acct.id)).find((l) => l.kind === 'until_reset'));
    const t = trader(sim, acct.id);
    const seq = sim.requests.lastSeq();
    try {
      t.buy(MNQ, 1); // fills at once
      sim.control.setFillDelay(400); // riskd's close waits 400 ms for its fill, like a slow venue
      await waitForCall(sim, acct.id, '/api/Position/closeContract', 3000, (b) => b['contractId'] === MNQ, seq);
      await waitFor('MNQ flat', () => positionSize(sim, acct.id, MNQ) === 0, 8000);
      await observe(800);
      expect(positionSize(sim, acct.id, MNQ)).toBe(0);
      // (Right after the lock's own flatten the machine can still cancel one of riskd's close orders — the
      // position then ends closed by the next close; see the report. What must hold is that it ends closed.)
    } finally {
      sim.control.setFillDelay(0);
    }
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});
