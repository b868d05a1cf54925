// Executor behaviour against the in-process gateway double: exact REST calls, in-flight dedupe, reconcile
// before any re-send, live-account fallbacks, the stop-move throttle, drain, and the audit rows.
import { describe, expect, it } from 'vitest';
import { OrderSide, OrderStatus, OrderType, type Order } from '../../src/gateway/models.ts';
import type { AccountStateView } from '../../src/enforce/types.ts';
import { FakeGateway } from './helpers/fakeGateway.ts';
import { makeHarness } from './helpers/harness.ts';
import { flush } from './helpers/manualClock.ts';

const ACC = 13572468;
const MNQ = 'CON.F.US.MNQ.Z25';
const ES = 'CON.F.US.EP.Z25';

/** A ledger view built from the double's current state (what the runtime's ledger would hold). */
function viewOf(gw: FakeGateway, accountId: number): AccountStateView {
  return {
    positions: () =>
      [MNQ, ES]
        .map((c) => gw.position(accountId, c))
        .filter((p) => p !== undefined)
        .map((p) => ({ contractId: p.contractId, size: p.size, symbol: p.contractId.split('.')[3] ?? '' })),
    workingOrders: () => {
      const out: Order[] = [];
      for (let id = 3_470_001_001; id < 3_470_001_050; id++) {
        const o = gw.order(accountId, id);
        if (o) out.push(o);
      }
      return out;
    },
    symbolOf: (c) => c.split('.')[3] ?? '',
  };
}

function setup(opts: { live?: boolean; withView?: boolean; hub?: boolean } = {}) {
  const gw = new FakeGateway();
  if (opts.live) gw.setLive(ACC);
  const h = makeHarness(gw, opts.withView === false ? {} : { view: (a) => viewOf(gw, a) });
  // The hub: every executed mutation comes back as a ledger change unless the test cuts it.
  if (opts.hub !== false) gw.onChange = (a, change) => queueMicrotask(() => h.executor.confirmFromLedger(a, change));
  return { gw, ...h };
}

