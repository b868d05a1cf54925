// The daemon in-process against the simulator: what riskd's own enforcement left on the gateway is answered by
// the account machine, by the one route (machine intent -> supervisor.onIntents -> executor), never by the executor
// on its own: the stop riskd placed (RULE-012) is cancelled when the trader closes its position, and on a live
// account (it refuses Order/cancel) an order riskd wanted cancelled is closed out when it fills.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, DEMO_ACCOUNTS, type Simulator } from '../../src/sim/index.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log/logger.ts';
import { Daemon } from '../../src/runtime/daemon.ts';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { openStoreReadOnly } from '../../src/store/index.ts';
import { statusSnapshot } from '../../src/control/statusSnapshot.ts';
import { offlineStatus } from '../../src/control/offlineStatus.ts';
import { renderLiveStatus, renderOfflineStatus } from '../../src/control/statusText.ts';

const PRAC = DEMO_ACCOUNTS[0]!.id; // simulated: true
const LIVE = DEMO_ACCOUNTS[1]!.id; // simulated: false: refuses Order/cancel
const MNQ = 'CON.F.US.MNQ.Z26';

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const RISK = `rules:
  auth_loss_guard: { enabled: true }
  trade_management: { enabled: true, breakeven: { trigger_ticks: 8, offset_ticks: 1 }, trailing: { activation_ticks: 400, distance_ticks: 8 } }
`;

