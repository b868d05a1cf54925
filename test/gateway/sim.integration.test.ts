// The gateway client against the real simulator over real sockets (REST + SignalR JSON hubs).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { TokenManager } from '../../src/gateway/auth.ts';
import { ProjectXRest } from '../../src/gateway/rest.ts';
import { HubClient } from '../../src/gateway/hubs.ts';
import { RateBudget } from '../../src/gateway/rateBudget.ts';
import { createGatewayStack, type GatewayStack } from '../../src/gateway/gateway.ts';
import { GatewayTimeoutError } from '../../src/gateway/errors.ts';
import type { GatewayEvent } from '../../src/gateway/models.ts';
import type { ParseFailure } from '../../src/gateway/parse/failure.ts';

const ACCT = 13572468;
let sim: Simulator;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  sim = await startSimulator({ seed: 7 });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await sim.close();
});

async function until(cond: () => boolean, what: string, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function restStack(extra: { budget?: RateBudget; fetch?: typeof fetch; timeoutMs?: number } = {}) {
  const budget = extra.budget ?? new RateBudget();
  const tokens = new TokenManager({ baseUrl: sim.url, ...sim.credentials, budget, fetch: extra.fetch, autoRefresh: false });
  const rest = new ProjectXRest({ baseUrl: sim.url, tokens, budget, fetch: extra.fetch, timeoutMs: extra.timeoutMs, readRetryDelaysMs: [10, 20] });
  cleanups.push(() => tokens.stop());
  return { tokens, rest, budget };
}

function hubClient(tokens: TokenManager, extra: Partial<ConstructorParameters<typeof HubClient>[0]> = {}) {
  const events: GatewayEvent[] = [];
  const failures: ParseFailure[] = [];
  const hubs = new HubClient({
    userHubUrl: sim.userHubUrl, marketHubUrl: sim.marketHubUrl, tokens, accountIds: [ACCT],
    onEvent: (e) => events.push(e), onParseFailure: (f) => failures.push(f), reconnectDelaysMs: [0, 100], ...extra,
  });
  cleanups.push(() => hubs.stop());
  return { hubs, events, failures };
}

const mnq = () => sim.contracts().find((c) => c.id.includes('MNQ'))!.id;

describe('gateway client against the simulator', () => {
  it('logs in, reads accounts, contracts, positions, working orders and trades (typed)', async () => {
    const { tokens, rest } = restStack();
    await tokens.login();
    const accounts = await rest.searchAccounts(true);
    expect(accounts.map((a) => a.id)).toContain(ACCT);
    const contract = await rest.contractById(mnq());
    expect(contract.tickSize).toBeGreaterThan(0);
    sim.trader.placeOrder({ accountId: ACCT, contractId: contract.id, type: 2, side: 0, size: 1, stopLossBracket: { ticks: -20, type: 4 } });
    expect(await rest.searchOpenPositions(ACCT)).toMatchObject([{ contractId: contract.id, size: 1, type: 1 }]);
    const working = await rest.queryWorkingOrders(ACCT);
    expect(working.length).toBeGreaterThanOrEqual(1);
    expect(working.every((o) => [1, 6, 7, 8].includes(o.status))).toBe(true);
    const trades = await rest.searchTrades(ACCT, Date.now() - 3_600_000);
    expect(trades[0]).toMatchObject({ accountId: ACCT, size: 1, profitAndLoss: null });
    for (const r of sim.requests.entries) expect(r.path).not.toMatch(/token/i);
  });

  it('subscribes and delivers every user event type and quotes, typed', async () => {
    const { tokens } = restStack();
    await tokens.login();
    const { hubs, events } = hubClient(tokens);
    await hubs.setQuoteContracts([mnq()]);
    await hubs.start();
    const price = sim.market.quote(mnq()).last ?? sim.market.quote(mnq()).bid;
    sim.trader.placeOrder({ accountId: ACCT, contractId: mnq(), type: 2, side: 0, size: 1 });
    sim.trader.closeContract(ACCT, mnq());
    sim.market.setPrice(mnq(), price + 1);
    await until(() => new Set(events.map((e) => e.kind)).size === 5, 'all five kinds');
    const order = events.find((e) => e.kind === 'order');
    expect(order).toMatchObject({ source: 'hub', order: { accountId: ACCT, contractId: mnq() } });
    expect(typeof (order as { order: { updateTimestamp: number } }).order.updateTimestamp).toBe('number');
    expect(events.some((e) => e.kind === 'position' && e.position.size === 0)).toBe(true);
    expect(events.find((e) => e.kind === 'quote')).toMatchObject({ quote: { contractId: mnq() } });
  });

  it('re-subscribes after dropHubs and keeps receiving events', async () => {
    const { tokens } = restStack();
    await tokens.login();
    const { hubs, events } = hubClient(tokens);
    await hubs.setQuoteContracts([mnq()]);
    await hubs.start();
    sim.control.dropHubs('both');
    await until(() => hubs.status().user.reconnects >= 1 && hubs.status().user.state === 'connected' && hubs.status().market.state === 'connected', 'reconnect');
    await until(() => hubs.user.isSubscribed() && hubs.market.isSubscribed(), 'resubscribed');
    events.length = 0;
    sim.trader.placeOrder({ accountId: ACCT, contractId: mnq(), type: 2, side: 0, size: 1 });
    sim.market.setPrice(mnq(), sim.market.quote(mnq()).bid + 2);
    await until(() => events.some((e) => e.kind === 'order') && events.some((e) => e.kind === 'quote'), 'events after reconnect');
  });

  it('expired session: hub reconnects are refused until a fresh login, then re-subscribe', async () => {
    const { tokens } = restStack();
    const first = await tokens.login();
    const { hubs, events } = hubClient(tokens);
    await hubs.start();
    sim.control.expireTokens();
    sim.control.dropHubs('user');
    await until(() => tokens.current() !== first && hubs.status().user.state === 'connected' && hubs.user.isSubscribed(), 'reconnect with a new token', 15_000);
    sim.trader.placeOrder({ accountId: ACCT, contractId: mnq(), type: 2, side: 0, size: 1 });
    await until(() => events.some((e) => e.kind === 'order'), 'events with the new session');
  });

  it('malformed frames are counted and skipped; processing continues', async () => {
    const { tokens } = restStack();
    await tokens.login();
    const { hubs, events, failures } = hubClient(tokens);
    await hubs.start();
    sim.control.sendRawUserFrame('GatewayUserOrder', { action: 1, data: { id: 'not-a-number' } });
    sim.control.sendRawUserFrame('GatewayUserPosition', 'garbage');
    sim.trader.placeOrder({ accountId: ACCT, contractId: mnq(), type: 2, side: 0, size: 1 });
    await until(() => failures.length === 2 && events.some((e) => e.kind === 'order'), 'failures and a good event');
    expect(hubs.parseFailureStats()).toEqual({ total: 2, byEvent: { GatewayUserOrder: 1, GatewayUserPosition: 1 } });
    expect(hubs.status().user.state).toBe('connected');
  });

  it('expired token: the REST call gets 401, logs in exactly once more, and succeeds', async () => {
    const { tokens, rest } = restStack();
    await tokens.login();
    await rest.searchAccounts(true);
    sim.control.expireTokens();
    const seq = sim.requests.lastSeq();
    expect((await rest.searchOpenPositions(ACCT))).toEqual([]);
    const after = sim.requests.entries.filter((r) => r.seq > seq).map((r) => `${r.path}:${r.status}`);
    expect(after).toEqual(['/api/Position/searchOpen:401', '/api/Auth/loginKey:200', '/api/Position/searchOpen:200']);
  });

  it('token refresh through Auth/validate rotates the token the hubs will use', async () => {
    const { tokens, rest } = restStack();
    const first = await tokens.login();
    const next = await tokens.refresh();
    expect(next).not.toBe(first);
    await rest.searchAccounts(true);
    expect(sim.requests.byPath('/api/Auth/validate').map((r) => r.status)).toEqual([200]);
  });

  it('rate budget: queued enforcement overtakes queued reconciliation', async () => {
    const budget = new RateBudget({ limit: 3, windowMs: 500, enforceReserve: 0 });
    const { tokens, rest } = restStack({ budget });
    await tokens.login();
    while (budget.stats().inWindow < 3) await budget.acquire('poll'); // window full: everything below queues
    const seq = sim.requests.lastSeq();
    const reads = Array.from({ length: 4 }, () => rest.searchOpenPositions(ACCT, { priority: 'reconcile' }));
    const enforce = rest.closeContract(ACCT, mnq(), { priority: 'enforce' }).catch(() => undefined); // no position: a GatewayError is fine
    await until(() => budget.stats().queued.enforce === 1 && budget.stats().queued.reconcile === 4, 'all five queued', 400);
    await Promise.all([...reads, enforce]);
    const order = sim.requests.entries.filter((r) => r.seq > seq).map((r) => r.path);
    expect(order).toEqual(['/api/Position/closeContract', ...Array(4).fill('/api/Position/searchOpen')]);
  });

  it('a mutation that times out is ambiguous and is sent exactly once', async () => {
    const { tokens, rest } = restStack({ timeoutMs: 200 });
    await tokens.login();
    sim.trader.placeOrder({ accountId: ACCT, contractId: mnq(), type: 2, side: 0, size: 1 });
    sim.control.restFaults({ rate: 1, kinds: ['timeout'], paths: ['/api/Position/closeContract'] });
    const err = await rest.closeContract(ACCT, mnq()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayTimeoutError);
    expect(err).toMatchObject({ ambiguous: true });
    sim.control.restFaults(null);
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.requests.byPath('/api/Position/closeContract')).toHaveLength(1);
  });

  it('falls back to Order/searchOpen when the gateway has no Order/v2/query', async () => {
    const noV2: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/api/Order/v2/query')) return new Response('', { status: 404 });
      return fetch(input, init);
    };
    const { tokens, rest } = restStack({ fetch: noV2 });
    await tokens.login();
    sim.trader.placeOrder({ accountId: ACCT, contractId: mnq(), type: 1, side: 0, size: 1, limitPrice: 1000 });
    const orders = await rest.queryWorkingOrders(ACCT);
    expect(orders).toHaveLength(1);
    expect(rest.usesSearchOpenFallback).toBe(true);
    await rest.queryWorkingOrders(ACCT);
    expect(sim.requests.byPath('/api/Order/searchOpen')).toHaveLength(2);
  });
});