describe('flatten', () => {
  it('closes every position and cancels every working order, incl. suspended bracket children', async () => {
    const { gw, executor, request, audit, attribution, clock } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.openPosition(ACC, ES, 1);
    const stop = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Stop, side: OrderSide.Ask, size: 2, stopPrice: 99 });
    const child = gw.addOrder(ACC, { contractId: ES, type: OrderType.Limit, side: OrderSide.Ask, status: OrderStatus.Suspended });
    await executor.execute([request({ type: 'flatten', accountId: ACC })]);

    expect(gw.calls).toEqual([
      { endpoint: 'Position/closeContract', accountId: ACC, contractId: MNQ, priority: 'enforce' },
      { endpoint: 'Position/closeContract', accountId: ACC, contractId: ES, priority: 'enforce' },
      { endpoint: 'Order/cancel', accountId: ACC, orderId: stop.id, priority: 'enforce' },
      { endpoint: 'Order/cancel', accountId: ACC, orderId: child.id, priority: 'enforce' },
      // The sweep after the flatten (it cancelled a bracket group): REST shows nothing left.
      { endpoint: 'Position/searchOpen', accountId: ACC, priority: 'reconcile' },
      { endpoint: 'Order/v2/query', accountId: ACC, priority: 'reconcile' },
    ]);
    const rows = audit.list();
    expect(rows.map((r) => [r.status, r.endpoint])).toEqual([
      ['confirmed', 'Position/closeContract'],
      ['confirmed', 'Position/closeContract'],
      ['confirmed', 'Order/cancel'],
      ['confirmed', 'Order/cancel'],
    ]);
    for (const r of rows) {
      expect(r.rule).toBe('RULE-003');
      expect(r.reason).toContain('Daily loss');
      expect(r.requestAt).toBe(clock.now());
      expect(r.confirmedAt).toBe(clock.now());
      const n = JSON.parse(r.numbers) as { latency: Record<string, number>; limit: number };
      expect(n.limit).toBe(500);
      expect(n.latency.triggerToRequestMs).toBe(3);
      expect(n.latency.triggerToConfirmMs).toBe(3);
      // riskd's own overhead, measured (timing bounds belong in bench/, not in a test on a loaded machine).
      expect(n.latency.executeToRequestUs).toBeGreaterThanOrEqual(0);
    }
    // riskd's exits are marked before they happen so RULE-006/007 skip them.
    expect(attribution.pending).toEqual([
      [ACC, MNQ, clock.now() + 15_000, clock.now()],
      [ACC, ES, clock.now() + 15_000, clock.now()],
    ]);
  });

  it('lists positions and orders over REST when there is no ledger view', async () => {
    const { gw, executor, request } = setup({ withView: false });
    gw.openPosition(ACC, MNQ, 3);
    const o = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid });
    await executor.execute([request({ type: 'flatten', accountId: ACC })]);
    expect(gw.calls.map((c) => c.endpoint)).toEqual([
      'Position/searchOpen',
      'Order/v2/query',
      'Position/closeContract',
      'Order/cancel',
      'Position/searchOpen',
      'Order/v2/query',
    ]);
    expect(gw.calls[3]).toMatchObject({ orderId: o.id });
    expect(gw.position(ACC, MNQ)).toBeUndefined();
  });

  it('before the account\'s first REST snapshot a flatten asks REST what is open, not the remembered ledger', async () => {
    // Seen in the crash loop: killed right after the kill switch's close was answered, the restarted riskd's
    // hard-lock flatten trusted the ledger it had remembered (position still open) and closed it a second time.
    const gw = new FakeGateway();
    gw.openPosition(ACC, MNQ, 1);
    const remembered = viewOf(gw, ACC);
    const stale: AccountStateView = { ...remembered, positions: () => [{ ...remembered.positions()[0]! }] };
    gw.traderClose(ACC, MNQ); // riskd's close landed before the crash; the hub's word of it was lost with the process
    let reconciled = false;
    let view = stale;
    const h = makeHarness(gw, { view: () => view, reconciled: () => reconciled });
    gw.onChange = (a, change) => queueMicrotask(() => h.executor.confirmFromLedger(a, change));
    await h.executor.execute([h.request({ type: 'flatten', accountId: ACC })]);
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/searchOpen', 'Order/v2/query']);
    expect(h.audit.list().at(-1)).toMatchObject({ status: 'skipped' });
    // After the snapshot the ledger is trusted again: a flatten reads nothing before its close.
    reconciled = true;
    gw.openPosition(ACC, MNQ, 1);
    view = viewOf(gw, ACC);
    gw.calls.length = 0;
    await h.executor.execute([h.request({ type: 'flatten', accountId: ACC })]);
    expect(gw.calls[0]?.endpoint).toBe('Position/closeContract');
  });

  it('sweeps leftovers the ledger did not show (a suspended bracket child) once the flatten settles', async () => {
    const gw = new FakeGateway();
    // A ledger that missed the status-8 child, as Order/searchOpen would.
    const partial = (a: number): AccountStateView => {
      const v = viewOf(gw, a);
      return { ...v, workingOrders: () => v.workingOrders().filter((o) => o.status !== OrderStatus.Suspended) };
    };
    const h = makeHarness(gw, { view: partial });
    gw.onChange = (a, change) => queueMicrotask(() => h.executor.confirmFromLedger(a, change));
    gw.openPosition(ACC, MNQ, 1);
    const entry = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid });
    const child = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Stop, side: OrderSide.Ask, status: OrderStatus.Suspended });
    await h.executor.execute([h.request({ type: 'flatten', accountId: ACC })]);
    expect(gw.calls.map((c) => [c.endpoint, c.priority])).toEqual([
      ['Position/closeContract', 'enforce'],
      ['Order/cancel', 'enforce'],
      // A resting order was cancelled: a bracket group may have left a leg the ledger does not show (quirk 7).
      ['Position/searchOpen', 'reconcile'],
      ['Order/v2/query', 'reconcile'],
      ['Order/cancel', 'enforce'],
    ]);
    expect(gw.calls[1]).toMatchObject({ orderId: entry.id });
    expect(gw.order(ACC, child.id)).toBeUndefined();
    const sweepRow = h.audit.list().at(-1)!;
    expect(sweepRow).toMatchObject({ status: 'confirmed', endpoint: 'Order/cancel' });
    expect(sweepRow.reason).toContain('flatten sweep');
  });

  it('the sweep leaves a position opened after the flatten closed its contract: the kill switch decides that one', async () => {
    // Seen in the e2e blackout: the trader bought again right after the flatten's close; the sweep's REST look
    // found the new position and closed it too, and the kill switch's close of it was absorbed (two decisions).
    const gw = new FakeGateway();
    const h = makeHarness(gw, { view: (a) => viewOf(gw, a) });
    let reopened = false;
    gw.onChange = (a, change) => {
      queueMicrotask(() => h.executor.confirmFromLedger(a, change));
      if (!reopened && change.kind === 'position' && change.contractId === MNQ && change.size === 0) {
        reopened = true;
        queueMicrotask(() => gw.openPosition(ACC, MNQ, 1));
      }
    };
    gw.openPosition(ACC, MNQ, 2);
    const resting = gw.addOrder(ACC, { contractId: ES, type: OrderType.Limit, side: OrderSide.Bid }); // the sweep follows
    await h.executor.execute([h.request({ type: 'flatten', accountId: ACC })]);
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/closeContract', 'Order/cancel', 'Position/searchOpen', 'Order/v2/query']);
    expect(gw.calls[1]).toMatchObject({ orderId: resting.id });
    expect(gw.position(ACC, MNQ)?.size).toBe(1);
  });

  it('cancelAll by symbol cancels only that symbol\'s working orders (case-insensitive)', async () => {
    const { gw, executor, request } = setup();
    const mnq = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid });
    gw.addOrder(ACC, { contractId: ES, type: OrderType.Limit, side: OrderSide.Bid });
    await executor.execute([request({ type: 'cancelAll', accountId: ACC, symbol: 'mnq' }, 'RULE-011', 'MNQ is blocked')]);
    expect(gw.mutations()).toEqual([{ endpoint: 'Order/cancel', accountId: ACC, orderId: mnq.id, priority: 'enforce' }]);
  });

  it('records a skipped row when there is nothing to flatten', async () => {
    const { gw, executor, request, audit } = setup();
    await executor.execute([request({ type: 'flatten', accountId: ACC })]);
    expect(gw.calls).toEqual([]);
    expect(audit.list()).toMatchObject([{ status: 'skipped', outcome: expect.stringContaining('nothing to do') }]);
  });
});

