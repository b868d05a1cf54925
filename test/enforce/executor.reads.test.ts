// The REST reads a plan asks the executor for (src/enforce/planAccountWide.ts, planStopMove.ts), and the audit row
// when such a read fails: nothing is sent that the plan could not decide on.
import { describe, expect, it } from 'vitest';
import type { AccountStateView } from '../../src/enforce/types.ts';
import { OrderSide, OrderType, type Order } from '../../src/gateway/models.ts';
import { FakeGateway } from './helpers/fakeGateway.ts';
import { makeHarness } from './helpers/harness.ts';

const ACC = 13572468;
const MNQ = 'CON.F.US.MNQ.Z25';
const TIMEOUT = /timed out after 5000 ms$/;

/** The ledger's view of MNQ and the given orders, read from the double (the hub keeps the ledger current). */
function viewOf(gw: FakeGateway, orderIds: () => number[]): AccountStateView {
  return {
    positions: () => {
      const p = gw.position(ACC, MNQ);
      return p ? [{ contractId: MNQ, size: p.size, symbol: 'MNQ' }] : [];
    },
    workingOrders: () => orderIds().flatMap((id) => gw.order(ACC, id) ?? []),
    symbolOf: () => 'MNQ',
  };
}

function setup(view?: (gw: FakeGateway) => AccountStateView) {
  const gw = new FakeGateway();
  const h = makeHarness(gw, view ? { view: () => view(gw) } : {});
  gw.onChange = (a, change) => queueMicrotask(() => h.executor.confirmFromLedger(a, change));
  return { gw, ...h };
}

describe('flatten and cancelAll', () => {
  it('a flatten without a ledger view whose listing fails sends nothing and says why', async () => {
    const { gw, executor, request, audit } = setup();
    gw.openPosition(ACC, MNQ, 1);
    gw.fault('Order/v2/query', 'timeout-lost');
    await executor.execute([request({ type: 'flatten', accountId: ACC })]);
    expect(gw.calls.map((c) => [c.endpoint, c.priority])).toEqual([
      ['Position/searchOpen', 'enforce'],
      ['Order/v2/query', 'enforce'],
    ]);
    expect(audit.list()).toMatchObject([{ status: 'failed', endpoint: null, outcome: expect.stringMatching(/^not executed: could not list positions\/orders: .*/) }]);
    expect(audit.list()[0]!.outcome).toMatch(TIMEOUT);
  });

  it('a cancelAll without a ledger view lists only the orders', async () => {
    const { gw, executor, request, audit } = setup();
    gw.openPosition(ACC, MNQ, 1);
    const o = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid });
    await executor.execute([request({ type: 'cancelAll', accountId: ACC })]);
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Order/v2/query', 'Order/cancel']);
    expect(gw.calls[1]).toMatchObject({ orderId: o.id });
    expect(audit.list()).toMatchObject([{ status: 'confirmed', endpoint: 'Order/cancel' }]);
  });

  it('a cancelAll by symbol without a ledger view fails: the REST lists carry no symbols', async () => {
    const { gw, executor, request, audit } = setup();
    gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid });
    await executor.execute([request({ type: 'cancelAll', accountId: ACC, symbol: 'MNQ' })]);
    expect(gw.mutations()).toEqual([]);
    expect(audit.list()).toMatchObject([{ status: 'failed', outcome: 'not executed: cancelAll by symbol needs the ledger view' }]);
  });

  it('a sweep whose read fails leaves a failed row of its own after the flatten’s rows', async () => {
    let stop: Order | undefined;
    const { gw, executor, request, audit } = setup((g) => viewOf(g, () => (stop ? [stop.id] : [])));
    gw.openPosition(ACC, MNQ, 1);
    stop = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Stop, side: OrderSide.Ask, stopPrice: 90 });
    gw.fault('Position/searchOpen', 'timeout-lost');
    await executor.execute([request({ type: 'flatten', accountId: ACC }, 'kill-switch', 'Daily loss limit')]);
    expect(gw.calls.map((c) => [c.endpoint, c.priority])).toEqual([
      ['Position/closeContract', 'enforce'],
      ['Order/cancel', 'enforce'],
      ['Position/searchOpen', 'reconcile'],
      ['Order/v2/query', 'reconcile'],
    ]);
    expect(audit.list()).toMatchObject([
      { status: 'confirmed', endpoint: 'Position/closeContract' },
      { status: 'confirmed', endpoint: 'Order/cancel' },
      { status: 'failed', reason: 'Daily loss limit', outcome: expect.stringMatching(/^flatten sweep could not verify positions\/orders: .*/) },
    ]);
  });
});

describe('moveStop without a ledger view', () => {
  const move = (orderId: number, stopPrice: number) =>
    ({ type: 'moveStop', accountId: ACC, contractId: MNQ, orderId, stopPrice, size: 1, side: OrderSide.Ask }) as const;

  it('reads the working orders at enforcement priority, then moves the stop', async () => {
    const { gw, executor, request, audit } = setup();
    const stop = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Stop, side: OrderSide.Ask, stopPrice: 90 });
    await executor.execute([request(move(stop.id, 95), 'RULE-012')]);
    expect(gw.calls.map((c) => [c.endpoint, c.priority])).toEqual([
      ['Order/v2/query', 'enforce'],
      ['Order/modify', 'enforce'],
    ]);
    expect(audit.list()).toMatchObject([{ status: 'confirmed', endpoint: 'Order/modify' }]);
  });

  it('sends nothing when that read fails', async () => {
    const { gw, executor, request, audit } = setup();
    const stop = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Stop, side: OrderSide.Ask, stopPrice: 90 });
    gw.fault('Order/v2/query', 'timeout-lost');
    await executor.execute([request(move(stop.id, 95), 'RULE-012')]);
    expect(gw.mutations()).toEqual([]);
    expect(audit.list()).toMatchObject([{ status: 'failed', outcome: expect.stringMatching(/^not executed: could not read the current stop: .*/) }]);
    expect(audit.list()[0]!.outcome).toMatch(TIMEOUT);
  });
});
