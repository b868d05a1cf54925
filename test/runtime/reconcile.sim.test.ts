// Integration: the ledger fed by the real hub client and REST client from src/gateway, against the simulator,
// through a scripted session (entries, scale-in, partial and full exits, a bracket, a reconnect gap with trades
// the hubs never delivered). After every step the ledger must equal the simulator's own account state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { TokenManager } from '../../src/gateway/auth.ts';
import { ProjectXRest } from '../../src/gateway/rest.ts';
import { HubClient, type HubStatus } from '../../src/gateway/hubs.ts';
import { LedgerRegistry } from '../../src/ledger/registry.ts';
import type { Ledger } from '../../src/ledger/ledger.ts';
import { createRouter, type Router } from '../../src/runtime/router.ts';
import { reconcileAccount, reconcileAll, type ReconcileDeps } from '../../src/runtime/reconcile.ts';
import { createDegradedPoller } from '../../src/runtime/degradedPoller.ts';
import { collector, recordingLogger } from './routerFixtures.ts';

const ACC = 13572468;
const CT = { resetTime: '17:00', timezone: 'America/Chicago' };

let sim: Simulator;
let tokens: TokenManager;
let rest: ProjectXRest;
let hubs: HubClient;
let registry: LedgerRegistry;
let router: Router;
let ledger: Ledger;
let deps: ReconcileDeps;
let MNQ: string;
const statuses: HubStatus[] = [];
const col = collector();

async function until(cond: () => boolean, what: string, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const num = (v: unknown): number => Number(v);

/** The simulator's own truth, in the ledger's terms. */
function simTruth() {
  const positions = sim.state.positions(ACC).map((p) => [String(p.contractId), num(p.type) === 1 ? 'long' : 'short', num(p.size), num(p.averagePrice)]).sort();
  const working = sim.state.orders(ACC).filter((o) => [1, 6, 7, 8].includes(num(o.status))).map((o) => num(o.id)).sort((a, b) => a - b);
  const trades = sim.state.trades(ACC);
  const gross = trades.filter((t) => !t.voided && t.profitAndLoss !== null).reduce((s, t) => s + num(t.profitAndLoss), 0);
  const fees = trades.reduce((s, t) => s + num(t.fees), 0);
  const fillIds = trades.map((t) => num(t.id)).sort((a, b) => a - b);
  return { positions, working, fillIds, gross: Math.round(gross * 100) / 100, fees: Math.round(fees * 100) / 100 };
}

function ledgerState() {
  return {
    positions: ledger.positions().map((p) => [p.contractId, p.side, p.size, p.averagePrice]).sort(),
    working: ledger.workingOrders().map((o) => o.id).sort((a, b) => a - b),
    fillIds: ledger.fillsToday().map((f) => f.id).sort((a, b) => a - b),
    gross: ledger.realizedGrossToday(),
    fees: ledger.feesToday(),
  };
}

async function matchesSim(step: string): Promise<void> {
  try {
    await until(() => JSON.stringify(ledgerState()) === JSON.stringify(simTruth()), step);
  } catch {
    expect(ledgerState(), step).toEqual(simTruth());
  }
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 7 });
  MNQ = sim.contracts().find((c) => c.id.includes('.MNQ.'))!.id;
  tokens = new TokenManager({ baseUrl: sim.url, userName: sim.credentials.userName, apiKey: sim.credentials.apiKey, autoRefresh: false });
  rest = new ProjectXRest({ baseUrl: sim.url, tokens, readRetryDelaysMs: [20, 50] });
  const logger = recordingLogger();
  registry = new LedgerRegistry({ tradingDay: CT });
  ledger = registry.open(ACC, Date.now());
  router = createRouter({ registry, onChange: col.onChange, logger, fetchContract: (id) => rest.contractById(id) });
  deps = { rest, registry, router, logger, now: Date.now };
  hubs = new HubClient({
    userHubUrl: sim.userHubUrl, marketHubUrl: sim.marketHubUrl, tokens, accountIds: [ACC],
    onEvent: (e) => router.handle(e), onStatus: (s) => statuses.push(s), reconnectDelaysMs: [0, 50, 100],
  });
  await reconcileAll(deps); // on start: REST first, then the hubs
  await hubs.setQuoteContracts([MNQ]);
  await hubs.start();
});

afterAll(async () => {
  await hubs?.stop();
  await router?.idle();
  await sim?.close();
});

