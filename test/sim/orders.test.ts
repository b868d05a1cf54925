// Order lifecycle against the simulator: real REST calls, events observed with the real SignalR client.
import type { HubConnection } from '@microsoft/signalr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { hub, LIVE, login, MNQ, post, PRAC, Recorder } from './helpers.ts';

let sim: Simulator;
let token: string;
let user: HubConnection;
let rec: Recorder;

const USER_EVENTS = ['GatewayUserOrder', 'GatewayUserPosition', 'GatewayUserTrade', 'GatewayUserAccount'];

beforeEach(async () => {
  sim = await startSimulator({ seed: 11 });
  token = await login(sim);
  user = hub(sim.userHubUrl, () => token);
  rec = new Recorder().listen(user, ...USER_EVENTS);
  await user.start();
  await user.invoke('SubscribeAccounts');
  for (const acct of [PRAC, LIVE]) {
    for (const m of ['SubscribeOrders', 'SubscribePositions', 'SubscribeTrades']) await user.invoke(m, acct);
  }
  sim.market.setPrice(MNQ, 25812.25);
});
afterEach(async () => {
  await user.stop();
  await sim.close();
});

const place = (body: Record<string, unknown>) => post(sim, '/api/Order/place', { accountId: PRAC, contractId: MNQ, ...body }, token);
const summary = (): string[] =>
  rec.events.map((e) => {
    const { action, data } = e.args[0];
    if (e.target === 'GatewayUserOrder') return `order ${data.id} s${data.status}`;
    if (e.target === 'GatewayUserTrade') return `trade ${data.orderId} a${action}`;
    if (e.target === 'GatewayUserPosition') return `position a${action} t${data.type} n${data.size}`;
    return `account ${data.balance}`;
  });

