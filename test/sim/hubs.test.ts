// SignalR protocol behaviour of the simulator hubs, with the real @microsoft/signalr client and raw ws.
import { HubConnectionState, type HubConnection } from '@microsoft/signalr';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator, type Simulator, type SimOptions } from '../../src/sim/index.ts';
import { hub, login, MNQ, post, PRAC, Recorder } from './helpers.ts';

let sim: Simulator;
const open: HubConnection[] = [];
async function setup(o: SimOptions = {}): Promise<string> {
  sim = await startSimulator({ seed: 5, ...o });
  return login(sim);
}
function track(c: HubConnection): HubConnection {
  open.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.stop().catch(() => undefined)));
  await sim.close();
});

/** A raw WebSocket to a hub that collects every record received. */
function rawSocket(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; records: string[]; next: (n: number) => Promise<string[]> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    const records: string[] = [];
    const waiters: { n: number; resolve: (r: string[]) => void }[] = [];
    ws.on('message', (d) => {
      for (const r of String(d).split('\x1e')) if (r) records.push(r);
      for (const w of waiters.splice(0)) {
        if (records.length >= w.n) w.resolve(records.slice());
        else waiters.push(w);
      }
    });
    ws.on('open', () =>
      resolve({
        ws,
        records,
        next: (n) => (records.length >= n ? Promise.resolve(records.slice()) : new Promise((r) => waiters.push({ n, resolve: r }))),
      }),
    );
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('connecting', () => {
  it('works with skipNegotiation (Bearer header on the upgrade) and with negotiate', async () => {
    const token = await setup();
    const direct = track(hub(sim.userHubUrl, () => token));
    await direct.start();
    const negotiated = track(hub(sim.userHubUrl, () => token, { negotiate: true }));
    await negotiated.start();
    expect(direct.state).toBe(HubConnectionState.Connected);
    expect(negotiated.state).toBe(HubConnectionState.Connected);
    await negotiated.invoke('SubscribeOrders', PRAC);
    expect(sim.state.hubConnections('user')).toBe(2);
  });

  it('negotiate answers connectionId/connectionToken with WebSockets only; unknown ids are refused', async () => {
    const token = await setup();
    const r = await fetch(`${sim.userHubUrl}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const body = (await r.json()) as Record<string, any>;
    expect(body.negotiateVersion).toBe(1);
    expect(body.connectionToken).not.toBe(body.connectionId);
    expect(body.availableTransports).toEqual([{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }]);
    expect((await fetch(`${sim.userHubUrl}/negotiate?negotiateVersion=1`, { method: 'POST' })).status).toBe(401);
    await expect(rawSocket(`${sim.userHubUrl}?id=unknown`, { authorization: `Bearer ${token}` })).rejects.toThrow('HTTP 404');
    const s = await rawSocket(`${sim.userHubUrl}?id=${encodeURIComponent(body.connectionToken)}`, { authorization: `Bearer ${token}` });
    s.ws.close();
  });

  it('refuses the upgrade with 401 without a valid token; access_token query is accepted', async () => {
    const token = await setup();
    await expect(rawSocket(sim.userHubUrl)).rejects.toThrow('HTTP 401');
    await expect(rawSocket(sim.marketHubUrl, { authorization: 'Bearer nope' })).rejects.toThrow('HTTP 401');
    const viaQuery = await rawSocket(`${sim.marketHubUrl}?access_token=${encodeURIComponent(token)}`);
    viaQuery.ws.close();
    sim.control.expireTokens();
    const c = hub(sim.userHubUrl, () => token);
    await expect(c.start()).rejects.toThrow();
  });

  it('open sockets outlive their token by default; with hubsCloseOnTokenExpiry they are closed', async () => {
    const token = await setup({ hubKeepAliveMs: 20 });
    const keep = track(hub(sim.userHubUrl, () => token));
    await keep.start();
    sim.control.expireTokens();
    await keep.invoke('SubscribeAccounts'); // still open and answering
    expect(keep.state).toBe(HubConnectionState.Connected);
    await sim.close();

    const token2 = await setup({ hubKeepAliveMs: 20, hubsCloseOnTokenExpiry: true });
    const c = track(hub(sim.userHubUrl, () => token2));
    await c.start();
    const closed = new Promise<Error | undefined>((r) => c.onclose((e) => r(e)));
    sim.control.expireTokens();
    expect(String((await closed)?.message)).toContain('access token expired');
  });

  it('parses several records in one frame: handshake, invocation and ping', async () => {
    const token = await setup();
    const s = await rawSocket(sim.userHubUrl, { authorization: `Bearer ${token}` });
    s.ws.send('{"protocol":"json","version":1}\x1e{"type":1,"invocationId":"7","target":"SubscribeOrders","arguments":[13572468]}\x1e{"type":6}\x1e{"type":1,"invocationId":"8","target":"SubscribeOrders","arguments":["x"]}\x1e');
    const got = await s.next(3);
    expect(got[0]).toBe('{}');
    expect(JSON.parse(got[1]!)).toEqual({ type: 3, invocationId: '7', result: null });
    expect(JSON.parse(got[2]!).error).toMatch(/Error binding arguments/);
    sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: 1, side: 0, size: 1, limitPrice: 25000 });
    const ev = JSON.parse((await s.next(4))[3]!);
    expect(ev).toMatchObject({ type: 1, target: 'GatewayUserOrder', arguments: [{ action: 1, data: { status: 1, limitPrice: 25000 } }] });
    expect(ev).not.toHaveProperty('invocationId');
    s.ws.close();
  });

  it('sends keep-alive pings on the configured interval', async () => {
    const token = await setup({ hubKeepAliveMs: 50 });
    const pings: number[] = [];
    sim.onHubFrame((f) => f.kind === 'ping' && pings.push(f.at));
    const c = track(hub(sim.userHubUrl, () => token));
    await c.start();
    await new Promise<void>((resolve) => {
      const off = sim.onHubFrame((f) => {
        if (f.kind === 'ping' && pings.length >= 2) {
          off();
          resolve();
        }
      });
    });
    expect(pings[1]! - pings[0]!).toBeGreaterThanOrEqual(40);
  });

  it('unknown methods complete with an error', async () => {
    const token = await setup();
    const c = track(hub(sim.marketHubUrl, () => token));
    await c.start();
    await expect(c.invoke('SubscribeEverything')).rejects.toThrow(/Method does not exist/);
  });
});

describe('market hub', () => {
  it('streams sparse quote deltas with (contractId, data), the contract field and 7-digit lastUpdated; no snapshot on subscribe', async () => {
    const token = await setup();
    const c = track(hub(sim.marketHubUrl, () => token));
    const rec = new Recorder().listen(c, 'GatewayQuote', 'GatewayTrade', 'GatewayDepth');
    await c.start();
    await c.invoke('SubscribeContractQuotes', MNQ);
    await c.invoke('SubscribeContractTrades', MNQ);
    expect(rec.events).toHaveLength(0);
    sim.market.setQuote(MNQ, { bid: 25812.25, ask: 25812.75 }); // only the ask changes
    await rec.until(() => rec.of('GatewayQuote').length >= 1);
    const [cid, q] = rec.of('GatewayQuote')[0]!;
    expect(cid).toBe(MNQ);
    expect(Object.keys(q).sort()).toEqual(['bestAsk', 'contract', 'lastUpdated', 'symbol', 'timestamp']);
    expect(q).toMatchObject({ symbol: 'F.US.MNQ', bestAsk: 25812.75, contract: MNQ });
    expect(q.lastUpdated).toMatch(/\.\d{7}\+00:00$/);
    expect(q.timestamp).toMatch(/\.\d{3}\+00:00$/);
    sim.market.setPrice(MNQ, 25820);
    await rec.until(() => rec.of('GatewayTrade').length >= 1 && rec.of('GatewayQuote').length >= 2);
    const prints = rec.of('GatewayTrade')[0]![1];
    expect(Array.isArray(prints)).toBe(true);
    expect(prints[0]).toMatchObject({ symbolId: 'F.US.MNQ', price: 25820, volume: 1 });
    expect(rec.of('GatewayQuote')[1]![1]).toMatchObject({ bestBid: 25820, bestAsk: 25820, lastPrice: 25820 });
    expect(rec.of('GatewayDepth')).toHaveLength(0); // not subscribed
    expect(rec.events.every((e) => e.args[0] === MNQ)).toBe(true);
    await c.invoke('SubscribeContractMarketDepth', MNQ);
    sim.market.setQuote(MNQ, { bid: 25819.75, ask: 25820.25 });
    await rec.until(() => rec.of('GatewayDepth').length >= 1);
    const rows = rec.of('GatewayDepth')[0]![1] as any[];
    expect(rows.map((x) => [x.type, x.price])).toEqual([[4, 25819.75], [3, 25820.25]]);
    await c.invoke('UnsubscribeContractQuotes', MNQ);
    const quotes = rec.of('GatewayQuote').length;
    sim.market.setQuote(MNQ, { bid: 25819.5, ask: 25820.25 });
    await rec.until(() => rec.of('GatewayDepth').length >= 2);
    expect(rec.of('GatewayQuote')).toHaveLength(quotes);
  });

  it('a moving market random-walks on its own when marketIntervalMs > 0', async () => {
    const token = await setup({ marketIntervalMs: 10 });
    const c = track(hub(sim.marketHubUrl, () => token));
    const rec = new Recorder().listen(c, 'GatewayQuote');
    await c.start();
    await c.invoke('SubscribeContractQuotes', 'CON.F.US.EP.Z26');
    await rec.until(() => rec.of('GatewayQuote').length >= 3, 3000, 'walking quotes');
    const q = sim.market.quote('CON.F.US.EP.Z26');
    expect(q.ask - q.bid).toBeCloseTo(0.25);
  });
});

describe('faults and controls', () => {
  it('dropHubs closes sockets abruptly: reconnecting fires, the server forgot the subscriptions', async () => {
    const token = await setup();
    const c = track(hub(sim.userHubUrl, () => token, { reconnect: true }));
    const rec = new Recorder().listen(c, 'GatewayUserOrder');
    await c.start();
    await c.invoke('SubscribeOrders', PRAC);
    const reconnecting = new Promise<void>((r) => c.onreconnecting(() => r()));
    const reconnected = new Promise<void>((r) => c.onreconnected(() => r()));
    sim.control.dropHubs('user');
    await reconnecting;
    await reconnected;
    sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: 1, side: 0, size: 1, limitPrice: 25000 });
    // nothing arrives: prove it by resubscribing and seeing only the next event
    await c.invoke('SubscribeOrders', PRAC);
    sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: 1, side: 0, size: 1, limitPrice: 25001 });
    await rec.until(() => rec.events.length >= 1);
    expect(rec.of('GatewayUserOrder').map((a) => a[0].data.limitPrice)).toEqual([25001]);
  });

  it('dropHubs without automatic reconnect fires onclose', async () => {
    const token = await setup();
    const c = track(hub(sim.marketHubUrl, () => token));
    await c.start();
    const closed = new Promise<Error | undefined>((r) => c.onclose((e) => r(e)));
    sim.control.dropHubs('market');
    await closed;
    expect(c.state).toBe(HubConnectionState.Disconnected);
  });

  it('closeHubs sends a SignalR close with the error text; without allowReconnect the client closes', async () => {
    const token = await setup();
    const c = track(hub(sim.userHubUrl, () => token, { reconnect: true }));
    await c.start();
    const closed = new Promise<Error | undefined>((r) => c.onclose((e) => r(e)));
    sim.control.closeHubs('user');
    const err = await closed;
    expect(String(err?.message)).toContain('Connection closed with an error.');
    const r = track(hub(sim.userHubUrl, () => token, { reconnect: true }));
    await r.start();
    const reconnecting = new Promise<void>((res) => r.onreconnecting(() => res()));
    const reconnected = new Promise<void>((res) => r.onreconnected(() => res()));
    sim.control.closeHubs('user', { allowReconnect: true });
    await reconnecting;
    await reconnected;
  });

  it('hubFaults duplicate delivers every event twice; drop delivers none', async () => {
    const token = await setup();
    const c = track(hub(sim.userHubUrl, () => token));
    const rec = new Recorder().listen(c, 'GatewayUserAccount');
    await c.start();
    await c.invoke('SubscribeAccounts');
    sim.control.hubFaults({ duplicate: 1 });
    sim.control.setBalance(PRAC, 49000);
    await rec.until(() => rec.events.length >= 2);
    expect(rec.of('GatewayUserAccount').map((a) => a[0].data.balance)).toEqual([49000, 49000]);
    sim.control.hubFaults({ drop: 1 });
    sim.control.setBalance(PRAC, 48000);
    sim.control.hubFaults({});
    sim.control.setBalance(PRAC, 47000);
    await rec.until(() => rec.events.length >= 3);
    expect(rec.of('GatewayUserAccount').map((a) => a[0].data.balance)).toEqual([49000, 49000, 47000]);
  });

  it('hubFaults reorder swaps an event with the next one', async () => {
    const token = await setup();
    const c = track(hub(sim.userHubUrl, () => token));
    const rec = new Recorder().listen(c, 'GatewayUserAccount');
    await c.start();
    await c.invoke('SubscribeAccounts');
    sim.control.hubFaults({ reorder: 1 });
    sim.control.setBalance(PRAC, 1);
    sim.control.setBalance(PRAC, 2);
    await rec.until(() => rec.events.length >= 2);
    expect(rec.of('GatewayUserAccount').map((a) => a[0].data.balance)).toEqual([2, 1]);
  });

  it('stallHubs holds every frame (no pings either) until the stall ends', async () => {
    const token = await setup({ hubKeepAliveMs: 20 });
    const c = track(hub(sim.userHubUrl, () => token));
    const rec = new Recorder().listen(c, 'GatewayUserAccount');
    await c.start();
    await c.invoke('SubscribeAccounts');
    const frames: { kind: string; at: number }[] = [];
    sim.onHubFrame((f) => frames.push({ kind: f.kind, at: f.at }));
    const t0 = performance.now();
    sim.control.stallHubs(200);
    sim.control.setBalance(PRAC, 123);
    await rec.until(() => rec.events.length >= 1, 3000);
    const first = frames[0]!;
    expect(first.at - t0).toBeGreaterThanOrEqual(190);
    expect(first.kind).toBe('event');
  });

  it('hubFaults delayMs holds event frames back by the delay, keeping their order', async () => {
    const token = await setup();
    const c = track(hub(sim.userHubUrl, () => token));
    const rec = new Recorder().listen(c, 'GatewayUserAccount');
    await c.start();
    await c.invoke('SubscribeAccounts');
    sim.control.hubFaults({ delayMs: 150 });
    const t0 = performance.now();
    sim.control.setBalance(PRAC, 1);
    sim.control.setBalance(PRAC, 2);
    await rec.until(() => rec.events.length >= 2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(rec.of('GatewayUserAccount').map((a) => a[0].data.balance)).toEqual([1, 2]);
  });

  it('closes a connection whose client stopped sending (client timeout)', async () => {
    const token = await setup({ hubClientTimeoutMs: 100, hubKeepAliveMs: 50 });
    const s = await rawSocket(sim.userHubUrl, { authorization: `Bearer ${token}` });
    s.ws.send('{"protocol":"json","version":1}\x1e');
    const closed = new Promise<void>((r) => s.ws.on('close', () => r()));
    await closed;
    expect(s.records.some((r) => JSON.parse(r).type === 7)).toBe(true);
  });

  it('sendRawUserFrame / sendRawMarketFrame inject payloads as-is', async () => {
    const token = await setup();
    const u = track(hub(sim.userHubUrl, () => token));
    const m = track(hub(sim.marketHubUrl, () => token));
    const ru = new Recorder().listen(u, 'GatewayUserOrder');
    const rm = new Recorder().listen(m, 'GatewayQuote');
    await u.start();
    await m.start();
    sim.control.sendRawUserFrame('GatewayUserOrder', { action: 1, data: { id: 'not-a-number' } });
    sim.control.sendRawMarketFrame('GatewayQuote', MNQ, { bestBid: 'NaN' });
    await ru.until(() => ru.events.length >= 1);
    await rm.until(() => rm.events.length >= 1);
    expect(ru.events[0]!.args[0]).toEqual({ action: 1, data: { id: 'not-a-number' } });
    expect(rm.events[0]!.args).toEqual([MNQ, { bestBid: 'NaN' }]);
  });

  it('records outgoing frames with timestamps for latency measurement', async () => {
    const token = await setup();
    const c = track(hub(sim.userHubUrl, () => token));
    await c.start();
    await c.invoke('SubscribeOrders', PRAC);
    const before = performance.now();
    await post(sim, '/api/Order/place', { accountId: PRAC, contractId: MNQ, type: 2, side: 0, size: 1 }, token);
    const req = sim.requests.byPath('/api/Order/place')[0]!;
    const ev = sim.hubFrames().find((f) => f.kind === 'event' && f.target === 'GatewayUserOrder')!;
    expect(ev.hub).toBe('user');
    expect(ev.at).toBeGreaterThanOrEqual(before);
    expect(ev.at).toBeGreaterThanOrEqual(req.at);
  });
});