describe('ledger against the simulator', () => {
  it('follows a scripted session step by step, through a reconnect gap', async () => {
    expect(ledger.canTrade).toBe(true);
    await matchesSim('start: flat');

    // Entry: buy 1 at market.
    sim.trader.placeOrder({ accountId: ACC, contractId: MNQ, type: 2, side: 0, size: 1 });
    await matchesSim('entry');
    // Scale-in: buy 2 more after the market moved.
    sim.market.setPrice(MNQ, 25820);
    sim.trader.placeOrder({ accountId: ACC, contractId: MNQ, type: 2, side: 0, size: 2 });
    await matchesSim('scale-in');
    expect(ledger.openContractsTotal()).toBe(3);
    expect(ledger.countSince(0, 'entries')).toBe(2);

    // Unrealized through ticks at the simulator's bid, against the simulator's own average price.
    sim.market.setPrice(MNQ, 25830);
    const bid = sim.market.quote(MNQ).bid;
    await until(() => ledger.position(MNQ)?.mark === bid, 'quote at the ledger');
    const simPos = sim.state.positions(ACC)[0]!;
    const expected = Math.round((bid - num(simPos.averagePrice)) * num(simPos.size) * (0.5 / 0.25) * 100) / 100;
    expect(ledger.position(MNQ)!.unrealized).toBeCloseTo(expected, 2);

    // Partial exit: sell 1.
    sim.trader.placeOrder({ accountId: ACC, contractId: MNQ, type: 2, side: 1, size: 1 });
    await matchesSim('partial exit');
    expect(ledger.fillsToday().filter((f) => f.profitAndLoss !== null)).toHaveLength(1);

    // Full exit through the trader's close.
    sim.trader.closeContract(ACC, MNQ);
    await matchesSim('full exit');
    expect(ledger.positions()).toEqual([]);

    // Bracket entry: stop 20 ticks below, target 40 above; then the target is hit.
    const placed = sim.trader.placeOrder({
      accountId: ACC, contractId: MNQ, type: 2, side: 0, size: 1,
      stopLossBracket: { ticks: -20, type: 4 }, takeProfitBracket: { ticks: 40, type: 1 },
    });
    expect(placed.success).toBe(true);
    await matchesSim('bracket entry');
    const children = ledger.bracketChildren(placed.orderId);
    expect(children.length).toBe(2);
    sim.market.setPrice(MNQ, sim.market.quote(MNQ).last! + 15);
    await matchesSim('bracket target hit');

    // Reconnect gap: the user hub drops; the trader trades while riskd is blind.
    const changesBefore = col.changes.length;
    const reconnectsBefore = statuses.filter((s) => s.hub === 'user' && s.state === 'connected').length;
    sim.control.dropHubs('user');
    sim.trader.placeOrder({ accountId: ACC, contractId: MNQ, type: 2, side: 1, size: 2 }); // opens a short
    sim.trader.placeOrder({ accountId: ACC, contractId: MNQ, type: 1, side: 0, size: 1, limitPrice: 25000 }); // resting
    await until(() => statuses.filter((s) => s.hub === 'user' && s.state === 'connected').length > reconnectsBefore, 'user hub back');
    // Reconcile only once the new connection is subscribed: anything later reaches riskd over the hub.
    await hubs.ensureSubscribed();
    expect(ledgerState(), 'the gap really hid the trades from the hub').not.toEqual(simTruth());
    await reconcileAccount(deps, ACC);
    await matchesSim('after the gap, reconciled');
    const kinds = col.kinds().slice(changesBefore);
    expect(kinds).toContain('fill');
    expect(kinds).toContain('position:opened');
    expect(kinds).toContain('order:working');

    // And after reconciliation the hubs keep the ledger in step again.
    sim.trader.closeContract(ACC, MNQ);
    await matchesSim('close after the gap');
    const realized = simTruth();
    expect(ledger.realizedNetToday(true)).toBeCloseTo(realized.gross - realized.fees, 2);
  }, 30_000);

  it('attributes the fills of a close riskd requested to riskd (not counted as trader fills)', async () => {
    sim.trader.placeOrder({ accountId: ACC, contractId: MNQ, type: 2, side: 0, size: 1 });
    await matchesSim('trader entry');
    const traderFills = ledger.countSince(0, 'fills');
    const t = Date.now();
    router.markEnforcementPending(ACC, MNQ, t + 10_000, t);
    await rest.closeContract(ACC, MNQ, { priority: 'enforce' });
    await matchesSim('riskd close');
    const last = ledger.fillsToday().at(-1)!;
    expect(last.profitAndLoss).not.toBeNull();
    expect(last.byRiskd).toBe(true);
    expect(ledger.countSince(0, 'fills')).toBe(traderFills);
  });

  it('keeps the ledger in step over REST polling while the hubs are down', async () => {
    await hubs.stop();
    const poller = createDegradedPoller({
      accounts: () => registry.accountIds(),
      poll: (id) => reconcileAccount(deps, id, { priority: 'poll' }),
      logger: recordingLogger(),
      share: 1,
    });
    poller.start();
    try {
      sim.trader.placeOrder({ accountId: ACC, contractId: MNQ, type: 2, side: 0, size: 2 });
      sim.trader.placeOrder({ accountId: ACC, contractId: MNQ, type: 4, side: 1, size: 2, stopPrice: sim.market.quote(MNQ).bid - 10 });
      await matchesSim('polled while blind');
      expect(ledger.openContractsTotal()).toBe(2);
      sim.trader.closeContract(ACC, MNQ);
      await matchesSim('polled close');
    } finally {
      poller.stop();
    }
  }, 20_000);
});