describe('market order with Auto-OCO brackets', () => {
  it('streams the real event sequence with {action, data} envelopes, then the TP fill cancels the SL', async () => {
    const r = await place({ type: 2, side: 0, size: 2, customTag: 'rm-demo-0001', stopLossBracket: { ticks: -40, type: 4 }, takeProfitBracket: { ticks: 80, type: 1 } });
    expect(r.body).toMatchObject({ success: true, errorCode: 0, errorMessage: null });
    const entry = r.body.orderId as number;
    expect(entry).toBeGreaterThan(3.4e9);
    const [sl, tp] = [entry + 1, entry + 2];
    await rec.until(() => rec.events.length >= 9, 3000, 'bracket entry sequence');
    expect(summary()).toEqual([
      `order ${sl} s8`,
      `order ${tp} s8`,
      `order ${entry} s6`,
      `order ${entry} s2`,
      `trade ${entry} a0`,
      'position a1 t1 n2',
      'account 49999.26',
      `order ${sl} s1`,
      `order ${tp} s1`,
    ]);
    const orders = rec.of('GatewayUserOrder').map((a) => a[0]);
    const slSuspended = orders[0].data;
    expect(slSuspended).toMatchObject({ status: 8, type: 4, side: 1, size: 2, customTag: 'rm-demo-0001-SL', parentOrderId: entry, trailDistance: -40, trailPrice: -10 });
    expect(slSuspended).not.toHaveProperty('stopPrice'); // null fields omitted on the stream
    expect(slSuspended).not.toHaveProperty('linkedOrderId');
    expect(orders[1].data).toMatchObject({ customTag: 'rm-demo-0001-TP', linkedOrderId: sl, parentOrderId: entry });
    expect(orders[3].data).toMatchObject({ status: 2, fillVolume: 2, filledPrice: 25812.25 });
    expect(orders[3].data.updateTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
    expect(orders[4].data).toMatchObject({ status: 1, stopPrice: 25802.25 });
    expect(orders[5].data).toMatchObject({ status: 1, limitPrice: 25832.25 });
    const trade = rec.of('GatewayUserTrade')[0]![0];
    expect(trade).toMatchObject({ action: 0, data: { price: 25812.25, profitAndLoss: null, fees: 0.74, commissions: 0.5, side: 0, size: 2, voided: false, orderId: entry } });
    expect(trade.data).toHaveProperty('profitAndLoss', null);

    rec.events.length = 0;
    sim.market.setPrice(MNQ, 25835);
    await rec.until(() => rec.events.length >= 5, 3000, 'TP fill');
    expect(summary()).toEqual([`order ${tp} s2`, `trade ${tp} a0`, 'position a2 t0 n0', 'account 50078.52', `order ${sl} s3`]);
    const closed = rec.of('GatewayUserPosition')[0]![0];
    expect(closed.data).toMatchObject({ type: 0, size: 0, averagePrice: 25812.25, contractDisplayName: 'MNQZ26' });
    // Reference math: long 2 @ 25812.25 -> 25832.25 = 80 ticks * 0.5 * 2 = 80 gross; fees 0.37 per contract per fill.
    expect(rec.of('GatewayUserTrade')[0]![0].data).toMatchObject({ price: 25832.25, profitAndLoss: 80, fees: 0.74 });
    expect(sim.accounts().find((a) => a.id === PRAC)?.balance).toBe(50000 + 80 - 1.48);
  });

  it('before the entry fills, v2/query shows the Suspended children while searchOpen does not', async () => {
    const r = await place({ type: 1, side: 0, size: 1, limitPrice: 25800, stopLossBracket: { ticks: -20, type: 4 }, takeProfitBracket: { ticks: 40, type: 1 } });
    expect(r.body.success).toBe(true);
    const open = await post(sim, '/api/Order/searchOpen', { accountId: PRAC }, token);
    expect((open.body.orders as any[]).map((o) => [o.id, o.status])).toEqual([[r.body.orderId, 1]]);
    const q = await post(sim, '/api/Order/v2/query', { filter: { accountId: PRAC, statuses: [1, 6, 7, 8] }, pageSize: 100, pageOffset: 0, sortBy: 1, sortDirection: 0, includeTotalCount: true }, token);
    expect(q.status).toBe(200);
    expect((q.body.orders as any[]).map((o) => o.status)).toEqual([1, 8, 8]);
    expect(q.body.totalCount).toBe(3);
    expect(q.body.orders[1]).toMatchObject({ stopPrice: null, parentOrderId: r.body.orderId });
    expect(q.body.orders[1].creationTimestamp).toMatch(/\.\d{1,6}\+00:00$|:\d\d\+00:00$/);
    // paging: zero-based row offset
    const page2 = await post(sim, '/api/Order/v2/query', { filter: { accountId: PRAC, statuses: [8] }, pageSize: 1, pageOffset: 1, sortBy: 1, sortDirection: 1, includeTotalCount: true }, token);
    expect((page2.body.orders as any[]).map((o) => o.id)).toEqual([r.body.orderId + 1]);
    expect(page2.body.totalCount).toBe(2);
    // bad paging is a 400 ProblemDetails, not the envelope
    const bad = await post(sim, '/api/Order/v2/query', { filter: { accountId: PRAC }, pageSize: 0 }, token);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ title: 'Bad Request', status: 400, detail: 'pageSize must be positive', instance: '/api/Order/v2/query' });
    // the limit fills when the market comes down to it; children then open
    sim.market.setPrice(MNQ, 25799);
    const after = await post(sim, '/api/Order/searchOpen', { accountId: PRAC }, token);
    expect((after.body.orders as any[]).map((o) => [o.status, o.stopPrice ?? o.limitPrice])).toEqual([[1, 25795], [1, 25810]]);
    // cancelling an unfilled entry would have taken its children: check on a second entry
    const r2 = await place({ type: 1, side: 0, size: 1, limitPrice: 25700, stopLossBracket: { ticks: -20, type: 4 } });
    expect((await post(sim, '/api/Order/cancel', { accountId: PRAC, orderId: r2.body.orderId }, token)).body.success).toBe(true);
    expect(sim.state.orders(PRAC).filter((o) => o.parentOrderId === r2.body.orderId).map((o) => o.status)).toEqual([3]);
  });
});

