// E2E, the real riskd process against the simulator: what the hubs throw at riskd. Duplicated events never
// enforce twice nor count twice, voided fills leave the realized P&L, partial fills never over-reduce, and a
// reversal through zero is one new position of the other side.
import { expectOneRowPerAction } from './support/audit.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { ES, MNQ, NQ, effectiveCalls, enforcementCalls, observe, positionSize, startE2ESim, summarize, trader, waitFor, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

// One riskd for the file: each case has its own account and risk file.
const CASES = () => ({
  c1: { rules: { daily_realized_loss: { enabled: true, limit: 100, include_fees: false }, max_contracts_per_instrument: { enabled: true, limits: { NQ: 0 }, default_limit: 5, action: 'close_position' } } },
  c2: { rules: { daily_realized_loss: { enabled: true, limit: 100, include_fees: false } } },
  c3: { rules: { max_contracts: { enabled: true, limit: 1, action: 'reduce_to_limit' } } },
  c4: { rules: { max_contracts_per_instrument: { enabled: true, limits: { ES: 1 }, default_limit: 5, action: 'reduce_to_limit' } } },
});

beforeAll(async () => {
  env = await startE2ESim('faultshub', 5);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterEach(async () => {
  env.sim.control.hubFaults({});
  env.sim.control.partialFills(null);
});
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

/** One MNQ round trip realizing `points` × $2 (the trader's own exit). */
async function roundTrip(acctId: number, points: number): Promise<void> {
  const sim = env.sim;
  const t = trader(sim, acctId);
  sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
  t.buy(MNQ, 1);
  sim.market.setQuote(MNQ, { bid: 20000.25 + points, ask: 20000.5 + points });
  t.close(MNQ);
  await waitFor('MNQ flat', () => positionSize(sim, acctId, MNQ) === 0);
}

const activeLocks = (acctId: number) => riskd!.readStore((s) => s.locks.active(acctId));

describe('hub faults and fill shapes', () => {
  it('every hub event duplicated: a loss is counted once and a breach closed once', async () => {
    const acct = fleet.account('c1');
    const sim = env.sim;
    sim.control.hubFaults({ duplicate: 1 });
    await roundTrip(acct.id, -30); // -$60; counted twice it would be -$120 and lock
    await observe(800);
    expect(activeLocks(acct.id)).toEqual([]);
    trader(sim, acct.id).sell(NQ, 1);
    await waitFor('NQ closed', () => positionSize(sim, acct.id, NQ) === 0);
    await observe(1500);
    expect(enforcementCalls(sim, acct.id).map(summarize)).toEqual([`Position/closeContract ${NQ}`]);
  });

  it('a voided fill leaves the realized P&L', async () => {
    const acct = fleet.account('c2');
    const sim = env.sim;
    const trade = (voided: boolean) => ({
      action: 0,
      data: {
        id: 9100000001, accountId: acct.id, contractId: MNQ, creationTimestamp: new Date().toISOString(), price: 19960,
        profitAndLoss: -80, fees: 0, commissions: 0, side: 1, size: 1, voided, orderId: 9200000001,
      },
    });
    sim.control.sendRawUserFrame('GatewayUserTrade', trade(false)); // -$80
    sim.control.sendRawUserFrame('GatewayUserTrade', trade(true)); // the gateway voids it
    await roundTrip(acct.id, -30); // -$60: -$140 if the voided fill still counted
    await observe(800);
    expect(activeLocks(acct.id)).toEqual([]);
    await roundTrip(acct.id, -20); // -$100 in all: exactly the limit
    const lock = await waitFor('the RULE-003 lock', () => activeLocks(acct.id).find((l) => l.rule === 'RULE-003'));
    expect(lock.kind).toBe('until_reset');
  });

  // The entry fills 1+1+1: at 2 riskd sends a reduce of 1; at 3 the machine holds back a second reduce (one is in
  // flight on the contract); the reduce of 1 takes 3 to 2, short of its goal, and once it settles the rules run
  // again and reduce the rest. One audit row per REST call: no absorbed decision.
  it('partial fills: the position grows one contract at a time and ends reduced to the limit', async () => {
    const acct = fleet.account('c3');
    const sim = env.sim;
    sim.control.partialFills(1);
    trader(sim, acct.id).buy(MNQ, 3); // three fills of 1
    await waitFor('MNQ back to 1', () => positionSize(sim, acct.id, MNQ) === 1 && riskd!.enforcementSettled(acct.id));
    await observe(1500);
    expect(positionSize(sim, acct.id, MNQ)).toBe(1);
    const reduced = enforcementCalls(sim, acct.id)
      .filter((r) => (r.response as { success?: boolean }).success === true)
      .map((r) => {
        expect(r.path).toBe('/api/Position/partialCloseContract');
        return Number((r.body as { size: number }).size);
      });
    expect(reduced.reduce((a, b) => a + b, 0)).toBe(2);
    await expectOneRowPerAction(riskd, env, acct.id);
  });

  it('a reversal through zero: long 1 ES, sell 3 → short 2 over the ES limit of 1 → buy back exactly 1', async () => {
    const acct = fleet.account('c4');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(ES, 1);
    await observe(300);
    t.sell(ES, 3);
    await waitFor('short 1 ES', () => positionSize(sim, acct.id, ES) === -1 && riskd!.enforcementSettled(acct.id));
    await observe(800);
    expect(effectiveCalls(sim, acct.id)).toEqual([`Position/partialCloseContract ${ES} size=1`]);
    expect(positionSize(sim, acct.id, ES)).toBe(-1);
  });
});
