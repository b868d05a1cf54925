import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient, type HubStatus } from '../../src/gateway/hubs.ts';
import type { GatewayEvent } from '../../src/gateway/models.ts';
import type { ParseFailure } from '../../src/gateway/parse/failure.ts';
import { P } from './fixtures/payloads.ts';
import { startFakeHubServer, type FakeHubServer } from './fakeHubServer.ts';

let server: FakeHubServer;
let client: HubClient | undefined;

beforeEach(async () => {
  server = await startFakeHubServer();
});
afterEach(async () => {
  await client?.stop();
  client = undefined;
  await server.close();
});

async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function make(extra: Partial<ConstructorParameters<typeof HubClient>[0]> = {}) {
  const events: GatewayEvent[] = [];
  const failures: ParseFailure[] = [];
  const statuses: HubStatus[] = [];
  let token = 'jwt-1';
  const tokens = { current: () => token, relogin: async () => (token = 'jwt-2') };
  client = new HubClient({
    userHubUrl: `${server.url}/hubs/user`, marketHubUrl: `${server.url}/hubs/market`, tokens, accountIds: [11, 22],
    onEvent: (e) => events.push(e), onParseFailure: (f) => failures.push(f), onStatus: (s) => statuses.push(s),
    reconnectDelaysMs: [0, 50], ...extra,
  });
  return { client, events, failures, statuses };
}

const subs = (hub: string) => server.invocations.filter((i) => i.hub === hub).map((i) => `${i.target}(${i.args.join(',')})`);

describe('HubClient against a SignalR JSON-protocol server', () => {
  it('connects with the token in the Authorization header (not the URL) and subscribes every account', async () => {
    const { client } = make();
    await client.setQuoteContracts(['CON.F.US.MNQ.Z25']);
    await client.start();
    expect(subs('user')).toEqual(['SubscribeAccounts()', 'SubscribeOrders(11)', 'SubscribePositions(11)', 'SubscribeTrades(11)', 'SubscribeOrders(22)', 'SubscribePositions(22)', 'SubscribeTrades(22)']);
    expect(subs('market')).toEqual(['SubscribeContractQuotes(CON.F.US.MNQ.Z25)']);
    for (const u of server.upgrades) {
      expect(u.authorization).toBe('Bearer jwt-1');
      expect(u.path).not.toMatch(/access_token|jwt/);
    }
    expect(client.status().user.state).toBe('connected');
  });

  it('sends every user-hub subscription without waiting for the previous one to complete (one round trip)', async () => {
    const { client } = make();
    server.holdCompletions = true;
    const started = client.start();
    // All 7 arrive while the server has answered none of them; a one-at-a-time client would stop after the first.
    await until(() => subs('user').length === 7, 'all user-hub subscriptions sent before any completion');
    expect(subs('user')).toEqual(['SubscribeAccounts()', 'SubscribeOrders(11)', 'SubscribePositions(11)', 'SubscribeTrades(11)', 'SubscribeOrders(22)', 'SubscribePositions(22)', 'SubscribeTrades(22)']);
    server.releaseCompletions();
    await started;
    expect(client.status().user.state).toBe('connected');
  });

  it('delivers every event type typed, with envelopes or bare', async () => {
    const { client, events } = make();
    await client.start();
    server.send('user', 'GatewayUserAccount', P.hubAccountEnvelope);
    server.send('user', 'GatewayUserOrder', P.hubOrderEntryFilled);
    server.send('user', 'GatewayUserPosition', P.hubPositionClosed);
    server.send('user', 'GatewayUserTrade', P.hubTradeBare);
    server.send('market', 'GatewayQuote', 'CON.F.US.MNQ.U26', P.quoteSparse);
    await until(() => events.length === 5, 'five events');
    expect(events.map((e) => e.kind).sort()).toEqual(['account', 'order', 'position', 'quote', 'trade']);
    expect(events.find((e) => e.kind === 'position')).toMatchObject({ action: 2, position: { size: 0 } });
    expect(client.status().user.lastEventAt).not.toBeNull();
  });

  it('counts and skips malformed frames, and keeps processing', async () => {
    const { client, events, failures } = make();
    await client.start();
    server.send('user', 'GatewayUserOrder', { action: 1, data: { id: 'nope' } });
    server.send('market', 'GatewayQuote', 'C', { bestBid: 'abc' });
    server.send('user', 'GatewayUserOrder', P.hubOrderRejected);
    await until(() => events.length === 1 && failures.length === 2, 'one event and two failures');
    expect(client.parseFailureStats()).toEqual({ total: 2, byEvent: { GatewayUserOrder: 1, GatewayQuote: 1 } });
  });

  it('setQuoteContracts subscribes and unsubscribes only the difference', async () => {
    const { client } = make();
    await client.setQuoteContracts(['A', 'B']);
    await client.start();
    await client.setQuoteContracts(['B', 'C']);
    expect(subs('market')).toEqual(['SubscribeContractQuotes(A)', 'SubscribeContractQuotes(B)', 'SubscribeContractQuotes(C)', 'UnsubscribeContractQuotes(A)']);
  });

  it('re-subscribes everything after a drop (automatic reconnect)', async () => {
    const { client, statuses } = make();
    await client.setQuoteContracts(['A']);
    await client.start();
    server.invocations.length = 0;
    server.drop('user');
    server.drop('market');
    await until(() => subs('user').length === 7 && subs('market').length === 1, 're-subscription');
    expect(subs('market')).toEqual(['SubscribeContractQuotes(A)']);
    expect(statuses.some((s) => s.hub === 'user' && s.state === 'reconnecting')).toBe(true);
    await until(() => client.status().user.state === 'connected', 'connected');
    expect(client.status().user.reconnects).toBe(1);
  });

  it('restarts the connection itself after the library gives up', async () => {
    const { client } = make({ maxReconnectAttempts: 1 });
    await client.start();
    server.invocations.length = 0;
    server.refuse = true;
    server.drop('user');
    await until(() => client.status().user.state === 'disconnected', 'library gave up');
    server.refuse = false;
    await until(() => subs('user').length === 7 && client.status().user.state === 'connected', 'self restart');
    expect(client.status().user.restarts).toBeGreaterThanOrEqual(1);
  });

  it('GatewayLogout -> fresh login, reconnect with the new token, re-subscribe', async () => {
    const { client } = make();
    await client.start();
    server.invocations.length = 0;
    server.send('user', 'GatewayLogout', { reason: 'x' });
    await until(() => subs('user').length === 7, 're-subscription after logout');
    expect(server.upgrades.at(-1)!.authorization).toBe('Bearer jwt-2');
  });

  it('market watchdog restarts a silent market hub only while the market is open', async () => {
    let open = false;
    const { client } = make({ isMarketOpen: () => open, marketSilenceMs: 50, watchdogEveryMs: 10 });
    await client.setQuoteContracts(['A']);
    await client.start();
    await new Promise((r) => setTimeout(r, 120));
    expect(client.status().market.restarts).toBe(0);
    open = true;
    await until(() => client.status().market.restarts >= 1, 'watchdog restart');
    await until(() => client.status().market.state === 'connected' && subs('market').filter((s) => s === 'SubscribeContractQuotes(A)').length >= 2, 'resubscribed');
  });
});