describe('positions', () => {
  it('scale-in averages, partial close shrinks, reversal closes and opens a new position', async () => {
    await place({ type: 2, side: 0, size: 2 });
    sim.market.setPrice(MNQ, 25817.75);
    await place({ type: 2, side: 0, size: 1 });
    let pos = (await post(sim, '/api/Position/searchOpen', { accountId: PRAC }, token)).body.positions as any[];
    expect(pos).toHaveLength(1);
    expect(pos[0]).toMatchObject({ type: 1, size: 3, averagePrice: 25814.083333333, contractDisplayName: 'MNQZ26' });
    const firstId = pos[0].id;

    sim.market.setPrice(MNQ, 25820);
    const pc = await post(sim, '/api/Position/partialCloseContract', { accountId: PRAC, contractId: MNQ, size: 1 }, token);
    expect(pc.body).toEqual({ success: true, errorCode: 0, errorMessage: null });
    pos = (await post(sim, '/api/Position/searchOpen', { accountId: PRAC }, token)).body.positions as any[];
    expect(pos[0]).toMatchObject({ id: firstId, size: 2, type: 1 });
    const tooBig = await post(sim, '/api/Position/partialCloseContract', { accountId: PRAC, contractId: MNQ, size: 3 }, token);
    expect(tooBig.body).toMatchObject({ success: false, errorCode: 5 });

    // sell 5 against long 2: closes 2 (P&L on 2), opens short 3 with a new id
    const rev = await place({ type: 2, side: 1, size: 5 });
    expect(rev.body.success).toBe(true);
    pos = (await post(sim, '/api/Position/searchOpen', { accountId: PRAC }, token)).body.positions as any[];
    expect(pos).toHaveLength(1);
    expect(pos[0]).toMatchObject({ type: 2, size: 3, averagePrice: 25820 });
    expect(pos[0].id).not.toBe(firstId);
    const trades = (await post(sim, '/api/Trade/search', { accountId: PRAC, startTimestamp: '2000-01-01T00:00:00Z' }, token)).body.trades as any[];
    // newest first; exits carry gross P&L through ticks: (25820 - 25814.083333333) / 0.25 * 0.5 per contract
    expect(trades.map((t) => [t.side, t.size, t.profitAndLoss])).toEqual([
      [1, 5, 23.67],
      [1, 1, 11.83],
      [0, 1, null],
      [0, 2, null],
    ]);
    await rec.until(() => rec.of('GatewayUserPosition').some((a) => a[0].action === 2), 3000, 'position close event');
    const posEvents = rec.of('GatewayUserPosition').map((a) => [a[0].action, a[0].data.type, a[0].data.size]);
    expect(posEvents.slice(-2)).toEqual([[2, 0, 0], [1, 2, 3]]);

    const close = await post(sim, '/api/Position/closeContract', { accountId: PRAC, contractId: MNQ }, token);
    expect(close.body).toEqual({ success: true, errorCode: 0, errorMessage: null }); // no orderId on close
    expect((await post(sim, '/api/Position/closeContract', { accountId: PRAC, contractId: MNQ }, token)).body).toEqual({ success: false, errorCode: 2, errorMessage: null });
  });
});

