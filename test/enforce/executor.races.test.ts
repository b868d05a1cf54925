// One breach, one call, whatever order the hub and the gateway answer in (found by the crash-loop suite):
// - a fill that closes a position can arrive before its position event: no close goes to a flat contract;
// - a position event can confirm a close before the gateway answers it: no second close races the first, and a
//   close decided meanwhile waits for it and is sent only if the ledger still shows the position;
// - a working order whose fills already cover it is not cancelled.
import { describe, expect, it } from 'vitest';
import { OrderSide, OrderType, type Order } from '../../src/gateway/models.ts';
import type { AccountStateView } from '../../src/enforce/types.ts';
import { FakeGateway } from './helpers/fakeGateway.ts';
import { makeHarness } from './helpers/harness.ts';
import { flush } from './helpers/manualClock.ts';

const ACC = 24681357;
const MNQ = 'CON.F.US.MNQ.Z25';

/** The ledger as the runtime holds it: the double's positions and orders plus fills not yet in a position event. */
function setup(fills: { sincePosition?: Record<string, number>; byOrder?: Record<number, number> } = {}) {
  const gw = new FakeGateway();
  const view: AccountStateView = {
    positions: () => {
      const p = gw.position(ACC, MNQ);
      return p ? [{ contractId: MNQ, size: p.size, symbol: 'MNQ', side: 'long' as const }] : [];
    },
    workingOrders: () => {
      const out: Order[] = [];
      for (let id = 3_470_001_001; id < 3_470_001_010; id++) {
        const o = gw.order(ACC, id);
        if (o) out.push(o);
      }
      return out;
    },
    symbolOf: () => 'MNQ',
    fillsSincePosition: (c) => fills.sincePosition?.[c] ?? 0,
    filledSizeOf: (id) => fills.byOrder?.[id] ?? 0,
  };
  const h = makeHarness(gw, { view: () => view });
  const closes = () => gw.calls.filter((c) => c.endpoint === 'Position/closeContract');
  return { gw, ...h, fills, closes };
}

describe('a fill ahead of its position event', () => {
  it('holds the close; the position event showing flat means no call at all', async () => {
    const { gw, executor, request, audit, closes, fills } = setup({ sincePosition: { [MNQ]: -2 } });
    gw.openPosition(ACC, MNQ, 2); // the ledger's position: its close event has not arrived
    void executor.execute([request({ type: 'flatten', accountId: ACC })]);
    await flush();
    expect(closes()).toEqual([]);
    expect(audit.list()[0]).toMatchObject({ status: 'pending', outcome: expect.stringContaining('waiting 300 ms for its position event') });

    gw.traderClose(ACC, MNQ);
    fills.sincePosition = {};
    executor.confirmFromLedger(ACC, { kind: 'position', contractId: MNQ, size: 0 });
    await flush();
    expect(closes()).toEqual([]);
    expect(audit.list()[0]).toMatchObject({ status: 'skipped', outcome: expect.stringContaining('fills that arrived first closed the position') });
  });

  it('without the position event, REST decides after 300 ms: flat means no call', async () => {
    const { gw, executor, request, audit, clock, closes } = setup({ sincePosition: { [MNQ]: -1 } });
    gw.openPosition(ACC, MNQ, 1);
    void executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    gw.traderClose(ACC, MNQ); // the gateway is flat; the hub dropped the position event
    await clock.advance(299);
    expect(gw.calls).toEqual([]);
    await clock.advance(1);
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/searchOpen']);
    expect(closes()).toEqual([]);
    expect(audit.list()[0]).toMatchObject({ status: 'skipped', outcome: expect.stringContaining('REST check: position is flat') });
  });

  it('REST still showing the position sends the close', async () => {
    const { gw, executor, request, audit, clock, closes } = setup({ sincePosition: { [MNQ]: -1 } });
    gw.openPosition(ACC, MNQ, 1); // the fill was something else: REST still has the position
    void executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await clock.advance(300);
    expect(closes()).toHaveLength(1);
    expect(gw.position(ACC, MNQ)).toBeUndefined();
    expect(audit.list()[0]!.status).not.toBe('skipped');
  });

  it('fills that do not flatten the position do not delay its close', async () => {
    const { gw, executor, request, closes } = setup({ sincePosition: { [MNQ]: -1 } });
    gw.openPosition(ACC, MNQ, 3);
    void executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await flush();
    expect(closes()).toHaveLength(1);
  });
});

