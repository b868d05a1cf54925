import { describe, expect, it, vi, afterEach } from 'vitest';
import { RECONCILE_CONCURRENCY, applyOrdersSnapshot, applyPositionsSnapshot, reconcileAccount, reconcileAll, type ReconcileRest } from '../../src/runtime/reconcile.ts';
import { createDegradedPoller, pollIntervalMs } from '../../src/runtime/degradedPoller.ts';
import { createRouter } from '../../src/runtime/router.ts';
import type { Account, Contract, Order, Position, Trade } from '../../src/gateway/models.ts';
import { ACC, MNQ, T0, MNQ_C, orderEv, posEv, registry, tradeEv } from '../ledger/helpers.ts';
import { collector, recordingLogger } from './routerFixtures.ts';
import type { GatewayRest } from '../../src/gateway/rest.ts';

// Compile-time: the gateway's REST client satisfies what reconciliation needs.
export const restFits = (r: GatewayRest): ReconcileRest => r;

/** A REST fake serving whatever state the test sets, recording calls. */
function fakeRest() {
  const state = {
    accounts: [{ id: ACC, name: 'PRAC', balance: 50000, canTrade: true, isVisible: true, simulated: true }] as Account[],
    positions: [] as Position[],
    working: [] as Order[],
    allOrders: [] as Order[],
    trades: [] as Trade[],
    contracts: new Map<string, Contract>([[MNQ, MNQ_C]]),
  };
  const calls: string[] = [];
  const rest: ReconcileRest = {
    searchAccounts: async () => (calls.push('accounts'), state.accounts),
    searchOpenPositions: async () => (calls.push('positions'), state.positions),
    queryWorkingOrders: async () => (calls.push('orders'), state.working),
    searchOrders: async () => (calls.push('searchOrders'), state.allOrders),
    searchTrades: async (_a, start) => (calls.push('trades'), state.trades.filter((t) => t.creationTimestamp >= start)),
    contractById: async (id) => {
      calls.push(`contract:${id}`);
      const c = state.contracts.get(id);
      if (!c) throw new Error(`no contract ${id}`);
      return c;
    },
  };
  return { state, calls, rest };
}

const trade = (id: number, at: number, pnl: number | null): Trade => ({
  id, accountId: ACC, contractId: MNQ, creationTimestamp: at, price: 100, profitAndLoss: pnl, fees: 0.37, side: pnl === null ? 0 : 1, size: 1, voided: false, orderId: id * 10,
});

function setup(now = T0 + 60_000) {
  const r = registry();
  const col = collector();
  const log = recordingLogger();
  const router = createRouter({ registry: r, onChange: col.onChange, logger: log });
  const fake = fakeRest();
  let clock = now;
  const deps = { rest: fake.rest, registry: r, router, logger: log, now: () => clock };
  return { r, col, router, fake, deps, setNow: (t: number) => (clock = t) };
}