describe('refusals the real gateway makes', () => {
  it('cancel and partial close on a live account are refused (6 / 9); closeContract works', async () => {
    const lim = await post(sim, '/api/Order/place', { accountId: LIVE, contractId: MNQ, type: 1, side: 0, size: 1, limitPrice: 25700 }, token);
    expect(lim.body.success).toBe(true);
    expect((await post(sim, '/api/Order/cancel', { accountId: LIVE, orderId: lim.body.orderId }, token)).body).toEqual({ success: false, errorCode: 6, errorMessage: 'Live accounts not supported' });
    await post(sim, '/api/Order/place', { accountId: LIVE, contractId: MNQ, type: 2, side: 0, size: 2 }, token);
    expect((await post(sim, '/api/Position/partialCloseContract', { accountId: LIVE, contractId: MNQ, size: 1 }, token)).body).toEqual({ success: false, errorCode: 9, errorMessage: 'Live accounts not supported' });
    expect((await post(sim, '/api/Position/closeContract', { accountId: LIVE, contractId: MNQ }, token)).body.success).toBe(true);
    // the trader's own platform can cancel
    expect(sim.trader.cancelOrder(LIVE, lim.body.orderId as number).success).toBe(true);
  });

  it('bracket sign rules, trailing without trailPrice and customTag reuse: errorCode 2 with a real orderId and a status 5 event', async () => {
    const wrong = await place({ type: 2, side: 0, size: 1, stopLossBracket: { ticks: 40, type: 4 } });
    expect(wrong.body).toMatchObject({ success: false, errorCode: 2, errorMessage: 'Ticks should be less than zero when longing' });
    expect(wrong.body.orderId).toBeGreaterThan(3.4e9);
    const wrongShort = await place({ type: 2, side: 1, size: 1, takeProfitBracket: { ticks: 40, type: 1 } });
    expect(wrongShort.body.errorMessage).toBe('Ticks should be less than zero when shorting');
    const trail = await place({ type: 5, side: 1, size: 1 });
    expect(trail.body).toMatchObject({ success: false, errorCode: 2, errorMessage: 'Trail Distance not set.' });
    const far = await place({ type: 5, side: 1, size: 1, trailPrice: 25812.25 - 1001 * 0.25 });
    expect(far.body.errorMessage).toBe('Trail Distance exceeds maximum (1000)');
    const first = await place({ type: 1, side: 0, size: 1, limitPrice: 25700, customTag: 'tag-1' });
    expect(first.body.success).toBe(true);
    const reuse = await place({ type: 1, side: 0, size: 1, limitPrice: 25700, customTag: 'tag-1' });
    expect(reuse.body).toMatchObject({ success: false, errorCode: 2 });
    await rec.until(() => rec.of('GatewayUserOrder').some((a) => a[0].data.id === reuse.body.orderId), 3000, 'rejected order event');
    const rejected = rec.of('GatewayUserOrder').find((a) => a[0].data.id === wrong.body.orderId)![0].data;
    expect(rejected).toMatchObject({ status: 5, fillVolume: 0 });
    expect(rejected).not.toHaveProperty('errorMessage');
    sim.control.setBracketMode(PRAC, 'position');
    const pb = await place({ type: 2, side: 0, size: 1, stopLossBracket: { ticks: -10, type: 4 } });
    expect(pb.body.errorMessage).toBe('Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.');
  });

  it('canTrade false refuses new orders and is streamed as GatewayUserAccount', async () => {
    sim.control.setCanTrade(PRAC, false);
    await rec.until(() => rec.of('GatewayUserAccount').some((a) => a[0].data.canTrade === false), 3000, 'account event');
    const r = await place({ type: 2, side: 0, size: 1 });
    expect(r.body).toMatchObject({ success: false, errorCode: 4 });
  });
});

describe('stops and trailing stops', () => {
  it('a sell stop fills at the bid when the market trades through it', async () => {
    await place({ type: 2, side: 0, size: 1 });
    const stop = await place({ type: 4, side: 1, size: 1, stopPrice: 25800 });
    sim.market.setPrice(MNQ, 25801);
    expect(sim.state.orders(PRAC).find((o) => o.id === stop.body.orderId)?.status).toBe(1);
    sim.market.setPrice(MNQ, 25797.5);
    const o = sim.state.orders(PRAC).find((x) => x.id === stop.body.orderId)!;
    expect(o).toMatchObject({ status: 2, filledPrice: 25797.5 });
    expect(sim.state.positions(PRAC)).toEqual([]);
  });

  it('a trailing stop converts the absolute trailPrice to ticks, follows the market and triggers', async () => {
    await place({ type: 2, side: 0, size: 1 });
    const t = await place({ type: 5, side: 1, size: 1, trailPrice: 25807.25 }); // 20 ticks below last
    expect(t.body.success).toBe(true);
    const get = () => sim.state.orders(PRAC).find((o) => o.id === t.body.orderId)!;
    expect(get()).toMatchObject({ status: 1, trailDistance: 20, trailPrice: 5, stopPrice: 25807.25 });
    sim.market.setPrice(MNQ, 25830);
    expect(get().stopPrice).toBe(25825);
    sim.market.setPrice(MNQ, 25826);
    expect(get()).toMatchObject({ status: 1, stopPrice: 25825 });
    sim.market.setPrice(MNQ, 25824);
    expect(get()).toMatchObject({ status: 2, filledPrice: 25824 });
  });

  it('modify moves a resting limit in place and can make it fill', async () => {
    const l = await place({ type: 1, side: 0, size: 1, limitPrice: 25700 });
    const m = await post(sim, '/api/Order/modify', { accountId: PRAC, orderId: l.body.orderId, limitPrice: 25812.25 }, token);
    expect(m.body).toEqual({ success: true, errorCode: 0, errorMessage: null });
    expect(sim.state.orders(PRAC).find((o) => o.id === l.body.orderId)).toMatchObject({ status: 2, filledPrice: 25812.25 });
    const again = await post(sim, '/api/Order/modify', { accountId: PRAC, orderId: l.body.orderId, limitPrice: 25800 }, token);
    expect(again.body.success).toBe(false);
    expect((await post(sim, '/api/Order/modify', { accountId: PRAC, orderId: 1 }, token)).body.errorCode).toBe(2);
  });
});