describe("riskd's own orders, answered by the account machine", () => {
  let sim: Simulator;
  let daemon: Daemon;
  let start: () => Promise<Daemon>;
  let dataDir: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'riskd-own-'));
    writeFileSync(join(dir, 'risk.yaml'), RISK);
    writeFileSync(join(dir, 'accounts.yaml'), simAccountsYaml(sim, { apiKey: '${KEY}' }));
    const config = loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env: { KEY: sim.credentials.apiKey } });
    dataDir = join(dir, 'data');
    start = () => Daemon.start({ config, dataDir, logger: createLogger({ terminal: false }), tickMs: 500 });
    daemon = await start();
  });

  afterAll(async () => {
    await daemon?.stop();
    await sim?.close();
  });

  const context = (accountId: number) => daemon.supervisor.get(accountId)!.actor.getSnapshot().context;
  const rows = (accountId: number) => daemon.store.enforcement.list({ limit: 100 }).filter((r) => r.accountId === accountId).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));

  it('cancels the protective stop riskd placed once the trader closes its position', async () => {
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    expect(sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 2 }).success).toBe(true);
    await until('the position in the ledger', () => daemon.registry.get(PRAC)?.position(MNQ)?.size === 2);
    sim.market.setQuote(MNQ, { bid: 20002.25, ask: 20002.5 }); // +8 ticks: riskd places a stop at breakeven
    const stopOf = () => daemon.registry.get(PRAC)?.workingOrders().find((o) => o.contractId === MNQ && o.type === OrderType.Stop);
    await until('riskd placed its stop', () => stopOf() !== undefined);
    const stopId = stopOf()!.id;
    await until('the machine remembers it', () => context(PRAC).ownStops[MNQ] === stopId);

    const seen = sim.requests.lastSeq();
    expect(sim.trader.closeContract(PRAC, MNQ).success).toBe(true);
    const cancel = await sim.requests.waitForRequest((r) => r.path === '/api/Order/cancel', 10_000, { afterSeq: seen });
    expect(cancel.body).toMatchObject({ accountId: PRAC, orderId: stopId });
    await until('the stop is gone', () => stopOf() === undefined);
    expect(rows(PRAC).filter((r) => r.endpoint === 'Order/cancel')).toMatchObject([
      { rule: 'RULE-012', status: 'confirmed', reason: `Position closed: cancelling the protective stop ${stopId} riskd placed, so it cannot open a new position` },
    ]);
    expect(context(PRAC).ownStops).toEqual({});
  });

  it('on a live account, closes the position an order opens when riskd could not cancel it', async () => {
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    const placed = sim.trader.placeOrder({ accountId: LIVE, contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1, limitPrice: 19990 });
    expect(placed.success).toBe(true);
    await until('the order in the ledger', () => daemon.registry.get(LIVE)?.workingOrders().some((o) => o.id === placed.orderId) === true);
    // The broker stops trading: RULE-010 locks and flattens; Order/cancel is refused on a live account.
    sim.control.setCanTrade(LIVE, false);
    await until('the machine watches the order', () => context(LIVE).fillWatches[String(placed.orderId)] !== undefined);
    expect(rows(LIVE).map((r) => [r.endpoint, r.status])).toEqual([['Order/cancel', 'failed']]);
    // Trading is back: the lock ends, so no kill switch would close a new position. The watch still does.
    sim.control.setCanTrade(LIVE, true);
    await until('the account unlocked', () => daemon.supervisor.get(LIVE)!.actor.getSnapshot().matches({ lockout: 'unlocked' }));

    const seen = sim.requests.lastSeq();
    sim.market.setPrice(MNQ, 19988); // the limit fills
    const close = await sim.requests.waitForRequest((r) => r.path === '/api/Position/closeContract', 10_000, { afterSeq: seen });
    expect(close.body).toMatchObject({ accountId: LIVE, contractId: MNQ });
    await until('the position closed', () => daemon.registry.get(LIVE)?.position(MNQ) === undefined);
    const closes = rows(LIVE).filter((r) => r.endpoint === 'Position/closeContract');
    expect(closes).toHaveLength(1);
    expect(closes[0]).toMatchObject({ rule: 'RULE-010', status: 'confirmed' });
    expect(closes[0]!.reason).toContain(`Order ${placed.orderId} filled on an account that refuses cancels; closing the position it opened`);
    await until('the watch ended with the order', () => Object.keys(context(LIVE).fillWatches).length === 0);
  });

  it('the watch is in the persisted snapshot: after a restart the fill is still closed', async () => {
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    const placed = sim.trader.placeOrder({ accountId: LIVE, contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1, limitPrice: 19980 });
    expect(placed.success).toBe(true);
    await until('the order in the ledger', () => daemon.registry.get(LIVE)?.workingOrders().some((o) => o.id === placed.orderId) === true);
    // The account is known to refuse cancels by now: the flatten watches the order without trying (no request).
    const beforeLock = sim.requests.lastSeq();
    sim.control.setCanTrade(LIVE, false);
    await until('the machine watches the order', () => context(LIVE).fillWatches[String(placed.orderId)] !== undefined);
    expect(sim.requests.filter((r) => r.seq > beforeLock && r.path === '/api/Order/cancel')).toEqual([]);
    sim.control.setCanTrade(LIVE, true);
    await until('the account unlocked', () => daemon.supervisor.get(LIVE)!.actor.getSnapshot().matches({ lockout: 'unlocked' }));

    await daemon.stop(); // a new process: the machine's snapshot and the stored refusals come back
    const refuses = 'refuses cancels: riskd closes what an order it could not cancel fills';
    const offline = openStoreReadOnly(join(dataDir, 'state.db'));
    try {
      const down = offlineStatus(offline);
      expect(down.accounts.find((a) => a.id === LIVE)!.gatewayRefuses).toEqual([refuses]);
      expect(renderOfflineStatus(down)).toContain(`broker       ${refuses}`);
    } finally {
      offline.close();
    }
    daemon = await start();
    expect(context(LIVE).fillWatches[String(placed.orderId)]).toMatchObject({ rule: 'RULE-010' });
    expect(daemon.executor.accountRefusals(LIVE)).toEqual({ cancel: true, partialClose: false });
    const live = statusSnapshot(daemon);
    expect(live.accounts.find((a) => a.id === LIVE)!.gatewayRefuses).toEqual([refuses]);
    expect(live.accounts.find((a) => a.id === PRAC)!.gatewayRefuses).toEqual([]);
    expect(renderLiveStatus(live)).toContain(`broker ${refuses}`);
    const seen = sim.requests.lastSeq();
    sim.market.setPrice(MNQ, 19978); // the limit fills
    const close = await sim.requests.waitForRequest((r) => r.path === '/api/Position/closeContract', 10_000, { afterSeq: seen });
    expect(close.body).toMatchObject({ accountId: LIVE, contractId: MNQ });
    await until('the position closed', () => daemon.registry.get(LIVE)?.position(MNQ) === undefined);
    const last = rows(LIVE).filter((r) => r.endpoint === 'Position/closeContract').at(-1)!;
    expect(last.reason).toContain(`Order ${placed.orderId} filled on an account that refuses cancels`);
  });
});
