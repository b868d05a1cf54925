// E2E, the real riskd process against the simulator: REST faults on the enforcement call itself. Whatever the
// gateway does (hangs after executing, hangs without executing, 500, 429), the position ends closed by exactly
// one executed close. RULE-002 with NQ not allowed (limit 0) is the breach: a new NQ position must go.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { NQ, bodyOf, positionSize, observe, startE2ESim, succeeded, trader, waitFor, type E2ESim } from './support/sim.ts';
import type { SimRequest } from '../../src/sim/index.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

// One riskd for the file: each case has its own account and risk file.
const CASES = () => ({
  c1: RISK,
  c2: RISK,
  c3: RISK,
});

beforeAll(async () => {
  env = await startE2ESim('faultsrest', 4);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterEach(async () => {
  env.sim.control.restFaults(null);
});
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

const CLOSE = '/api/Position/closeContract';
const RISK = { rules: { max_contracts_per_instrument: { enabled: true, limits: { NQ: 0 }, default_limit: 5, action: 'close_position' } } };

function closesOf(acctId: number): SimRequest[] {
  return env.sim.requests.filter((r) => r.path === CLOSE && bodyOf(r)['accountId'] === acctId);
}

/** Calls that changed the venue: answered with success, or hung after being executed. */
function executed(rs: SimRequest[]): SimRequest[] {
  return rs.filter((r) => succeeded(r) || (r.fault === 'timeout' && r.executed === true));
}

/** Applies `faults` to the first `n` close calls, then turns faults off. */
function faultFirstCloses(faults: Parameters<E2ESim['sim']['control']['restFaults']>[0][]): void {
  const sim = env.sim;
  let i = 0;
  sim.control.restFaults(faults[0] ?? null);
  const off = sim.requests.onRequest((r) => {
    if (r.path !== CLOSE) return;
    i++;
    sim.control.restFaults(faults[i] ?? null);
    if (i >= faults.length) off();
  });
}

async function breachAndSettle(acctId: number, settleMs: number): Promise<SimRequest[]> {
  const sim = env.sim;
  trader(sim, acctId).sell(NQ, 1);
  await waitFor('NQ closed', () => positionSize(sim, acctId, NQ) === 0, 20_000, () => JSON.stringify(closesOf(acctId).map((r) => ({ status: r.status, fault: r.fault, executed: r.executed }))));
  await observe(settleMs); // longer than riskd's confirm timeout: a resend would show here
  return closesOf(acctId);
}

describe('REST faults on the close', () => {
  it('the close hangs after being executed: reconciled, never resent', async () => {
    const acct = fleet.account('c1');
    faultFirstCloses([{ rate: 1, kinds: ['timeout'], paths: [CLOSE], timeoutExecutes: true, hangMs: 1500 }]);
    const closes = await breachAndSettle(acct.id, 4000);
    expect(closes.map((r) => ({ fault: r.fault, executed: r.executed }))).toEqual([{ fault: 'timeout', executed: true }]);
    const rows = riskd.readStore((s) => s.enforcement.list({ accountId: acct.id })).filter((r) => r.endpoint?.includes('closeContract'));
    expect(rows.map((r) => r.status).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/^(confirmed|reconciled)$/)]));
    expect(rows.filter((r) => r.status === 'confirmed' || r.status === 'reconciled')).toHaveLength(1);
  });

  it('the close hangs WITHOUT being executed: riskd finds the position still open and closes it exactly once', async () => {
    const acct = fleet.account('c2');
    faultFirstCloses([{ rate: 1, kinds: ['timeout'], paths: [CLOSE], timeoutExecutes: false, hangMs: 1500 }]);
    const closes = await breachAndSettle(acct.id, 4000);
    expect(closes[0]).toMatchObject({ fault: 'timeout', executed: false });
    expect(executed(closes)).toHaveLength(1);
  });

  it('500 then 429 on the close: retried, exactly one successful close', async () => {
    const acct = fleet.account('c3');
    faultFirstCloses([
      { rate: 1, kinds: ['500'], paths: [CLOSE] },
      { rate: 1, kinds: ['429'], paths: [CLOSE] },
    ]);
    const closes = await breachAndSettle(acct.id, 3000);
    expect(closes.slice(0, 2).map((r) => r.fault)).toEqual(['500', '429']);
    expect(executed(closes)).toHaveLength(1);
    expect(closes.filter(succeeded)).toHaveLength(1);
  });
});