describe('connection machine wired to the simulator', () => {
  let stack: GatewayStack;
  afterEach(async () => stack?.close());

  it('goes live, survives a hub drop by re-subscribing and re-reconciling, and a wrong key fails for good', async () => {
    let reconciles = 0;
    const events: GatewayEvent[] = [];
    stack = createGatewayStack({
      apiUrl: sim.url, userHubUrl: sim.userHubUrl, marketHubUrl: sim.marketHubUrl, ...sim.credentials, accountIds: [ACCT],
      onEvent: (e) => events.push(e),
      reconcile: async (rest) => {
        reconciles++;
        await rest.searchOpenPositions(ACCT);
      },
      reconnectDelaysMs: [0, 100], backoffBaseMs: 50, backoffCapMs: 200,
    });
    stack.connection.start();
    await stack.connection.waitUntilLive(10_000);
    expect(reconciles).toBe(1);
    expect(stack.connection.status()).toMatchObject({ state: 'live.steady', live: true, hubs: { user: { state: 'connected' } } });
    sim.control.dropHubs('both');
    await until(() => reconciles === 2 && stack.connection.status().live, 'second reconcile after the drop');
    sim.trader.placeOrder({ accountId: ACCT, contractId: mnq(), type: 2, side: 0, size: 1 });
    await until(() => events.some((e) => e.kind === 'position'), 'events after reconnect');

    const bad = createGatewayStack({
      apiUrl: sim.url, userHubUrl: sim.userHubUrl, marketHubUrl: sim.marketHubUrl, userName: sim.credentials.userName, apiKey: 'wrong',
      onEvent: () => {}, reconcile: async () => {}, backoffBaseMs: 10,
    });
    cleanups.push(() => bad.close());
    bad.connection.start();
    await expect(bad.connection.waitUntilLive(5_000)).rejects.toThrow(/login failed/);
    expect(bad.connection.status().state).toBe('failed');
  });
});