describe('REST economy', () => {
  it('a flatten of positions the hub confirms costs its closes only: no sweep, no check', async () => {
    const { gw, executor, request, audit, reevaluations } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.openPosition(ACC, ES, 1);
    await executor.execute([request({ type: 'flatten', accountId: ACC })]);
    await flush();
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/closeContract', 'Position/closeContract']);
    expect(audit.list().map((r) => r.status)).toEqual(['confirmed', 'confirmed']);
    expect(reevaluations).toEqual([
      [ACC, MNQ, 'ledger'],
      [ACC, ES, 'ledger'],
    ]);
  });

  it('a flatten does not cancel the market order of a contract it closes (closeContract\'s own order, or one about to fill)', async () => {
    const { gw, executor, request, audit, clock } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Market, side: OrderSide.Ask, size: 2, status: OrderStatus.Pending });
    const other = gw.addOrder(ACC, { contractId: ES, type: OrderType.Market, side: OrderSide.Bid, size: 1, status: OrderStatus.Pending });
    const done = executor.execute([request({ type: 'flatten', accountId: ACC })]);
    // No position of ES is being closed: its market order is cancelled like any other, once it has had the time
    // to fill (it does not here).
    await clock.advance(300);
    await done;
    expect(gw.mutations().map((c) => [c.endpoint, c.contractId ?? c.orderId])).toEqual([
      ['Position/closeContract', MNQ],
      ['Order/cancel', other.id],
    ]);
    expect(audit.list()).toHaveLength(2);
  });

  it('checks a missing confirmation at reconcile priority, one read per account for several actions', async () => {
    const { gw, executor, request, audit, clock, reevaluations } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 1);
    gw.openPosition(ACC, ES, 1);
    const done = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ }), request({ type: 'close', accountId: ACC, contractId: ES })]);
    await clock.advance(2000);
    await done;
    expect(gw.calls.map((c) => [c.endpoint, c.priority])).toEqual([
      ['Position/closeContract', 'enforce'],
      ['Position/closeContract', 'enforce'],
      ['Position/searchOpen', 'reconcile'],
    ]);
    expect(audit.list().map((r) => r.status)).toEqual(['reconciled', 'reconciled']);
    await flush();
    // The re-evaluation runs on the check's own answer (both positions flat), not on a reconcile of its own.
    expect(reevaluations).toEqual([[ACC, undefined, 'rest', { positions: { at: clock.now(), positions: [] } }]]);
  });

  it('a cancel the hub does not confirm is checked with one orders read, and re-evaluated on that answer', async () => {
    const { gw, executor, request, audit, clock, reevaluations } = setup({ hub: false });
    const order = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, limitPrice: 100 });
    const other = gw.addOrder(ACC, { contractId: ES, type: OrderType.Limit, side: OrderSide.Bid, limitPrice: 100 });
    const done = executor.execute([request({ type: 'cancel', accountId: ACC, orderId: order.id })]);
    await clock.advance(2000);
    await done;
    expect(gw.calls.map((c) => [c.endpoint, c.priority])).toEqual([
      ['Order/cancel', 'enforce'],
      ['Order/v2/query', 'reconcile'],
    ]);
    expect(audit.list()[0]).toMatchObject({ status: 'reconciled', outcome: expect.stringContaining(`order ${order.id} no longer working`) });
    await flush();
    // No reconcile of its own: the check's answer, what the ledger held working when it was sent, and the cancel
    // the gateway accepted (the order left the list because of it).
    expect(reevaluations).toEqual([
      [ACC, undefined, 'rest', { orders: { at: clock.now(), orders: [expect.objectContaining({ id: other.id })], heldWorking: [other.id] }, cancelled: [order.id] }],
    ]);
    expect(gw.calls).toHaveLength(2);
  });

  it('an absorbed or skipped intent costs no request', async () => {
    const { gw, executor, request, reevaluations } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', 'hold');
    const first = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    for (let i = 0; i < 5; i++) await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await executor.execute([request({ type: 'cancelAll', accountId: ACC })]); // nothing working: skipped
    gw.releaseHeld();
    await first;
    await flush();
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/closeContract']);
    expect(reevaluations).toEqual([[ACC, MNQ, 'ledger']]);
  });
});

