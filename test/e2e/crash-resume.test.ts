// E2E, the real riskd process: kill -9 between an enforcement request and its confirmation, restart on the same
// data dir. The in-flight action (its enforcement_log row, still 'sent') resumes through its chart's `resumed`
// start: a REST check first, which finds the position flat, so it ends reconciled (not failed as "interrupted")
// and no second close is sent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRiskd, type RiskdProcess } from './support/riskd.ts';
import { MNQ, observe, positionSize, startE2ESim, trader, waitFor, type E2ESim } from './support/sim.ts';
import { accountRequests } from './support/burst.ts';

let env: E2ESim;
let riskd: RiskdProcess | undefined;

beforeAll(async () => {
  env = await startE2ESim('crash-resume', 1);
});
afterAll(async () => {
  env.sim.control.hubFaults({});
  await riskd?.dispose();
  await env.close();
});

it('a close killed before its confirmation resumes after the restart: checked, reconciled, never sent twice', async () => {
  const acct = env.nextAccount();
  const sim = env.sim;
  riskd = await startRiskd({ sim, accountName: acct.name, risk: { rules: { max_contracts: { enabled: true, limit: 1, action: 'close_all' } } } });
  const seq0 = sim.requests.lastSeq();
  trader(sim, acct.id).buy(MNQ, 2); // the breach: its frames are on the wire when this returns
  sim.control.hubFaults({ drop: 1 }); // the close's confirmation never reaches riskd
  await waitFor('the close', () => accountRequests(sim, acct.id, seq0).some((r) => r.path === '/api/Position/closeContract'));
  const sent = await waitFor('its row, sent', () => riskd!.readStore((s) => s.enforcement.list({ accountId: acct.id })).find((r) => r.endpoint === 'Position/closeContract' && r.status === 'sent'));
  await riskd.kill(); // well inside the 2 s confirmation wait
  sim.control.hubFaults({});
  expect(positionSize(sim, acct.id, MNQ)).toBe(0); // the close had executed at the gateway

  await riskd.restart();
  const row = await waitFor('the resumed row settled', () => riskd!.readStore((s) => s.enforcement.list({ accountId: acct.id })).find((r) => r.id === sent.id && r.status !== 'sent' && r.status !== 'pending'));
  expect(row.status, row.outcome ?? '').toBe('reconciled');
  expect(row.outcome).toMatch(/riskd restarted before its outcome was known.*REST check: position is flat/);
  await observe(1500);
  expect(accountRequests(sim, acct.id, seq0).filter((r) => r.path === '/api/Position/closeContract')).toHaveLength(1);
  expect(riskd.readStore((s) => s.enforcement.list({ accountId: acct.id })).filter((r) => r.status === 'failed')).toEqual([]);
}, 90_000);