describe('partial fills', () => {
  it('splits an order into several executions: status 1 with growing fillVolume, one trade per execution, then 2', async () => {
    sim.control.partialFills(2);
    const r = await place({ type: 2, side: 0, size: 5, stopLossBracket: { ticks: -10, type: 4 } });
    expect(r.body.success).toBe(true);
    const entry = r.body.orderId as number;
    await rec.until(() => rec.of('GatewayUserOrder').some((a) => a[0].data.id === entry + 1 && a[0].data.status === 1), 3000, 'child open');
    const entryEvents = rec.of('GatewayUserOrder').map((a) => a[0].data).filter((d) => d.id === entry);
    expect(entryEvents.map((d) => [d.status, d.fillVolume])).toEqual([[6, 0], [1, 2], [1, 4], [2, 5]]);
    const trades = rec.of('GatewayUserTrade').map((a) => a[0].data);
    expect(trades.map((t) => [t.orderId, t.size, t.fees])).toEqual([[entry, 2, 0.74], [entry, 2, 0.74], [entry, 1, 0.37]]);
    expect(rec.of('GatewayUserPosition').map((a) => a[0].data.size)).toEqual([2, 4, 5]);
    expect(sim.state.orders(PRAC).find((o) => o.id === entry + 1)).toMatchObject({ status: 1, size: 5, stopPrice: 25809.75 });
    expect(() => sim.control.partialFills(0)).toThrow(/positive integer/);
  });
});

describe('fill delay', () => {
  it('with setFillDelay the REST answer comes first and the position closes a few ms later', async () => {
    await place({ type: 2, side: 0, size: 1 });
    sim.control.setFillDelay(30);
    const closeSent = performance.now();
    const r = await post(sim, '/api/Position/closeContract', { accountId: PRAC, contractId: MNQ }, token);
    expect(r.body.success).toBe(true);
    expect(sim.state.positions(PRAC)).toHaveLength(1); // not yet filled
    await rec.until(() => rec.of('GatewayUserPosition').some((a) => a[0].action === 2), 3000, 'close event');
    expect(performance.now() - closeSent).toBeGreaterThanOrEqual(25);
    expect(sim.state.positions(PRAC)).toHaveLength(0);
    // a pending market order can still be cancelled before it fills
    const m = await place({ type: 2, side: 0, size: 1 });
    expect((await post(sim, '/api/Order/cancel', { accountId: PRAC, orderId: m.body.orderId }, token)).body.success).toBe(true);
    await rec.until(() => rec.of('GatewayUserOrder').some((a) => a[0].data.id === m.body.orderId && a[0].data.status === 3));
    // a later order's delayed fill lands after the cancelled one's would have: only it opens a position
    const later = await place({ type: 2, side: 1, size: 2 });
    await rec.until(() => rec.of('GatewayUserOrder').some((a) => a[0].data.id === later.body.orderId && a[0].data.status === 2));
    expect(sim.state.positions(PRAC)).toEqual([expect.objectContaining({ type: 2, size: 2 })]);
    expect(sim.state.orders(PRAC).find((o) => o.id === m.body.orderId)).toMatchObject({ status: 3, fillVolume: 0 });
  });
});