describe('reconcile', () => {
  it('applies what happened while blind as events: missed fills, a vanished position as a close, a vanished order', async () => {
    const { r, col, router, fake, deps } = setup();
    router.handle(posEv({ id: 5, size: 1, averagePrice: 100 }, T0));
    router.handle(orderEv({ id: 50, status: 1, stopPrice: 90 }));
    router.handle(orderEv({ id: 51, status: 1, stopPrice: 80 }));
    router.handle(tradeEv({ id: 1 }, T0));
    col.changes.length = 0;
    // While blind: the stop 50 filled (exit), 51 was cancelled and does not show in Order/search either.
    fake.state.trades = [trade(1, T0, null), trade(2, T0 + 30_000, -5)];
    fake.state.allOrders = [{ ...(orderEv({ id: 50 }) as { order: Order }).order, status: 2, fillVolume: 1, updateTimestamp: T0 + 30_000 }];
    const res = await reconcileAccount(deps, ACC);
    expect(res).toMatchObject({ vanishedPositions: 1, vanishedOrders: 2, trades: 2 });
    expect(col.kinds()).toEqual(['fill', 'order:terminal', 'order:terminal', 'position:closed']);
    const l = r.get(ACC)!;
    expect(l.positions()).toEqual([]);
    expect(l.workingOrders()).toEqual([]);
    expect(l.realizedGrossToday()).toBe(-5);
    expect(l.feesToday()).toBe(0.74);
    // A second reconcile of the same truth changes nothing.
    col.changes.length = 0;
    await reconcileAccount(deps, ACC);
    expect(col.changes).toEqual([]);
  });

  it("applies a check's Position/searchOpen answer as a positions-only snapshot: no request, a vanished position closes, a newer hub event wins", async () => {
    const { r, col, router, fake, deps } = setup();
    router.handle(posEv({ id: 5, size: 2, averagePrice: 100 }, T0));
    col.changes.length = 0;
    // The check's read was sent at T0 + 10 s and found the position flat: applied, it closes it.
    expect(await applyPositionsSnapshot(deps, ACC, { at: T0 + 10_000, positions: [] })).toBe(1);
    expect(fake.calls).toEqual([]);
    expect(col.kinds()).toEqual(['position:closed']);
    expect(r.get(ACC)!.positions()).toEqual([]);
    // A position the hub reported after that read was sent is newer: the same (late) answer cannot close it.
    router.handle(posEv({ id: 6, size: 1, averagePrice: 101, creationTimestamp: T0 + 11_000 }, T0 + 11_000));
    col.changes.length = 0;
    await applyPositionsSnapshot(deps, ACC, { at: T0 + 10_000, positions: [] });
    expect(col.changes).toEqual([]);
    expect(r.get(ACC)!.positions()).toHaveLength(1);
  });

  describe("a check's Order/v2/query answer applied as an orders-only snapshot", () => {
    const order = (o: Partial<Order> & { id: number }): Order => (orderEv(o) as { order: Order }).order;

    it('ends an order riskd cancelled that it no longer lists, without a request, and applies once', async () => {
      const { r, col, router, fake, deps } = setup();
      router.handle(orderEv({ id: 50, stopPrice: 90 }));
      router.handle(orderEv({ id: 51, stopPrice: 80 }));
      col.changes.length = 0;
      const snapshot = { at: T0 + 10_000, orders: [order({ id: 51, stopPrice: 80 })], heldWorking: [50, 51] };
      expect(await applyOrdersSnapshot(deps, ACC, snapshot, [50])).toBe(2);
      expect(fake.calls).toEqual([]);
      expect(col.kinds()).toEqual(['order:terminal']);
      expect(col.changes[0]!.change).toMatchObject({ order: { id: 50, status: 3 } });
      expect(r.get(ACC)!.workingOrders().map((o) => o.id)).toEqual([51]);
      // The same answer again changes nothing.
      col.changes.length = 0;
      await applyOrdersSnapshot(deps, ACC, snapshot, [50]);
      expect(col.changes).toEqual([]);
      expect(fake.calls).toEqual([]);
    });

    it('a hub event newer than the read wins; an order riskd learned of after the read was sent is not judged by it', async () => {
      const { r, col, router, fake, deps } = setup();
      router.handle(orderEv({ id: 50, stopPrice: 90 }));
      // After the read was sent (T0 + 10 s): the hub moved stop 50 and reported a new order 52.
      router.handle(orderEv({ id: 50, stopPrice: 95, updateTimestamp: T0 + 11_000 }));
      router.handle(orderEv({ id: 52, stopPrice: 70, updateTimestamp: T0 + 11_000 }));
      col.changes.length = 0;
      await applyOrdersSnapshot(deps, ACC, { at: T0 + 10_000, orders: [order({ id: 50, stopPrice: 90 })], heldWorking: [50] });
      expect(col.changes).toEqual([]);
      expect(fake.calls).toEqual([]);
      expect(r.get(ACC)!.workingOrders().map((o) => [o.id, o.stopPrice])).toEqual([[50, 95], [52, 70]]);
    });

    it('an order gone from the list is recorded as what ended it: its fills, else Order/search (a full reconcile does the same)', async () => {
      const { r, col, router, fake, deps } = setup();
      router.handle(orderEv({ id: 50, size: 2 }));
      router.handle(orderEv({ id: 51 }));
      router.handle(orderEv({ id: 52 }));
      // Order 50's two fills arrived, its status did not; 51 filled while the hub was silent; 52 is not listed anywhere.
      router.handle(tradeEv({ id: 1, orderId: 50 }, T0 + 1000));
      router.handle(tradeEv({ id: 2, orderId: 50 }, T0 + 1000));
      fake.state.allOrders = [order({ id: 51, status: 2, fillVolume: 1, updateTimestamp: T0 + 5000 })];
      col.changes.length = 0;
      await applyOrdersSnapshot(deps, ACC, { at: T0 + 10_000, orders: [], heldWorking: [50, 51, 52] });
      expect(fake.calls).toEqual(['searchOrders']);
      expect(col.changes.map(({ change: c }) => c.kind === 'order' && [c.order.id, c.order.status, c.order.fillVolume])).toEqual([
        [50, 2, 2],
        [51, 2, 1],
        [52, 3, 0],
      ]);
      expect(r.get(ACC)!.workingOrders()).toEqual([]);
    });
  });

  it('a snapshot older than a hub event cannot undo it (REST stamped with the request time)', async () => {
    const { r, router, fake, deps } = setup(T0 + 10);
    fake.state.positions = []; // the snapshot was taken before the hub's open arrived
    const slow = fake.rest.searchOpenPositions;
    fake.rest.searchOpenPositions = async (a, o) => {
      router.handle(posEv({ id: 6, size: 1 }, T0 + 20)); // hub event during the request
      return slow(a, o);
    };
    await reconcileAccount(deps, ACC);
    expect(r.get(ACC)!.openContractsTotal()).toBe(1);
  });

  it('new positions and orders show up; unknown contracts are fetched and cached', async () => {
    const { r, col, fake, deps } = setup();
    const NQ = 'CON.F.US.ENQ.Z25';
    fake.state.contracts.set(NQ, { id: NQ, name: 'NQZ5', description: '', tickSize: 0.25, tickValue: 5, activeContract: true, symbolId: 'F.US.ENQ' });
    fake.state.positions = [{ id: 9, accountId: ACC, contractId: NQ, creationTimestamp: T0, type: 2, size: 1, averagePrice: 20000 }];
    fake.state.working = [(orderEv({ id: 70, contractId: NQ, side: 0, stopPrice: 20010 }) as { order: Order }).order];
    const res = await reconcileAll(deps);
    expect(res.failed).toEqual([]);
    expect(res.ok[0]!.contractsFetched).toBe(1);
    expect(col.kinds()).toEqual(['account', 'order:working', 'position:opened']);
    expect(r.contracts.get(NQ)?.tickValue).toBe(5);
    expect(r.get(ACC)!.canTrade).toBe(true);
    expect(r.get(ACC)!.position(NQ)!.symbol).toBe('NQ');
  });

  it('a failing REST call applies nothing and rethrows', async () => {
    const { col, fake, deps, router } = setup();
    router.handle(posEv({ id: 5 }, T0));
    col.changes.length = 0;
    fake.rest.queryWorkingOrders = async () => {
      throw new Error('HTTP 500');
    };
    await expect(reconcileAccount(deps, ACC)).rejects.toThrow('HTTP 500');
    expect(col.changes).toEqual([]);
  });
});