describe('market watchdog back-off', () => {
  it('a restart that brings no quote doubles the silence allowed before the next one; a quote resets it', async () => {
    const { client } = make({ isMarketOpen: () => true, marketSilenceMs: 50, maxMarketSilenceMs: 1_600, watchdogEveryMs: 5 });
    await client.setQuoteContracts(['A']);
    await client.start();
    // A silent market for 800 ms: restarts after ~50, 150, 350 and 750 ms, not every 50 ms (16). The status counts
    // each watchdog restart twice (the drop, then the reconnect).
    await new Promise((r) => setTimeout(r, 800));
    const restarts = client.status().market.restarts / 2;
    expect(restarts).toBeGreaterThanOrEqual(2);
    expect(restarts).toBeLessThanOrEqual(5);
    // A quote puts the allowance back to 50 ms: the next silence restarts well before the 800 ms it had grown to.
    await until(() => client.status().market.state === 'connected', 'market hub up');
    const before = client.status().market.restarts;
    server.send('market', 'GatewayQuote', 'A', { symbol: 'A', lastPrice: 1 });
    const t0 = Date.now();
    await until(() => client.status().market.restarts > before, 'restart after the next silence', 2_000);
    expect(Date.now() - t0).toBeLessThan(600);
  });
});

describe('HubClient edge cases', () => {
  it('concurrent setQuoteContracts calls never double-subscribe', async () => {
    const { client } = make();
    await client.start();
    await Promise.all([client.setQuoteContracts(['A', 'B']), client.setQuoteContracts(['A', 'B'])]);
    await Promise.all([client.setQuoteContracts(['B', 'C']), client.setQuoteContracts(['C'])]);
    // The last call is the desired set; every contract is (un)subscribed exactly once on the way there.
    expect(subs('market')).toEqual(['SubscribeContractQuotes(A)', 'SubscribeContractQuotes(B)', 'SubscribeContractQuotes(C)', 'UnsubscribeContractQuotes(A)', 'UnsubscribeContractQuotes(B)']);
    expect(client.quoteContracts()).toEqual(['C']);
  });

  it('a hub that is down at boot keeps retrying in the background', async () => {
    server.refuse = true;
    const { client } = make();
    await expect(client.start()).rejects.toThrow();
    server.refuse = false;
    await until(() => client.status().user.state === 'connected' && client.status().market.state === 'connected', 'background start');
    await until(() => subs('user').length === 7, 'subscribed after the late start');
  });
});

describe('HubClient token refusal', () => {
  it('a 401 on reconnect triggers one fresh login and the next attempt uses the new token', async () => {
    const { client } = make();
    await client.start();
    server.invocations.length = 0;
    server.acceptAuth = (auth) => auth !== 'Bearer jwt-1'; // the session behind jwt-1 was revoked
    server.drop('user');
    await until(() => subs('user').length === 7 && client.status().user.state === 'connected', 'reconnected with a new token');
    expect(server.upgrades.at(-1)!.authorization).toBe('Bearer jwt-2');
  });
});
