// E2E, the real riskd process against the simulator: a kill-switch close that fails is redone once REST shows the
// position still open under the lock (machines/action: restingUnderLock → recheckingUnderLock → sending), without
// waiting for the trader to change the position again, and never without that check.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { MNQ, bodyOf, positionSize, startE2ESim, trader, waitFor, type E2ESim } from './support/sim.ts';
import { accountRequests } from './support/burst.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

const CASES = () => ({ locked: { rules: { daily_realized_loss: { enabled: true, limit: 20, include_fees: false } } } });
const CLOSE = '/api/Position/closeContract';

beforeAll(async () => {
  env = await startE2ESim('killswitch-retry', 1);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  env.sim.control.restFaults(null);
  await riskd?.dispose();
  await env.close();
});

it('the kill switch close fails three times (5xx): after a rest and a REST check it is closed again, not left open', async () => {
  const acct = fleet.account('locked');
  const sim = env.sim;
  const t = trader(sim, acct.id);
  sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
  t.buy(MNQ, 1);
  sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
  t.close(MNQ); // -$20: RULE-003 locks the account until the reset
  await waitFor('the until_reset lock', () => riskd.readStore((s) => s.locks.active(acct.id)).find((l) => l.kind === 'until_reset'));

  // Every close fails until riskd has used all its attempts (3): that action would end failed.
  const seq0 = sim.requests.lastSeq();
  sim.control.restFaults({ rate: 1, kinds: ['500'], paths: [CLOSE] });
  let failedCloses = 0;
  const off = sim.requests.onRequest((r) => {
    if (r.path !== CLOSE || bodyOf(r)['accountId'] !== acct.id) return;
    if (++failedCloses === 3) {
      sim.control.restFaults(null);
      off();
    }
  });
  t.buy(MNQ, 1); // new position while locked: the kill switch closes it
  await waitFor('flat again', () => positionSize(sim, acct.id, MNQ) === 0, 20_000, () => riskd.describe());
  const row = await waitFor('the kill switch row settled', () =>
    riskd.readStore((s) => s.enforcement.list({ accountId: acct.id })).find((r) => r.endpoint === 'Position/closeContract' && r.reason.includes('new position while locked') && r.status !== 'pending' && r.status !== 'sent'),
  );
  expect(row.status, row.outcome ?? '').toMatch(/confirmed|reconciled/);
  // One action: the failed attempts were not a row of their own that ended failed.
  expect(riskd.readStore((s) => s.enforcement.list({ accountId: acct.id })).filter((r) => r.endpoint === 'Position/closeContract' && r.status === 'failed')).toEqual([]);

  // Every close after the first follows a REST check that showed the position still open: never blind.
  const requests = accountRequests(sim, acct.id, seq0).map((r) => `${r.path.replace('/api/', '')} ${r.status}`);
  expect(requests.filter((r) => r.startsWith('Position/closeContract'))).toEqual([
    'Position/closeContract 500',
    'Position/closeContract 500',
    'Position/closeContract 500',
    'Position/closeContract 200',
  ]);
  requests.forEach((r, i) => {
    // The check reads the positions, then (a position still open) the orders, for a market order still working.
    if (r.startsWith('Position/closeContract') && i > 0) expect(requests.slice(i - 2, i), JSON.stringify(requests)).toEqual(['Position/searchOpen 200', 'Order/v2/query 200']);
  });
}, 60_000);
