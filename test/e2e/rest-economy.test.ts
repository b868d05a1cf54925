// E2E, the real riskd process against the simulator with its rate limiter at the real 200 / 60 s (issue 14):
// REST requests per enforced breach (1 with a healthy hub: the close itself) and a revenge burst while locked
// (a new position every 500 ms for 20 s), every close within 1 s of its position event and no 429.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { MES, MNQ, observe, positionSize, quoteSeen, startE2ESim, trader, waitFor, workingOrders, type E2ESim } from './support/sim.ts';
import { accountRequests, byEndpoint, revengeBurst } from './support/burst.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

const CASES = () => ({
  breach: { rules: { max_contracts: { enabled: true, limit: 1, action: 'close_all' } } },
  locked: { rules: { daily_realized_loss: { enabled: true, limit: 20, include_fees: false } } },
  silentClose: { rules: { max_contracts_per_instrument: { enabled: true, limits: { MNQ: 1 }, default_limit: 5, action: 'close_position' } } },
  silentFlatten: { rules: { max_contracts: { enabled: true, limit: 1, action: 'close_all' } } },
  lockedCancel: { rules: { daily_realized_loss: { enabled: true, limit: 20, include_fees: false } } },
  silentCancel: { rules: { daily_realized_loss: { enabled: true, limit: 20, include_fees: false } } },
});