describe('one in-flight action per (account, contract)', () => {
  it('absorbs a second close while the first is in flight: one closeContract, then asks the caller', async () => {
    const { gw, executor, request, audit, reevaluations } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', 'hold');
    const first = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ }, 'RULE-004', 'Unrealized loss')]);
    await executor.execute([request({ type: 'flatten', accountId: ACC })]);
    expect(executor.inFlight()).toMatchObject([{ kind: 'close', contractId: MNQ, state: 'sending.waitingForBudget' }]);
    gw.releaseHeld();
    await first;
    expect(gw.calls.filter((c) => c.endpoint === 'Position/closeContract')).toHaveLength(1);
    expect(audit.list().map((r) => r.status)).toEqual(['confirmed', 'skipped', 'skipped']);
    expect(audit.list()[1]!.outcome).toMatch(/absorbed: close already in flight .*row #1/);
    await flush();
    // The hub confirmed it: the rules run again on the ledger, no REST.
    expect(reevaluations).toEqual([[ACC, MNQ, 'ledger']]);
    expect(executor.inFlight()).toEqual([]);
  });
});

describe('confirmation and reconciliation', () => {
  it('confirms by REST when the confirming event never arrives', async () => {
    const { gw, executor, request, audit, clock } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 1);
    const done = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await clock.advance(1999);
    expect(audit.list()[0]!.status).toBe('sent');
    await clock.advance(1);
    await done;
    const row = audit.list()[0]!;
    expect(row).toMatchObject({ status: 'reconciled', confirmedAt: clock.now() });
    expect(row.outcome).toContain('no confirming event within 2000 ms; REST check: position is flat');
    expect(JSON.parse(row.numbers).latency.triggerToConfirmMs).toBe(2003);
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/closeContract', 'Position/searchOpen']);
  });

  it('fails and hands back (no re-send) when the gateway accepted but the position is still open', async () => {
    const { gw, executor, request, audit, clock, reevaluations } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 1);
    gw.fault('Position/closeContract', 'accepted-noop');
    const done = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await clock.advance(2000);
    await done;
    expect(audit.list()[0]).toMatchObject({ status: 'failed', outcome: expect.stringContaining('position 1 still open') });
    expect(gw.mutations()).toHaveLength(1);
    // After a failure the caller is asked again only after a rest, and the key refuses new sends meanwhile.
    expect(reevaluations).toEqual([]);
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    expect(audit.list()[1]).toMatchObject({ status: 'skipped', outcome: expect.stringMatching(/last attempt failed .* next try allowed in 1000 ms/) });
    await clock.advance(1000);
    // Not confirmed by the hub: the caller reconciles the account over REST (one per account, coalesced).
    expect(reevaluations).toEqual([[ACC, undefined, 'rest']]);
    // The next failure on the same key rests twice as long.
    gw.fault('Position/closeContract', 'accepted-noop');
    const again = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await clock.advance(2000);
    await again;
    expect(gw.mutations()).toHaveLength(2);
    await clock.advance(1999);
    expect(reevaluations).toHaveLength(1);
    await clock.advance(1);
    expect(reevaluations).toHaveLength(2);
  });

  it('a gateway that keeps refusing (market closed) is not hammered', async () => {
    const { gw, executor, request, audit, clock } = setup();
    gw.openPosition(ACC, MNQ, 5);
    gw.fault('Position/partialCloseContract', 'rejected-market-closed');
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 1 })]);
    expect(audit.list()[0]).toMatchObject({ status: 'failed', outcome: 'refused by the gateway: Position/partialCloseContract errorCode 6' });
    for (let i = 0; i < 5; i++) await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 1 })]);
    expect(gw.mutations()).toHaveLength(1);
    await clock.advance(1000);
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 1 })]);
    expect(gw.mutations()).toHaveLength(2);
    expect(gw.position(ACC, MNQ)?.size).toBe(4);
  });

  it('a close that timed out but executed is reconciled and NOT re-sent', async () => {
    const { gw, executor, request, audit } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', 'timeout-executed');
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/closeContract', 'Position/searchOpen']);
    expect(audit.list()[0]).toMatchObject({ status: 'reconciled' });
    expect(audit.list()[0]!.outcome).toMatch(/attempt 1: GatewayTimeoutError.*REST check: position is flat/);
  });

  it('a 500 whose close executed is reconciled, not re-sent', async () => {
    const { gw, executor, request, audit } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', '500-executed');
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    expect(gw.mutations()).toHaveLength(1);
    expect(audit.list()[0]).toMatchObject({ status: 'reconciled' });
  });

  it('429 on close: REST proves nothing happened, re-sent once, completed exactly once', async () => {
    const { gw, executor, request, audit, clock } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', '429');
    const done = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await clock.advance(0);
    expect(audit.list()[0]!.outcome).toMatch(/attempt 1: RateLimitedError.*position 2 still open, no fill; re-sending/);
    await clock.advance(250);
    await done;
    expect(gw.calls.map((c) => c.endpoint)).toEqual([
      'Position/closeContract',
      'Position/searchOpen',
      'Order/v2/query',
      'Position/closeContract',
    ]);
    const row = audit.list()[0]!;
    expect(row.status).toBe('confirmed');
    expect(JSON.parse(row.numbers).attempts).toBe(2);
    expect(gw.position(ACC, MNQ)).toBeUndefined();
  });

  it('a lost request (timeout, not executed) is re-sent after the check; gives up after maxAttempts', async () => {
    const { gw, executor, request, audit, clock } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', 'timeout-lost', 3);
    const done = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await clock.advance(5000);
    await done;
    expect(gw.mutations()).toHaveLength(3);
    expect(audit.list()[0]).toMatchObject({ status: 'failed', outcome: expect.stringContaining('gave up after 3 attempts') });
    expect(gw.position(ACC, MNQ)?.size).toBe(2);
  });

  it('does not re-send a close while a market order for it is still working', async () => {
    const { gw, executor, request, audit, clock } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 2);
    gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Market, side: OrderSide.Ask, size: 2 });
    gw.fault('Position/closeContract', 'timeout-lost');
    const done = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await clock.advance(0);
    expect(audit.list()[0]!.outcome).toContain('market order working; awaiting it');
    await clock.advance(2000);
    await clock.advance(2000);
    await done;
    expect(gw.mutations()).toHaveLength(1);
    expect(audit.list()[0]!.status).toBe('failed');
  });
});