describe('reconcileAll across accounts', () => {
  const NQ = 'CON.F.US.ENQ.Z25';
  const NQ_C: Contract = { id: NQ, name: 'NQZ5', description: '', tickSize: 0.25, tickValue: 5, activeContract: true, symbolId: 'F.US.ENQ' };

  /** Accounts ACC..ACC+n-1 all holding 1 NQ (a contract the registry does not know yet). */
  function manyAccounts(n: number) {
    const { r, fake, deps } = setup();
    const ids = Array.from({ length: n }, (_, i) => ACC + i);
    for (const id of ids.slice(1)) r.open(id, T0);
    fake.state.accounts = ids.map((id) => ({ id, name: `A${id}`, balance: 50000, canTrade: true, isVisible: true, simulated: true }));
    fake.state.contracts.set(NQ, NQ_C);
    const byAccount = (id: number): Position[] => [{ id: id * 10, accountId: id, contractId: NQ, creationTimestamp: T0, type: 1, size: 1, averagePrice: 20000 }];
    return { r, fake, deps, ids, byAccount };
  }

  it('reconciles accounts side by side (bounded), reporting results and failures in account order', async () => {
    const { fake, deps, ids, byAccount } = manyAccounts(RECONCILE_CONCURRENCY + 4);
    let inFlight = 0;
    let maxInFlight = 0;
    const gates: (() => void)[] = [];
    fake.rest.searchOpenPositions = async (id) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((res) => gates.push(res));
      inFlight--;
      if (id === ids[2]) throw new Error('HTTP 500');
      return byAccount(id);
    };
    const run = reconcileAll(deps);
    // Release the blocked position calls in reverse order, a few at a time, until the run is done.
    let done = false;
    void run.finally(() => (done = true));
    while (!done) {
      await new Promise((res) => setImmediate(res));
      for (const g of gates.splice(0).reverse()) g();
    }
    const res = await run;
    expect(maxInFlight).toBe(RECONCILE_CONCURRENCY);
    expect(res.ok.map((o) => o.accountId)).toEqual(ids.filter((id) => id !== ids[2]));
    expect(res.failed.map((f) => f.accountId)).toEqual([ids[2]]);
  });

  it('a contract several accounts hold is fetched once, and every account gets its tick facts', async () => {
    const { r, fake, deps, ids, byAccount } = manyAccounts(5);
    fake.rest.searchOpenPositions = async (id) => byAccount(id);
    const res = await reconcileAll(deps);
    expect(res.failed).toEqual([]);
    expect(fake.calls.filter((c) => c === `contract:${NQ}`)).toHaveLength(1);
    expect(res.ok.reduce((n, o) => n + o.contractsFetched, 0)).toBe(1);
    for (const id of ids) expect(r.get(id)!.position(NQ)!.symbol).toBe('NQ');
    expect(r.contracts.get(NQ)?.tickValue).toBe(5);
  });

  it('a failed shared contract lookup is retried by the next reconcile', async () => {
    const { r, fake, deps, byAccount } = manyAccounts(3);
    fake.rest.searchOpenPositions = async (id) => byAccount(id);
    fake.state.contracts.delete(NQ);
    await reconcileAll(deps);
    expect(fake.calls.filter((c) => c === `contract:${NQ}`)).toHaveLength(1);
    expect(r.contracts.has(NQ)).toBe(false);
    fake.state.contracts.set(NQ, NQ_C);
    await reconcileAll(deps);
    expect(fake.calls.filter((c) => c === `contract:${NQ}`)).toHaveLength(2);
    expect(r.contracts.get(NQ)?.tickValue).toBe(5);
  });
});

describe('degraded poller', () => {
  afterEach(() => vi.useRealTimers());

  it('sizes the interval to half the 200/60s budget', () => {
    expect(pollIntervalMs(1)).toBe(2000); // 3 calls → 1.8 s, floored at 2 s
    expect(pollIntervalMs(10)).toBe(18_000); // 30 calls per cycle at 100 calls/min
    expect(pollIntervalMs(10, { share: 1 })).toBe(9_000);
    // Over a minute the poll never exceeds its share.
    for (const n of [1, 3, 7, 20, 50]) expect((60_000 / pollIntervalMs(n)) * n * 3).toBeLessThanOrEqual(100);
  });

  it('polls every account each cycle until stopped, surviving failures', async () => {
    vi.useFakeTimers();
    const polled: number[] = [];
    const poller = createDegradedPoller({
      accounts: () => [1, 2],
      poll: async (id) => {
        polled.push(id);
        if (id === 2) throw new Error('429');
      },
      logger: recordingLogger(),
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(polled).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(pollIntervalMs(2));
    expect(polled).toEqual([1, 2, 1, 2]);
    poller.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polled).toHaveLength(4);
    expect(poller.running).toBe(false);
  });
});
