// E2E, the real riskd process against the simulator: contract-count rules RULE-001 (max_contracts) and
// RULE-002 (max_contracts_per_instrument), asserting the exact REST calls riskd made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneRowPerAction } from './support/audit.ts';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { ES, MES, MNQ, NQ, effectiveCalls, enforcementCalls, observe, positionSize, startE2ESim, summarize, trader, waitFor, waitForCall, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

// One riskd for the file: each case has its own account and risk file.
const CASES = () => ({
  c1: { rules: { max_contracts: { enabled: true, limit: 3, action: 'reduce_to_limit' } } },
  c2: { rules: { max_contracts: { enabled: true, limit: 2, action: 'close_all' } } },
  c3: { rules: { max_contracts_per_instrument: { enabled: true, limits: { ES: 1, MES: 4 }, default_limit: 2, action: 'reduce_to_limit' } } },
  c4: { rules: { max_contracts_per_instrument: { enabled: true, limits: { NQ: 0 }, default_limit: 2, action: 'close_position' } } },
});

beforeAll(async () => {
  env = await startE2ESim('contracts', 6);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

describe('RULE-001 max_contracts', () => {
  it('reduce_to_limit: partialCloseContract of the excess on the largest exposure first, once', async () => {
    const acct = fleet.account('c1');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(MES, 2);
    await observe(300);
    expect(enforcementCalls(sim, acct.id)).toEqual([]); // 2 <= 3: nothing
    t.buy(MNQ, 3); // 5 open: 2 too many; MNQ (3) is the larger exposure
    const call = await waitForCall(sim, acct.id, '/api/Position/partialCloseContract');
    expect(call.body).toEqual({ accountId: acct.id, contractId: MNQ, size: 2 });
    await waitFor('MNQ reduced to 1', () => positionSize(sim, acct.id, MNQ) === 1);
    await observe(500);
    expect(enforcementCalls(sim, acct.id).map(summarize)).toEqual([`Position/partialCloseContract ${MNQ} size=2`]);
    expect(positionSize(sim, acct.id, MES)).toBe(2);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});

describe('RULE-001 max_contracts close_all', () => {
  it('close_all: closeContract for every position when the total is exceeded', async () => {
    const acct = fleet.account('c2');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(MES, 1);
    t.buy(NQ, 1);
    await observe(300);
    expect(enforcementCalls(sim, acct.id)).toEqual([]);
    t.sell(MNQ, 1); // a short counts by its size: 3 open
    await waitFor('all flat', () => [MES, NQ, MNQ].every((c) => positionSize(sim, acct.id, c) === 0));
    await observe(400);
    expect(effectiveCalls(sim, acct.id).sort()).toEqual([MES, NQ, MNQ].map((c) => `Position/closeContract ${c}`).sort());
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});

describe('RULE-002 max_contracts_per_instrument', () => {
  it('counts per trader symbol: EP contracts are ES (limit 1), MES is its own symbol; reduce_to_limit closes the excess', async () => {
    const acct = fleet.account('c3');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(MES, 3); // MES limit 4: fine, and it is not ES
    t.buy(ES, 1); // ES at its limit
    await observe(400);
    expect(enforcementCalls(sim, acct.id)).toEqual([]);
    t.buy(ES, 2); // ES 3 > 1 (the gateway root is EP; the limit is written ES)
    const call = await waitForCall(sim, acct.id, '/api/Position/partialCloseContract');
    expect(call.body).toEqual({ accountId: acct.id, contractId: ES, size: 2 });
    await waitFor('ES back to 1', () => positionSize(sim, acct.id, ES) === 1);
    await observe(400);
    expect(effectiveCalls(sim, acct.id)).toEqual([`Position/partialCloseContract ${ES} size=2`]);
    expect(positionSize(sim, acct.id, MES)).toBe(3);
    await expectOneRowPerAction(riskd, env, acct.id);
  });

  it('default_limit applies to unlisted symbols; 0 means the symbol is not allowed (close_position)', async () => {
    const acct = fleet.account('c4');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(MNQ, 2); // unlisted: default 2, fine
    t.sell(NQ, 1); // NQ (root ENQ) not allowed at all
    const call = await waitForCall(sim, acct.id, '/api/Position/closeContract');
    expect(call.body).toEqual({ accountId: acct.id, contractId: NQ });
    t.buy(MNQ, 1); // 3 > 2: close_position closes the whole MNQ position
    await waitFor('NQ and MNQ flat', () => positionSize(sim, acct.id, NQ) === 0 && positionSize(sim, acct.id, MNQ) === 0);
    await observe(400);
    expect(effectiveCalls(sim, acct.id)).toEqual([`Position/closeContract ${NQ}`, `Position/closeContract ${MNQ}`]);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});
