// The executor end to end: the real simulator over sockets, the real REST client (ProjectXRest + TokenManager),
// the real hub client feeding a small ledger, the real SQLite store for the audit log. Assertions read the
// simulator's own request log: what riskd actually sent.
import { describe, expect, it, vi } from 'vitest';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { LIVE, PRAC, simRig } from './helpers/simRig.ts';

const sorted = <T>(xs: T[]): T[] => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('executor against the simulator', () => {
  it('flatten cancels every working order (bracket children included) and closes each position', async () => {
    const rig = await simRig();
    const { sim, MNQ, ES, executor, request, audit } = rig;
    await rig.open(PRAC, MNQ, OrderSide.Bid, 2);
    await rig.open(PRAC, ES, OrderSide.Ask, 1);
    const bid = sim.market.quote(MNQ).bid;
    const limit = sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1, limitPrice: bid - 50 });
    const bracket = sim.trader.placeOrder({
      accountId: PRAC,
      contractId: ES,
      type: OrderType.Limit,
      side: OrderSide.Bid,
      size: 1,
      limitPrice: sim.market.quote(ES).bid - 40,
      stopLossBracket: { ticks: -20, type: OrderType.Stop },
      takeProfitBracket: { ticks: 40, type: OrderType.Limit },
    });
    expect(limit.success && bracket.success).toBe(true);
    await rig.ledger.load(rig.rest, PRAC);
    const working = rig.ledger.view(PRAC).workingOrders();
    expect(working.filter((o) => o.status === 8)).toHaveLength(2); // the bracket's suspended children
    sim.requests.clear();

    await executor.execute([request({ type: 'flatten', accountId: PRAC })]);

    expect(sorted(rig.mutations())).toEqual(
      sorted([
        { path: '/api/Position/closeContract', body: { accountId: PRAC, contractId: MNQ } },
        { path: '/api/Position/closeContract', body: { accountId: PRAC, contractId: ES } },
        ...working.map((o) => ({ path: '/api/Order/cancel', body: { accountId: PRAC, orderId: o.id } })),
      ]),
    );
    expect(await rig.rest.searchOpenPositions(PRAC)).toEqual([]);
    expect(await rig.rest.queryWorkingOrders(PRAC)).toEqual([]);
    const rows = audit.list();
    expect(rows).toHaveLength(2 + working.length);
    for (const r of rows) {
      // A child cancelled together with its entry answers OrderNotFound: reconciled, not failed.
      expect(['confirmed', 'reconciled']).toContain(r.status);
      expect(r.rule).toBe('RULE-003');
      const n = JSON.parse(r.numbers) as { latency: { triggerToRequestMs: number; triggerToConfirmMs: number } };
      expect(n.latency.triggerToRequestMs).toBe(3);
      expect(n.latency.triggerToConfirmMs).toBeGreaterThanOrEqual(3);
    }
  });

  it('duplicate close intents produce one closeContract', async () => {
    const rig = await simRig();
    await rig.open(PRAC, rig.MNQ, OrderSide.Bid, 1);
    const close = rig.request({ type: 'close', accountId: PRAC, contractId: rig.MNQ });
    await Promise.all([rig.executor.execute([close]), rig.executor.execute([close]), rig.executor.execute([rig.request({ type: 'flatten', accountId: PRAC })])]);
    expect(rig.mutations()).toEqual([{ path: '/api/Position/closeContract', body: { accountId: PRAC, contractId: rig.MNQ } }]);
    expect(rig.audit.list().map((r) => r.status)).toEqual(['confirmed', 'skipped', 'skipped']);
  });

  it('a close that times out after executing is reconciled by REST and not re-sent', async () => {
    const rig = await simRig({ hub: false });
    await rig.open(PRAC, rig.MNQ, OrderSide.Bid, 2);
    rig.sim.control.restFaults({ rate: 1, kinds: ['timeout'], paths: ['/api/Position/closeContract'], timeoutExecutes: true, hangMs: 1500 });
    const done = rig.executor.execute([rig.request({ type: 'close', accountId: PRAC, contractId: rig.MNQ })]);
    // The action's chart shows where it is: a free budget slot is taken in the same turn, so the call is out at
    // the gateway as soon as execute returns; the chart hears the grant on the next microtask, after the write.
    await Promise.resolve();
    expect(rig.executor.inFlight().map((a) => a.state)).toEqual(['sending.requested']);
    await done;
    expect(rig.mutations()).toHaveLength(1);
    expect(rig.paths()).toEqual(['/api/Position/closeContract', '/api/Position/searchOpen']);
    const row = rig.audit.list()[0]!;
    expect(row.status).toBe('reconciled');
    expect(row.outcome).toMatch(/GatewayTimeoutError.*REST check: position is flat/);
  });

  it.each(['429', '500'] as const)('%s on close: reconciled first, then completed exactly once', async (kind) => {
    const rig = await simRig();
    await rig.open(PRAC, rig.MNQ, OrderSide.Bid, 2);
    rig.sim.control.restFaults({ rate: 1, kinds: [kind], paths: ['/api/Position/closeContract'] });
    // Only the first close meets the fault.
    const off = rig.sim.requests.onRequest((r) => {
      if (r.fault) rig.sim.control.restFaults(null);
    });
    const done = rig.executor.execute([rig.request({ type: 'close', accountId: PRAC, contractId: rig.MNQ })]);
    await vi.waitFor(() => expect(rig.audit.list()[0]!.outcome).toContain('re-sending'));
    off();
    await rig.clock.advance(1000);
    await done;
    expect(rig.paths()).toEqual([
      '/api/Position/closeContract',
      '/api/Position/searchOpen',
      '/api/Order/v2/query',
      '/api/Position/closeContract',
    ]);
    const exits = rig.sim.state.trades(PRAC).filter((t) => t.contractId === rig.MNQ && t.profitAndLoss !== null);
    expect(exits).toHaveLength(1);
    const row = rig.audit.list()[0]!;
    expect(row.status).toBe('confirmed');
    expect(JSON.parse(row.numbers).attempts).toBe(2);
  });

  it('confirms by a REST check when the confirming event never arrives', async () => {
    const rig = await simRig({ hub: false });
    await rig.open(PRAC, rig.MNQ, OrderSide.Ask, 1);
    const done = rig.executor.execute([rig.request({ type: 'close', accountId: PRAC, contractId: rig.MNQ })]);
    await vi.waitFor(() => expect(rig.audit.list()[0]!.outcome).toContain('awaiting confirmation'));
    await rig.clock.advance(2000);
    await done;
    expect(rig.audit.list()[0]).toMatchObject({ status: 'reconciled', outcome: expect.stringContaining('no confirming event within 2000 ms') });
    expect(rig.paths()).toEqual(['/api/Position/closeContract', '/api/Position/searchOpen']);
  });

  it('partial close refused on a live account falls back to closeContract', async () => {
    const rig = await simRig();
    await rig.open(LIVE, rig.MNQ, OrderSide.Bid, 3);
    await rig.executor.execute([rig.request({ type: 'reduce', accountId: LIVE, contractId: rig.MNQ, size: 1 }, 'RULE-001', 'Too many contracts')]);
    expect(rig.mutations()).toEqual([
      { path: '/api/Position/partialCloseContract', body: { accountId: LIVE, contractId: rig.MNQ, size: 1 } },
      { path: '/api/Position/closeContract', body: { accountId: LIVE, contractId: rig.MNQ } },
    ]);
    expect(rig.audit.list()[0]).toMatchObject({ status: 'confirmed', endpoint: 'Position/closeContract' });
    expect(await rig.rest.searchOpenPositions(LIVE)).toEqual([]);
  });

  it('cancel refused on a live account: the order is watched and reported; its fill is not the executor\'s to answer', async () => {
    const rig = await simRig();
    const { sim, MNQ } = rig;
    const bid = sim.market.quote(MNQ).bid;
    const placed = sim.trader.placeOrder({ accountId: LIVE, contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1, limitPrice: bid - 10 });
    await vi.waitFor(() => expect(rig.ledger.view(LIVE).workingOrders().map((o) => o.id)).toContain(placed.orderId));
    await rig.executor.execute([rig.request({ type: 'cancel', accountId: LIVE, orderId: placed.orderId }, 'kill-switch', 'Account locked')]);
    expect(rig.audit.list()[0]).toMatchObject({ status: 'failed', outcome: expect.stringContaining('Live accounts not supported') });
    expect(rig.executor.closeOnFillWatches(LIVE)).toEqual([{ accountId: LIVE, orderId: placed.orderId, contractId: MNQ }]);
    expect(rig.ownOrders).toEqual([{ type: 'fillWatched', accountId: LIVE, orderId: placed.orderId, contractId: MNQ, rule: 'kill-switch', reason: 'Account locked' }]);
    sim.market.setPrice(MNQ, bid - 12); // the limit fills: the account machine closes it (test/runtime/daemon.ownOrders.test.ts)
    await vi.waitFor(() => expect(rig.executor.closeOnFillWatches(LIVE)).toEqual([]));
    expect(rig.mutations()).toEqual([{ path: '/api/Order/cancel', body: { accountId: LIVE, orderId: placed.orderId } }]);
    expect(rig.audit.list()).toHaveLength(1);
  });

  it('moveStop modifies at most once per second and never loosens', async () => {
    const rig = await simRig();
    const { sim, MNQ } = rig;
    await rig.open(PRAC, MNQ, OrderSide.Bid, 2);
    const bid = sim.market.quote(MNQ).bid;
    const stop = sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: OrderType.Stop, side: OrderSide.Ask, size: 2, stopPrice: bid - 20 });
    await vi.waitFor(() => expect(rig.ledger.view(PRAC).workingOrders().map((o) => o.id)).toContain(stop.orderId));
    const move = (stopPrice: number) =>
      rig.request({ type: 'moveStop', accountId: PRAC, contractId: MNQ, orderId: stop.orderId, stopPrice, size: 2, side: OrderSide.Ask }, 'RULE-012', 'Trail');
    await rig.executor.execute([move(bid - 10)]);
    const queued = rig.executor.execute([move(bid - 8)]);
    await rig.executor.execute([move(bid - 15)]); // looser than what riskd already set
    expect(rig.mutations()).toHaveLength(1);
    await rig.clock.advance(1000);
    await queued;
    expect(rig.mutations()).toEqual([
      { path: '/api/Order/modify', body: expect.objectContaining({ accountId: PRAC, orderId: stop.orderId, stopPrice: bid - 10 }) },
      { path: '/api/Order/modify', body: expect.objectContaining({ accountId: PRAC, orderId: stop.orderId, stopPrice: bid - 8 }) },
    ]);
    expect(rig.audit.list().map((r) => r.status)).toEqual(['confirmed', 'confirmed', 'skipped']);
    expect(rig.audit.list()[2]!.outcome).toContain('never loosen');
    const live = (await rig.rest.queryWorkingOrders(PRAC)).find((o) => o.id === stop.orderId);
    expect(live?.stopPrice).toBe(bid - 8);
  });

  it('places a tagged stop when the position has none', async () => {
    const rig = await simRig();
    const { sim, MNQ } = rig;
    await rig.open(PRAC, MNQ, OrderSide.Bid, 1);
    const bid = sim.market.quote(MNQ).bid;
    await rig.executor.execute([
      rig.request({ type: 'moveStop', accountId: PRAC, contractId: MNQ, stopPrice: bid - 12, size: 1, side: OrderSide.Ask }, 'RULE-012', 'No stop'),
    ]);
    const [place] = rig.mutations();
    expect(place).toMatchObject({ path: '/api/Order/place', body: { accountId: PRAC, contractId: MNQ, type: 4, side: 1, size: 1, stopPrice: bid - 12 } });
    const orders = await rig.rest.queryWorkingOrders(PRAC);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.customTag).toMatch(new RegExp(`^riskd-${PRAC}-`));
    expect(rig.attribution.orders).toEqual([[PRAC, orders[0]!.id]]);
    expect(rig.audit.list()[0]!.status).toBe('confirmed');
  });

  it('drain refuses new intents and records unsettled ones as failed: shutdown', async () => {
    const rig = await simRig({ hub: false });
    await rig.open(PRAC, rig.MNQ, OrderSide.Bid, 1);
    void rig.executor.execute([rig.request({ type: 'close', accountId: PRAC, contractId: rig.MNQ })]);
    await vi.waitFor(() => expect(rig.audit.list()[0]!.outcome).toContain('awaiting confirmation'));
    const drained = rig.executor.drain(500);
    await rig.executor.execute([rig.request({ type: 'flatten', accountId: PRAC })]);
    await rig.clock.advance(500);
    await drained;
    expect(rig.audit.list().map((r) => [r.status, r.outcome])).toEqual([
      ['failed', 'shutdown: not settled within 500 ms of drain'],
      ['skipped', 'not executed: riskd is shutting down'],
    ]);
    expect(rig.mutations()).toHaveLength(1);
  });
});