describe('live accounts (cancel and partial close refused)', () => {
  it('reduce falls back to closeContract on errorCode 9 and remembers the account', async () => {
    const { gw, executor, request, audit } = setup({ live: true });
    gw.openPosition(ACC, MNQ, 5);
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 2 }, 'RULE-001', 'Too many contracts')]);
    expect(gw.mutations().map((c) => [c.endpoint, c.size])).toEqual([
      ['Position/partialCloseContract', 2],
      ['Position/closeContract', undefined],
    ]);
    expect(audit.list()[0]).toMatchObject({ status: 'confirmed', endpoint: 'Position/closeContract' });
    expect(executor.accountRefusals(ACC)).toEqual({ cancel: false, partialClose: true });
    gw.openPosition(ACC, MNQ, 5);
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 2 })]);
    expect(gw.mutations().slice(2).map((c) => c.endpoint)).toEqual(['Position/closeContract']);
  });

  it('reduce on a simulated account uses partialCloseContract and confirms on the smaller size', async () => {
    const { gw, executor, request, audit } = setup();
    gw.openPosition(ACC, MNQ, 5);
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 2 })]);
    expect(gw.mutations()).toMatchObject([{ endpoint: 'Position/partialCloseContract', size: 2 }]);
    expect(gw.position(ACC, MNQ)?.size).toBe(3);
    expect(audit.list()[0]).toMatchObject({ status: 'confirmed', outcome: 'position reduced to 3 (ledger event)' });
  });

  it('a reduce whose outcome is unknown is not re-sent when the size before it is unknown', async () => {
    const { gw, executor, request, audit } = setup({ withView: false, hub: false });
    gw.openPosition(ACC, MNQ, 5);
    gw.fault('Position/partialCloseContract', 'timeout-executed');
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 2 })]);
    expect(gw.mutations()).toHaveLength(1);
    expect(gw.position(ACC, MNQ)?.size).toBe(3);
    expect(audit.list()[0]).toMatchObject({ status: 'failed', outcome: expect.stringContaining('size before the reduce unknown; not re-sent') });
  });

  it('a reduce that timed out after executing is reconciled when the size before it is known', async () => {
    const { gw, executor, request, audit } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 5);
    gw.fault('Position/partialCloseContract', 'timeout-executed');
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 2 })]);
    expect(gw.mutations()).toHaveLength(1);
    expect(audit.list()[0]).toMatchObject({ status: 'reconciled', outcome: expect.stringContaining('position reduced to 3') });
  });

  it('InvalidCloseSize (errorCode 5: position no larger than the reduce) closes the position', async () => {
    const { gw, executor, request } = setup();
    gw.openPosition(ACC, MNQ, 2);
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 2 })]);
    expect(gw.mutations().map((c) => c.endpoint)).toEqual(['Position/partialCloseContract', 'Position/closeContract']);
    expect(gw.position(ACC, MNQ)).toBeUndefined();
  });

  it('a refusal is remembered across a restart: the restarted executor watches without asking again', async () => {
    const { gw, executor, request, restart, store } = setup({ live: true });
    const o = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1 });
    await executor.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id }, 'kill-switch', 'Account locked')]);
    await executor.execute([request({ type: 'reduce', accountId: ACC, contractId: MNQ, size: 1 })]);
    expect(store.gatewayRefusals.list()).toEqual([{ accountId: ACC, what: 'cancel' }, { accountId: ACC, what: 'partialClose' }]);
    const again = restart();
    expect(again.accountRefusals(ACC)).toEqual({ cancel: true, partialClose: true });
    expect(again.accountRefusals(ACC + 1)).toEqual({ cancel: false, partialClose: false });
    const sent = gw.mutations().length;
    await again.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id })]);
    expect(gw.mutations()).toHaveLength(sent); // watched at once, no Order/cancel spent relearning
    expect(again.closeOnFillWatches(ACC)).toEqual([{ accountId: ACC, orderId: o.id, contractId: MNQ }]);
  });

  it('an unreadable stored refusal list is reported and relearned, never fatal', async () => {
    const { store, restart } = setup({ live: true });
    store.meta.set('gateway_refusals', '{"not": "a list"}');
    expect(() => store.gatewayRefusals.list()).toThrow(/meta "gateway_refusals" is not a list/);
    const again = restart();
    expect(again.accountRefusals(ACC)).toEqual({ cancel: false, partialClose: false });
  });

  it('cancel refused: the order is watched and reported; its fill alone sends nothing (the account machine closes it)', async () => {
    const { gw, executor, request, audit, ownOrders } = setup({ live: true });
    const o = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1 });
    const o2 = gw.addOrder(ACC, { contractId: ES, type: OrderType.Limit, side: OrderSide.Bid, size: 1 });
    await executor.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id }, 'kill-switch', 'Account locked')]);
    expect(audit.list()[0]).toMatchObject({ status: 'failed', outcome: expect.stringContaining('Live accounts not supported') });
    expect(executor.accountRefusals(ACC).cancel).toBe(true);
    // Further cancels on this account are not attempted; they are watched straight away.
    await executor.execute([request({ type: 'cancelAll', accountId: ACC })]);
    expect(gw.mutations()).toHaveLength(1);
    expect(executor.closeOnFillWatches(ACC)).toEqual([
      { accountId: ACC, orderId: o.id, contractId: MNQ },
      { accountId: ACC, orderId: o2.id, contractId: ES },
    ]);
    // Each watch is reported once, with the rule and reason of the cancel it stands for.
    expect(ownOrders).toEqual([
      { type: 'fillWatched', accountId: ACC, orderId: o.id, contractId: MNQ, rule: 'kill-switch', reason: 'Account locked' },
      { type: 'fillWatched', accountId: ACC, orderId: o2.id, contractId: ES, rule: 'RULE-003', reason: 'Daily loss $512.40 reached your $500 limit' },
    ]);
    // The order fills: the executor does not act on its own (one brain: the account machine decides the close).
    gw.openPosition(ACC, MNQ, 1);
    executor.confirmFromLedger(ACC, { kind: 'order', order: { ...o, status: OrderStatus.Filled, fillVolume: 1 } });
    await flush();
    expect(gw.mutations()).toHaveLength(1);
    expect(executor.closeOnFillWatches(ACC)).toEqual([{ accountId: ACC, orderId: o2.id, contractId: ES }]);
  });
});

