// E2E, the real riskd process against the simulator: contract-count rules RULE-001 (max_contracts) and
// RULE-002 (max_contracts_per_instrument), asserting the exact REST calls riskd made.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRiskd, type RiskdProcess } from './support/riskd.ts';
import { ES, MES, MNQ, NQ, enforcementCalls, observe, positionSize, startE2ESim, summarize, trader, waitFor, waitForCall, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess | undefined;

beforeAll(async () => {
  env = await startE2ESim('contracts', 6);
});
afterEach(async () => {
  await riskd?.dispose();
  riskd = undefined;
});
afterAll(async () => {
  await env.close();
});

describe('RULE-001 max_contracts', () => {
  it('reduce_to_limit: partialCloseContract of the excess on the largest exposure first, once', async () => {
    const acct = env.nextAccount();
    const sim = env.sim;
    riskd = await startRiskd({ sim, accountName: acct.name, risk: { rules: { max_contracts: { enabled: true, limit: 3, action: 'reduce_to_limit' } } } });
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
  });
});