describe('a close confirmed before the gateway answers', () => {
  it('keeps the contract until the answer; a close decided meanwhile waits and is sent only if the ledger shows a position', async () => {
    const { gw, executor, request, audit, closes } = setup();
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', 'hold');
    void executor.execute([request({ type: 'flatten', accountId: ACC })]);
    await flush();
    // The trader's own exit looks like the confirmation; riskd's call is still out.
    executor.confirmFromLedger(ACC, { kind: 'position', contractId: MNQ, size: 0 });
    expect(audit.list()[0]).toMatchObject({ status: 'confirmed' });
    // The trader opens again under the lock: the kill switch's close waits for the contract, not raced.
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ }, 'RULE-003', 'new position while locked')]);
    expect(closes()).toHaveLength(1);
    // The held call lands on the new position and closes it: the waiting close finds nothing to do, and its one
    // audit row says so (no "absorbed" row, no second close).
    gw.releaseHeld();
    await flush();
    await flush();
    expect(gw.position(ACC, MNQ)).toBeUndefined();
    expect(closes()).toHaveLength(1);
    expect(audit.list().map((r) => r.status)).toEqual(['confirmed', 'skipped']);
    expect(audit.list()[1]).toMatchObject({ rule: 'RULE-003', outcome: expect.stringMatching(/^not sent: the position closed while the close of row #\d+ held the contract$/) });
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/closeContract']); // the ledger answered, not REST
  });

  it('a confirmation in the same turn as the call, before the action chart exists, is not lost', async () => {
    const { gw, executor, request, audit, closes } = setup();
    gw.openPosition(ACC, MNQ, 1);
    gw.fault('Position/closeContract', 'hold');
    void executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    // The chart is created on the next microtask, after the request is written (executor.run).
    executor.confirmFromLedger(ACC, { kind: 'position', contractId: MNQ, size: 0 });
    await flush();
    expect(audit.list()[0]).toMatchObject({ status: 'confirmed' });
    gw.releaseHeld();
    await flush();
    expect(closes()).toHaveLength(1);
  });

  it('sends the waiting close when the position is still open once the key is free: one audit row for it', async () => {
    const { gw, executor, request, audit, closes } = setup();
    gw.openPosition(ACC, MNQ, 1);
    gw.fault('Position/closeContract', 'hold');
    void executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    await flush();
    executor.confirmFromLedger(ACC, { kind: 'position', contractId: MNQ, size: 0 });
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ }, 'RULE-003', 'new position while locked')]);
    // The held call lands first, then the trader opens the new position: it is still open when the key is free.
    let reopened = false;
    gw.onChange = (_a, change) => {
      if (change.kind === 'position' && change.size === 0 && !reopened) {
        reopened = true;
        gw.openPosition(ACC, MNQ, 1);
      }
    };
    gw.releaseHeld();
    await flush();
    await flush();
    expect(closes()).toHaveLength(2);
    expect(gw.position(ACC, MNQ)).toBeUndefined();
    expect(audit.list().map((r) => r.status)).toEqual(['confirmed', 'sent']); // the second close is on its way
    expect(audit.list().at(-1)).toMatchObject({ rule: 'RULE-003', reason: expect.stringContaining('sent once the close of row #') });
  });

  it('a duplicate close absorbed by an unfinished close is not redone', async () => {
    const { gw, executor, request, closes } = setup();
    gw.openPosition(ACC, MNQ, 1);
    gw.fault('Position/closeContract', 'hold');
    void executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ }, 'RULE-008')]);
    await flush();
    await executor.execute([request({ type: 'close', accountId: ACC, contractId: MNQ }, 'RULE-008')]);
    gw.releaseHeld();
    await flush();
    executor.confirmFromLedger(ACC, { kind: 'position', contractId: MNQ, size: 0 });
    gw.openPosition(ACC, MNQ, 1); // a new, allowed position (no lock): never closed by an old intent
    await flush();
    await flush();
    expect(closes()).toHaveLength(1);
    expect(gw.calls.filter((c) => c.endpoint === 'Position/searchOpen')).toEqual([]);
  });
});