describe('moveStop', () => {
  const move = (orderId: number | undefined, stopPrice: number) =>
    ({ type: 'moveStop', accountId: ACC, contractId: MNQ, stopPrice, size: 2, side: OrderSide.Ask, ...(orderId ? { orderId } : {}) }) as const;

  it('modifies at most once per second per order and never loosens', async () => {
    const { gw, executor, request, audit, clock } = setup();
    gw.openPosition(ACC, MNQ, 2);
    const stop = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Stop, side: OrderSide.Ask, size: 2, stopPrice: 100 });
    await executor.execute([request(move(stop.id, 101), 'RULE-012', 'Breakeven')]);
    expect(gw.mutations()).toMatchObject([{ endpoint: 'Order/modify', orderId: stop.id, stopPrice: 101 }]);
    // Looser or equal: refused without a call.
    await executor.execute([request(move(stop.id, 100.5), 'RULE-012', 'Trail')]);
    await executor.execute([request(move(stop.id, 101), 'RULE-012', 'Trail')]);
    // Tighter but within the second: queued, and a tighter one supersedes it.
    await clock.advance(300);
    const queued = executor.execute([request(move(stop.id, 102), 'RULE-012', 'Trail')]);
    await flush();
    const newest = executor.execute([request(move(stop.id, 103), 'RULE-012', 'Trail')]);
    await flush();
    expect(gw.mutations()).toHaveLength(1);
    await clock.advance(699);
    expect(gw.mutations()).toHaveLength(1);
    await clock.advance(1);
    await Promise.all([queued, newest]);
    const modifies = gw.calls.filter((c) => c.endpoint === 'Order/modify');
    expect(modifies.map((c) => c.stopPrice)).toEqual([101, 103]);
    expect(audit.list().map((r) => r.status)).toEqual(['confirmed', 'skipped', 'skipped', 'skipped', 'confirmed']);
    expect(audit.list()[1]!.outcome).toContain('would not tighten it (never loosen)');
    expect(audit.list()[3]!.outcome).toContain('superseded by a tighter stop 103');
    expect(gw.order(ACC, stop.id)?.stopPrice).toBe(103);
  });

  it('a stop move the hub does not confirm costs the modify and one orders read, and is re-evaluated on that answer', async () => {
    const { gw, executor, request, audit, clock, reevaluations } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 2);
    const stop = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Stop, side: OrderSide.Ask, size: 2, stopPrice: 100 });
    const done = executor.execute([request(move(stop.id, 101), 'RULE-012', 'Breakeven')]);
    await clock.advance(2000);
    await done;
    expect(audit.list()[0]).toMatchObject({ status: 'reconciled', outcome: expect.stringContaining(`stop ${stop.id} at 101`) });
    await flush();
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Order/modify', 'Order/v2/query']);
    expect(reevaluations).toEqual([
      [ACC, undefined, 'rest', { orders: { at: clock.now(), orders: [expect.objectContaining({ id: stop.id, stopPrice: 101 })], heldWorking: [stop.id] }, cancelled: [] }],
    ]);
  });

  it('places a Stop with a unique riskd tag when there is none, then modifies that one', async () => {
    const { gw, executor, request, audit, attribution, clock } = setup();
    gw.openPosition(ACC, MNQ, 2);
    await executor.execute([request(move(undefined, 98), 'RULE-012', 'Place stop')]);
    const [place] = gw.mutations();
    expect(place).toMatchObject({ endpoint: 'Order/place', contractId: MNQ, size: 2, stopPrice: 98 });
    expect(place!.customTag).toMatch(new RegExp(`^riskd-${ACC}-[0-9a-z]+-1$`));
    expect(attribution.orders).toEqual([[ACC, expect.any(Number)]]);
    expect(audit.list()[0]!.status).toBe('confirmed');
    await clock.advance(1000);
    await executor.execute([request(move(undefined, 99), 'RULE-012', 'Trail')]);
    expect(gw.mutations()[1]).toMatchObject({ endpoint: 'Order/modify', orderId: attribution.orders[0]![1], stopPrice: 99 });
  });

  it('does not touch the stop while the position is being closed', async () => {
    const { gw, executor, request, audit } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', 'hold');
    const closing = executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await executor.execute([request(move(undefined, 98), 'RULE-012', 'Place stop')]);
    expect(gw.mutations().map((c) => c.endpoint)).toEqual(['Position/closeContract']);
    expect(audit.list()[1]).toMatchObject({ status: 'skipped', outcome: expect.stringContaining('close in flight') });
    gw.releaseHeld();
    await closing;
  });

  it('reports the stop it placed; a flat position alone cancels nothing (the account machine decides)', async () => {
    const { gw, executor, request, attribution, ownOrders } = setup();
    gw.openPosition(ACC, MNQ, 2);
    await executor.execute([request(move(undefined, 98), 'RULE-012', 'Place stop')]);
    expect(attribution.orders).toHaveLength(1);
    const stopId = attribution.orders[0]![1];
    expect(ownOrders).toEqual([{ type: 'stopPlaced', accountId: ACC, contractId: MNQ, orderId: stopId }]);
    // The trader closes the position on their platform; the ledger reports it flat.
    executor.confirmFromLedger(ACC, { kind: 'position', contractId: MNQ, size: 0 });
    await flush();
    expect(gw.mutations().map((m) => m.endpoint)).toEqual(['Order/place']);
    expect(gw.order(ACC, stopId)).toBeDefined();
  });

  it('reports a stop whose place completed after its position went flat (and sends no cancel itself)', async () => {
    const { gw, executor, request, ownOrders } = setup();
    gw.openPosition(ACC, MNQ, 1);
    gw.fault('Order/place', 'hold');
    const placing = executor.execute([request(move(undefined, 98), 'RULE-012', 'Place stop')]);
    await flush();
    // The trader closes the position on their platform while the place is in flight.
    gw.traderClose(ACC, MNQ);
    executor.confirmFromLedger(ACC, { kind: 'position', contractId: MNQ, size: 0 });
    gw.releaseHeld();
    await placing;
    await flush();
    expect(gw.mutations().map((m) => m.endpoint)).toEqual(['Order/place']);
    expect(ownOrders).toEqual([{ type: 'stopPlaced', accountId: ACC, contractId: MNQ, orderId: expect.any(Number) }]);
  });

  it('a timed-out place is found by its tag and not placed twice', async () => {
    const { gw, executor, request, audit } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Order/place', 'timeout-executed');
    await executor.execute([request(move(undefined, 98), 'RULE-012', 'Place stop')]);
    expect(gw.mutations()).toHaveLength(1);
    expect(audit.list()[0]).toMatchObject({ status: 'reconciled' });
  });
});