beforeAll(async () => {
  env = await startE2ESim('rest-economy', 6);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

describe('REST economy', () => {
  it('RULE-001 breached 20 times, 300 ms apart: one request per breach (the close), every close within 1 s, no 429', async () => {
    const acct = fleet.account('breach');
    const r = await revengeBurst(env.sim, acct.id, MES, { everyMs: 300, durationMs: 6000, size: 2 });
    const closes = r.requests.filter((x) => x.path === '/api/Position/closeContract').length;
    const detail = JSON.stringify({ byEndpoint: byEndpoint(r.requests), lags: r.closeLagMs });
    console.log(`[rest-economy] ${r.positions} breaches (${r.opened} buys): ${r.requests.length} requests ${detail}`);
    expect(r.rateLimited, detail).toEqual([]);
    expect(r.unanswered, detail).toBe(0);
    // One close per breach (a position opened from flat; a buy that only grows the position riskd is closing is
    // closed by that same close), and nothing else: no read at all.
    expect(closes, detail).toBe(r.positions);
    expect(r.requests.length, detail).toBe(r.positions);
    expect(Math.max(...r.closeLagMs), detail).toBeLessThan(1000);
  });

  it('revenge burst while locked: a new position every 500 ms for 20 s, each closed within 1 s, no 429', async () => {
    const acct = fleet.account('locked');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.buy(MNQ, 1);
    sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
    t.close(MNQ); // -$20: RULE-003 locks the account until the reset
    await waitFor('the until_reset lock', () => riskd.readStore((s) => s.locks.active(acct.id)).find((l) => l.kind === 'until_reset'));
    const r = await revengeBurst(sim, acct.id, MNQ, { everyMs: 500, durationMs: 20_000 });
    const detail = JSON.stringify({ byEndpoint: byEndpoint(r.requests), lags: r.closeLagMs });
    console.log(`[rest-economy] locked burst: ${r.positions} positions (${r.opened} buys), ${r.requests.length} requests ${detail}`);
    expect(r.rateLimited, detail).toEqual([]);
    expect(r.unanswered, detail).toBe(0);
    expect(Math.max(...r.closeLagMs), detail).toBeLessThan(1000);
    // One close per position and nothing else: the kill switch's cancel of the market order that opened it waits
    // for the fill (milliseconds) instead of racing it, or finds it filled already (a read's order updates are
    // judged after its trade: readOrder.ts), and costs no request.
    expect(r.requests.filter((x) => x.path !== '/api/Position/closeContract'), detail).toEqual([]);
    expect(r.requests.length, detail).toBe(r.positions);
    const cancels = riskd.readStore((st) => st.enforcement.list({ accountId: acct.id })).filter((x) => x.endpoint === 'Order/cancel' && x.triggerAt >= r.startedAt);
    expect(cancels.length, detail).toBeGreaterThan(0);
    for (const c of cancels) expect(c, detail).toMatchObject({ status: 'skipped', outcome: expect.stringMatching(/^(not sent: market order \d+ filled before a cancel was needed|nothing to do: order \d+ is filled \(its 1 contract fill\(s\) arrived before its status\))/) });
  }, 60_000);

  // The hub drops everything after the breach's own events: the close's confirmation never arrives, so riskd
  // checks once over REST (Position/searchOpen shows the position flat) and that one answer updates its ledger:
  // the close and the check, nothing else (no second reconcile of the account).
  for (const [name, contract] of [['silentClose', MNQ], ['silentFlatten', MES]] as const) {
    it(`${name}: a breach whose confirmation the hub drops costs exactly 2 requests (the close and one check)`, async () => {
      const acct = fleet.account(name);
      const sim = env.sim;
      const seq0 = sim.requests.lastSeq();
      trader(sim, acct.id).buy(contract, 2); // its order, fill and position frames are on the wire when this returns
      sim.control.hubFaults({ drop: 1 });
      try {
        await waitFor('the close', () => accountRequests(sim, acct.id, seq0).some((r) => r.path === '/api/Position/closeContract'));
        const row = await waitFor('the close reconciled by its check', () =>
          riskd.readStore((s) => s.enforcement.list({ accountId: acct.id })).find((r) => r.endpoint === 'Position/closeContract' && r.status !== 'pending' && r.status !== 'sent'),
        );
        expect(row.status, row.outcome ?? '').toBe('reconciled');
        await observe(3000); // anything riskd would still read after the check
      } finally {
        sim.control.hubFaults({});
      }
      const requests = accountRequests(sim, acct.id, seq0);
      const detail = JSON.stringify(byEndpoint(requests));
      console.log(`[rest-economy] ${name}, hub confirmation dropped: ${requests.length} requests ${detail}`);
      expect(requests.map((r) => r.path), detail).toEqual(['/api/Position/closeContract', '/api/Position/searchOpen']);
      expect(positionSize(sim, acct.id, contract)).toBe(0);
    }, 30_000);
  }

  // The kill switch cancels a new working order while the account is locked (RULE-003 until the reset). With a
  // healthy hub the order's Cancelled event confirms it: the cancel is the only request. With the confirmation
  // dropped, riskd checks once (Order/v2/query shows the order gone) and that answer updates its ledger as an
  // orders-only snapshot: the cancel and the check, no reconcile of the account after it.
  for (const [name, dropped] of [['lockedCancel', false], ['silentCancel', true]] as const) {
    it(`${name}: the kill switch's cancel of a new order costs ${dropped ? 'exactly 2 requests when its confirmation is dropped' : '1 request with a healthy hub'}`, async () => {
      const acct = fleet.account(name);
      const sim = env.sim;
      const t = trader(sim, acct.id);
      sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
      t.buy(MNQ, 1);
      // A quote riskd receives: the drop below silences the market hub too, and 15 s without a quote would have
      // riskd restart the hub and reconcile every account (a cost of the test's outage, not of the cancel).
      await quoteSeen(sim, MNQ, { bid: 19990.25, ask: 19990.5 });
      t.close(MNQ); // -$20: RULE-003 locks the account until the reset
      await waitFor('the until_reset lock', () => riskd.readStore((s) => s.locks.active(acct.id)).find((l) => l.kind === 'until_reset'));
      await observe(500); // whatever the lock itself costs is not the cancel's
      const seq0 = sim.requests.lastSeq();
      const order = t.restingBuy(MES, 1); // its frame is on the wire when this returns
      if (dropped) sim.control.hubFaults({ drop: 1 });
      try {
        await waitFor('the cancel', () => accountRequests(sim, acct.id, seq0).some((r) => r.path === '/api/Order/cancel'));
        const row = await waitFor('the cancel settled', () =>
          riskd
            .readStore((s) => s.enforcement.list({ accountId: acct.id }))
            .find((r) => r.endpoint === 'Order/cancel' && JSON.parse(r.intent).orderId === order && r.status !== 'pending' && r.status !== 'sent'),
        );
        expect(row.status, row.outcome ?? '').toBe(dropped ? 'reconciled' : 'confirmed');
        await observe(3000); // anything riskd would still read after the check
      } finally {
        sim.control.hubFaults({});
      }
      const requests = accountRequests(sim, acct.id, seq0);
      const detail = JSON.stringify(byEndpoint(requests));
      console.log(`[rest-economy] ${name}, cancel ${dropped ? 'with its confirmation dropped' : 'confirmed by the hub'}: ${requests.length} requests ${detail}`);
      expect(requests.map((r) => r.path), detail).toEqual(dropped ? ['/api/Order/cancel', '/api/Order/v2/query'] : ['/api/Order/cancel']);
      expect(workingOrders(sim, acct.id).filter((o) => o['id'] === order)).toEqual([]);
      // riskd's ledger (persisted) knows it is gone: the check's answer was applied, not only read.
      expect(riskd.readStore((s) => s.orders.working(acct.id)).map((o) => o.id)).not.toContain(order);
    }, 30_000);
  }
});