describe('an order whose fills arrived before its status', () => {
  it('is not cancelled', async () => {
    const { gw, executor, request, audit, fills } = setup();
    const o = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 2 });
    fills.byOrder = { [o.id]: 2 };
    await executor.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id }, 'RULE-003', 'new order while locked')]);
    expect(gw.calls).toEqual([]);
    expect(audit.list()[0]).toMatchObject({ status: 'skipped', outcome: expect.stringContaining('is filled') });
  });

  it('a partly filled order is cancelled', async () => {
    const { gw, executor, request, fills } = setup();
    const o = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 2, limitPrice: 90 });
    fills.byOrder = { [o.id]: 1 };
    void executor.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id }, 'RULE-003', 'new order while locked')]);
    await flush();
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Order/cancel']);
  });
});

describe('a fill racing a cancel', () => {
  it('the order filled before the cancel took effect: recorded as that ("reconciled"), not as "confirmed"', async () => {
    const { gw, executor, request, audit, reevaluations } = setup();
    const o = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 2 });
    gw.fault('Order/cancel', 'hold');
    void executor.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id })]);
    await flush();
    // The fill's order event arrives before the gateway answers the cancel.
    executor.confirmFromLedger(ACC, { kind: 'order', order: { ...o, status: 2, fillVolume: 2 } });
    expect(audit.list()[0]).toMatchObject({ status: 'reconciled', outcome: expect.stringMatching(/^filled before cancel: 2 contract\(s\) filled; the cancel did not take effect/) });
    await flush();
    // The position the fill opened is the rules' to judge, from the ledger: no REST check.
    expect(reevaluations).toEqual([[ACC, MNQ, 'ledger']]);
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Order/cancel']);
  });

  it('a cancel that took effect after a partial fill is confirmed, and says so', async () => {
    const { gw, executor, request, audit } = setup();
    const o = gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 3 });
    gw.fault('Order/cancel', 'hold');
    void executor.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id })]);
    await flush();
    executor.confirmFromLedger(ACC, { kind: 'order', order: { ...o, status: 3, fillVolume: 1 } });
    expect(audit.list()[0]).toMatchObject({ status: 'confirmed', outcome: 'order cancelled after 1 of 3 filled (ledger event)' });
  });
});

describe('a cancel of a market order', () => {
  const market = (gw: FakeGateway) => gw.addOrder(ACC, { contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 1, status: 6 });

  it('waits for its fill: the fill settles it without a call', async () => {
    const { gw, executor, request, audit, clock } = setup();
    const o = market(gw);
    const done = executor.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id })]);
    await flush();
    expect(audit.list()[0]).toMatchObject({ status: 'pending', outcome: expect.stringContaining('market order fills within milliseconds') });
    await clock.advance(20);
    executor.confirmFromLedger(ACC, { kind: 'order', order: { ...o, status: 2, fillVolume: 1 } });
    await done;
    expect(audit.list()[0]).toMatchObject({ status: 'skipped', outcome: expect.stringMatching(/^not sent: market order \d+ filled before a cancel was needed/) });
    expect(gw.calls).toEqual([]);
  });

  it('still working after 300 ms (no liquidity, a halt): cancelled', async () => {
    const { gw, executor, request, clock } = setup();
    const o = market(gw);
    void executor.execute([request({ type: 'cancel', accountId: ACC, orderId: o.id })]);
    await clock.advance(299);
    expect(gw.calls).toEqual([]);
    await clock.advance(1);
    expect(gw.mutations()).toMatchObject([{ endpoint: 'Order/cancel', orderId: o.id, priority: 'enforce' }]);
  });
});