describe('lock persistence order and shutdown', () => {
  it('runs beforeFirstCall once before the first REST call; if it throws nothing is sent', async () => {
    const { gw, executor, request, audit } = setup();
    gw.openPosition(ACC, MNQ, 1);
    gw.openPosition(ACC, ES, 1);
    const seen: number[] = [];
    await executor.execute([request({ type: 'flatten', accountId: ACC })], { beforeFirstCall: () => void seen.push(gw.calls.length) });
    expect(seen).toEqual([0]);
    gw.openPosition(ACC, MNQ, 1);
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })], {
      beforeFirstCall: () => {
        throw new Error('disk full');
      },
    });
    expect(gw.mutations()).toHaveLength(2);
    expect(audit.list().at(-1)).toMatchObject({ status: 'failed', outcome: expect.stringContaining('disk full') });
  });

  it('drain refuses new intents, waits for in-flight ones, then fails the rest as shutdown', async () => {
    const { gw, executor, request, audit, clock } = setup({ hub: false });
    gw.openPosition(ACC, MNQ, 1);
    gw.fault('Position/closeContract', 'hold');
    void executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await flush();
    const drained = executor.drain(1000);
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: ES })]);
    expect(audit.list()[1]).toMatchObject({ status: 'skipped', outcome: 'not executed: riskd is shutting down' });
    await clock.advance(1000);
    await drained;
    expect(audit.list()[0]).toMatchObject({ status: 'failed', outcome: expect.stringContaining('shutdown') });
    expect(executor.inFlight()).toEqual([]);
    gw.releaseHeld();
  });
});
