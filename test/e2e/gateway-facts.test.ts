// E2E, the real riskd process against the simulator: gateway facts from live TopstepX captures
// (projectx-api.md §8.25-27) and what riskd makes of them, asserting the REST calls it makes and the P&L and
// counts its status shows (the same snapshot `riskd status` and the dashboards read).
//  - one exit order reported as one trade row per lot: P&L sums the rows, RULE-007 judges the order once;
//  - an entry order reported as several rows (partial executions) is one entry for RULE-006;
//  - commissions on stream trades only: the stream and a REST-only rebuild show the same net P&L;
//  - two live expiries of one symbol: RULE-002 counts both; the back month (not in Contract/available) is
//    checked with Contract/searchById before the rule reduces, and enforced even when that lookup fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.ts';
import { controlPort } from '../../src/control/locate.ts';
import type { AccountStatus, StatusSnapshot } from '../../src/control/statusSnapshot.ts';
import { startFleet, startRiskd, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { ES, MES, MNQ, bodyOf, effectiveCalls, observe, positionSize, startE2ESim, succeeded, summarize, trader, waitFor, waitForCall, type E2ESim } from './support/sim.ts';

const MNQ_H27 = 'CON.F.US.MNQ.H27';
const ES_H27 = 'CON.F.US.EP.H27';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

const CASES = () => ({
  rows: {
    rules: {
      cooldown_after_loss: { enabled: true, tiers: [{ loss: 200, cooldown: '15m' }], consecutive_losses: { count: 2, cooldown: '1h' } },
      daily_realized_loss: { enabled: true, limit: 100_000, include_fees: true },
    },
  },
  entries: {
    rules: {
      trade_frequency_limit: {
        enabled: true,
        count: 'entries',
        per_minute: { limit: 1, cooldown: '1m' },
        per_hour: { limit: 100, cooldown: '1m' },
        per_day: { limit: 1000, cooldown: 'until_reset' },
      },
    },
  },
  expiries: { rules: { max_contracts_per_instrument: { enabled: true, limits: { MNQ: 3 }, default_limit: 5, action: 'reduce_to_limit' } } },
  unreachable: { rules: { max_contracts_per_instrument: { enabled: true, limits: { ES: 1 }, default_limit: 5, action: 'reduce_to_limit' } } },
  extra: { rules: { max_contracts: { enabled: true, limit: 2, action: 'reduce_to_limit' } } },
});

beforeAll(async () => {
  env = await startE2ESim('facts', 6);
  env.sim.control.exitRowsPerLot(true); // as seen live: an exit is one trade row per lot it closed
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

/** What riskd's status (riskd status, the dashboards) shows. */
async function snapshotOf(r: RiskdProcess): Promise<StatusSnapshot> {
  // The control server records its port in the store just after riskd reports live.
  const port = await waitFor('riskd recorded its control port', () => (r.readStore((s) => s.meta.get('control.port')) ? controlPort(r.dataDir) : undefined));
  const c = await ControlClient.connect(port, { timeoutMs: 5_000 });
  c.close();
  return c.firstStatus;
}

async function statusOf(r: RiskdProcess, accountId: number): Promise<AccountStatus> {
  const a = (await snapshotOf(r)).accounts.find((x) => x.id === accountId);
  if (!a) throw new Error(`riskd status has no account ${accountId}`);
  return a;
}

/** Every REST call riskd made about the account after `afterSeq` (reads and mutations), summarized. */
const callsFor = (accountId: number, afterSeq: number) => env.sim.requests.filter((r) => r.seq > afterSeq && bodyOf(r)['accountId'] === accountId).map(summarize);

let streamNet: number | undefined;

describe('one exit order, several trade rows (§8.25)', () => {
  it('P&L sums the rows; RULE-007 judges the order once on its summed net (tier reached, no 2-loser streak)', async () => {
    const acct = fleet.account('rows');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    const before = sim.requests.lastSeq();
    sim.market.setPrice(MNQ, 25800);
    t.buy(MNQ, 1);
    sim.market.setPrice(MNQ, 25810);
    t.buy(MNQ, 1);
    sim.market.setPrice(MNQ, 25750);
    const exit = t.sell(MNQ, 2);
    const rows = sim.state.trades(acct.id).filter((x) => x['orderId'] === exit);
    expect(rows.map((x) => [x['size'], x['profitAndLoss'], x['fees']])).toEqual([
      [1, -100, 0.37],
      [1, -120, 0.37],
    ]);
    // Each row alone is under the $200 tier; two losing rows would be a 2-loser streak (1 h). The order: -$220.74.
    const lock = await waitFor('the RULE-007 cooldown', () => riskd.readStore((s) => s.locks.active(acct.id)).find((l) => l.rule === 'RULE-007'));
    expect(lock.kind).toBe('cooldown');
    expect(lock.until! - lock.since).toBe(15 * 60_000);
    expect(lock.reason).toBe('Losing exit of $220.74 on MNQ (tier $200.00)');
    await observe(500);
    expect(riskd.readStore((s) => s.locks.active(acct.id)).map((l) => [l.rule, l.until! - l.since])).toEqual([['RULE-007', 15 * 60_000]]);
    const st = await statusOf(riskd, acct.id);
    expect(st.realized).toBe(-221.48); // -100 - 120 gross, 4 fills x 0.37 fees; commissions not in it
    expect(st.consecutiveLosses).toBe(1);
    expect(st.entriesToday).toBe(2);
    streamNet = st.realized;
    // The stream told riskd everything: no REST call about this account, no enforcement (it is flat).
    expect(callsFor(acct.id, before)).toEqual([]);
  });
});

describe('one entry order, several trade rows', () => {
  it('RULE-006 entries counts the order once; the next entry order breaches a per-minute limit of 1', async () => {
    const acct = fleet.account('entries');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    sim.control.partialFills(1);
    try {
      t.buy(MNQ, 3); // three executions: three rows of one order
    } finally {
      sim.control.partialFills(null);
    }
    expect(sim.state.trades(acct.id)).toHaveLength(3);
    // All three executions reach riskd (on a loaded box that can take longer than a fixed pause), then: no lock.
    let st = await statusOf(riskd, acct.id);
    for (const until = Date.now() + 8_000; st.openContracts < 3 && Date.now() < until; st = await statusOf(riskd, acct.id)) await observe(100);
    await observe(300);
    expect(riskd.readStore((s) => s.locks.active(acct.id))).toEqual([]);
    expect(st.openContracts).toBe(3);
    expect(st.entriesToday).toBe(1);
    t.buy(MES, 1); // a second entry order
    const lock = await waitFor('the RULE-006 cooldown', () => riskd.readStore((s) => s.locks.active(acct.id)).find((l) => l.rule === 'RULE-006'));
    expect(lock.reason).toBe('2 entries in the last minute, over your limit of 1');
    expect((await statusOf(riskd, acct.id)).entriesToday).toBe(2);
  });
});

describe('RULE-002 across two live expiries of one symbol', () => {
  it('MNQ Dec + Mar count together; the March contract (not in Contract/available) is looked up once before the reduce', async () => {
    const acct = fleet.account('expiries');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    const before = sim.requests.lastSeq();
    t.buy(MNQ, 2);
    await observe(300);
    t.buy(MNQ_H27, 2); // 4 MNQ over two expiries > 3
    const reduce = await waitForCall(sim, acct.id, '/api/Position/partialCloseContract', 10_000);
    await waitFor('MNQ back to 3', () => positionSize(sim, acct.id, MNQ) + positionSize(sim, acct.id, MNQ_H27) === 3);
    await observe(500);
    // The back month costs one lookup, made before the reduce; the front month none (Contract/available had it).
    const lookups = sim.requests.filter((r) => r.seq > before && /Contract\/searchById/i.test(r.path));
    expect(lookups.map((r) => bodyOf(r)['contractId'])).toEqual([MNQ_H27]);
    expect(lookups[0]!.seq).toBeLessThan(reduce.seq);
    // The larger exposure (the March contract trades at a premium) is reduced by the one contract over.
    expect(effectiveCalls(sim, acct.id, before)).toEqual([`Position/partialCloseContract ${MNQ_H27} size=1`]);
    const st = await statusOf(riskd, acct.id);
    expect(st.openContracts).toBe(3);
    expect(st.positions.map((p) => [p.contractId, p.symbol, p.size]).sort()).toEqual([
      [MNQ_H27, 'MNQ', 1],
      [MNQ, 'MNQ', 2],
    ]);
  });

  it('REST unreachable for the lookup: the unconfirmed back-month position is enforced anyway, within the 3 s hold', async () => {
    const acct = fleet.account('unreachable');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(ES, 1);
    await observe(300);
    sim.control.restFaults({ rate: 1, kinds: ['500'], paths: ['/api/Contract/searchById'] });
    try {
      const before = sim.requests.lastSeq();
      const t0 = Date.now();
      t.buy(ES_H27, 1); // ES 2 > 1, and riskd cannot learn what ES H27 is
      const call = await waitFor('an accepted reduce or close', () => sim.requests.filter((r) => r.seq > before && bodyOf(r)['accountId'] === acct.id && /Position\/(partialCloseContract|closeContract)/i.test(r.path) && succeeded(r))[0], 15_000, () => riskd.stderr.slice(-3000));
      console.info(`unknown contract, REST refusing lookups: enforced ${call.wallAt - t0} ms after the fill`);
      expect(call.wallAt - t0).toBeLessThan(6_000);
      const lookups = sim.requests.filter((r) => r.seq > before && /Contract\/searchById/i.test(r.path));
      expect(lookups.length).toBeGreaterThan(0);
      expect(lookups.every((r) => r.status === 500 && bodyOf(r)['contractId'] === ES_H27)).toBe(true);
      await waitFor('ES back to 1', () => positionSize(sim, acct.id, ES) + positionSize(sim, acct.id, ES_H27) === 1);
      await observe(500);
      expect(effectiveCalls(sim, acct.id, before)).toHaveLength(1);
    } finally {
      sim.control.restFaults(null);
    }
  });
});

describe('extra fields (§8.27)', () => {
  it('positions with contractDisplayName and odd informational fields parse; riskd counts no bad input and enforces on them', async () => {
    const acct = fleet.account('extra');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(MNQ, 1);
    await observe(300);
    const failuresBefore = (await snapshotOf(riskd)).parseFailures;
    // The gateway's own position and trade again (idempotent for riskd), dressed as a future gateway might send them.
    const pos = sim.state.positions(acct.id).find((p) => p['contractId'] === MNQ)!;
    expect(pos['contractDisplayName']).toBe('MNQZ26');
    sim.control.sendRawUserFrame('GatewayUserPosition', { action: 1, data: { ...pos, contractDisplayName: 20261, riskTier: { level: 2 } } });
    const trade = sim.state.trades(acct.id)[0]!;
    sim.control.sendRawUserFrame('GatewayUserTrade', { action: 0, data: { ...trade, commissions: 'n/a', exchange: 'CME' } });
    await observe(500);
    expect((await snapshotOf(riskd)).parseFailures).toBe(failuresBefore);
    const before = sim.requests.lastSeq();
    t.buy(MNQ, 2); // 3 > 2
    const call = await waitForCall(sim, acct.id, '/api/Position/partialCloseContract', 8_000, () => true, before);
    expect(call.body).toEqual({ accountId: acct.id, contractId: MNQ, size: 1 });
    const st = await statusOf(riskd, acct.id);
    expect(st.positions.map((p) => [p.contractId, p.symbol])).toEqual([[MNQ, 'MNQ']]);
  });
});

describe('commissions beside fees (§8.26)', () => {
  it('a riskd rebuilt from REST alone (Trade/search has no commissions) shows the same net P&L as the stream-built one', async () => {
    expect(streamNet).toBe(-221.48);
    const acct = fleet.account('rows');
    const sim = env.sim;
    // The stream-built riskd kept the stream's commissions with its fills.
    expect(riskd.readStore((s) => s.fills.since(acct.id, 0).map((f) => f.commissions))).toEqual([0.25, 0.25, 0.25, 0.25]);
    const before = sim.requests.lastSeq();
    const fresh = await startRiskd({ sim, accountName: acct.name, risk: CASES().rows });
    try {
      const st = await statusOf(fresh, acct.id);
      expect(st.realized).toBe(streamNet);
      expect(st.consecutiveLosses).toBe(1);
      expect(st.entriesToday).toBe(2);
      expect(fresh.readStore((s) => s.fills.since(acct.id, 0).map((f) => f.commissions))).toEqual([null, null, null, null]);
      expect(callsFor(acct.id, before).filter((c) => c.startsWith('Trade/search'))).toHaveLength(1);
    } finally {
      await fresh.dispose();
    }
  }, 60_000);
});