describe('order queries', () => {
  it('Order/search filters by window, searchById finds one order, v2/query filters by contract and creation time', async () => {
    const a = await place({ type: 1, side: 0, size: 1, limitPrice: 25700, customTag: 'q-1' });
    sim.market.setQuote(MNQ, { bid: 25812.25, ask: 25812.5 }); // a one-tick spread (setPrice locks the book)
    const b = await place({ type: 6, side: 0, size: 1 }); // JoinBid rests at the bid
    const es = await post(sim, '/api/Order/place', { accountId: PRAC, contractId: 'CON.F.US.EP.Z26', type: 1, side: 1, size: 1, limitPrice: 7000 }, token);
    expect([a, b, es].every((r) => r.body.success)).toBe(true);
    const all = await post(sim, '/api/Order/search', { accountId: PRAC, startTimestamp: '2000-01-01T00:00:00Z' }, token);
    expect((all.body.orders as any[]).map((o) => o.id)).toEqual([a.body.orderId, b.body.orderId, es.body.orderId]);
    expect(all.body.orders[1]).toMatchObject({ type: 6, status: 1, limitPrice: 25812.25 });
    const none = await post(sim, '/api/Order/search', { accountId: PRAC, startTimestamp: '2000-01-01T00:00:00Z', endTimestamp: '2000-01-02T00:00:00Z' }, token);
    expect(none.body.orders).toEqual([]);
    expect((await post(sim, '/api/Order/search', { accountId: PRAC }, token)).status).toBe(400); // startTimestamp required
    const one = await post(sim, '/api/Order/searchById', { accountId: PRAC, orderId: a.body.orderId }, token);
    expect(one.body.order).toMatchObject({ id: a.body.orderId, customTag: 'q-1', limitPrice: 25700, filledPrice: null });
    expect((await post(sim, '/api/Order/searchById', { accountId: PRAC, orderId: 42 }, token)).body).toEqual({ order: null, success: false, errorCode: 1, errorMessage: null });
    const esOnly = await post(sim, '/api/Order/v2/query', { filter: { accountId: PRAC, contractId: 'CON.F.US.EP.Z26' } }, token);
    expect((esOnly.body.orders as any[]).map((o) => o.id)).toEqual([es.body.orderId]);
    expect(esOnly.body.totalCount).toBeNull();
    const future = await post(sim, '/api/Order/v2/query', { filter: { accountId: PRAC, createdAfter: new Date(Date.now() + 60_000).toISOString() } }, token);
    expect(future.body.orders).toEqual([]);
  });
});

describe('trading session', () => {
  it('outside the session orders and closes are refused with the per-endpoint codes; nothing fills until it reopens', async () => {
    await place({ type: 2, side: 0, size: 2 });
    const resting = await place({ type: 1, side: 1, size: 1, limitPrice: 25830 });
    sim.control.setMarketOpen(false);
    expect((await place({ type: 2, side: 0, size: 1 })).body).toMatchObject({ success: false, errorCode: 5, errorMessage: null });
    expect((await post(sim, '/api/Position/closeContract', { accountId: PRAC, contractId: MNQ }, token)).body).toEqual({ success: false, errorCode: 5, errorMessage: null });
    expect((await post(sim, '/api/Position/partialCloseContract', { accountId: PRAC, contractId: MNQ, size: 1 }, token)).body).toEqual({ success: false, errorCode: 6, errorMessage: null });
    expect((await post(sim, '/api/Order/modify', { accountId: PRAC, orderId: resting.body.orderId, limitPrice: 25831 }, token)).body).toMatchObject({ success: false, errorCode: 3, errorMessage: 'Instrument is not in an active trading status' });
    sim.market.setPrice(MNQ, 25840); // crosses the resting sell limit, but the market is closed
    expect(sim.state.orders(PRAC).find((o) => o.id === resting.body.orderId)?.status).toBe(1);
    sim.control.setMarketOpen(true);
    expect(sim.state.orders(PRAC).find((o) => o.id === resting.body.orderId)).toMatchObject({ status: 2, filledPrice: 25830 });
    expect(sim.state.positions(PRAC)).toEqual([expect.objectContaining({ size: 1, type: 1 })]);
    // per contract: ES closed, MNQ open
    sim.control.setMarketOpen(false, ['CON.F.US.EP.Z26']);
    expect((await post(sim, '/api/Order/place', { accountId: PRAC, contractId: 'CON.F.US.EP.Z26', type: 2, side: 0, size: 1 }, token)).body.errorCode).toBe(5);
    expect((await place({ type: 2, side: 1, size: 1 })).body.success).toBe(true);
  });
});
