// Planning a stop move (src/enforce/planStopMove.ts): place, modify or nothing; never loosen; a stop that is not
// working; riskd's own stop gone; a throttled move superseded by a tighter one.
import { describe, expect, it } from 'vitest';
import { AccountMemory } from '../../src/enforce/accountMemory.ts';
import type { ActionSpec } from '../../src/enforce/actionSpec.ts';
import type { KeyHolder } from '../../src/enforce/plan.ts';
import { planStopMove, queuedMoveMoot, type StopMoveIntent } from '../../src/enforce/planStopMove.ts';
import { OrderSide, OrderStatus, type Order } from '../../src/gateway/models.ts';
import { facts, order, viewOf } from './helpers/planFacts.ts';

const ACC = 7;
const MNQ = 'CON.F.US.MNQ.Z25';
const KEY = `stop:${ACC}:${MNQ}`;
/** A sell stop protecting a long: tighter is higher. */
const move = (stopPrice: number, orderId?: number): StopMoveIntent => ({
  type: 'moveStop',
  accountId: ACC,
  contractId: MNQ,
  stopPrice,
  size: 2,
  side: OrderSide.Ask,
  ...(orderId !== undefined ? { orderId } : {}),
});
const modify = (orderId: number, stopPrice: number): ActionSpec => ({
  kind: 'modifyStop',
  key: KEY,
  contractId: MNQ,
  stopPrice,
  side: OrderSide.Ask,
  size: 2,
  orderId,
});
const place = (stopPrice: number): ActionSpec => ({ kind: 'placeStop', key: KEY, contractId: MNQ, stopPrice, side: OrderSide.Ask, size: 2 });
const stopAt = (id: number, stopPrice: number, o: Partial<Order> = {}) => order(id, { contractId: MNQ, stopPrice, ...o });

describe('planStopMove', () => {
  it('places a stop when there is none to move', () => {
    expect(planStopMove(move(100), facts({ view: viewOf({}) }))).toEqual({ do: 'start', spec: place(100) });
  });

  it.each([
    { what: 'a move', orderId: 31, endpoint: 'Order/modify' },
    { what: 'a place', orderId: undefined, endpoint: 'Order/place' },
  ])('refuses $what while the position is being closed', ({ orderId, endpoint }) => {
    const f = facts({ view: viewOf({}), holders: { [`pos:${ACC}:${MNQ}`]: { kind: 'close', rowId: 4, queued: false } } });
    expect(planStopMove(move(100, orderId), f)).toEqual({
      do: 'skip',
      outcome: 'not executed: close in flight for this contract (row #4)',
      status: 'skipped',
      fields: { endpoint, contractId: MNQ, extra: { stopPrice: 100 } },
    });
  });

  it.each([
    { what: 'tighter', price: 101, tightens: true },
    { what: 'the same', price: 100, tightens: false },
    { what: 'looser', price: 99, tightens: false },
  ])('moves a working stop at 100 to $what price only if it tightens', ({ price, tightens }) => {
    const step = planStopMove(move(price, 31), facts({ view: viewOf({ orders: [stopAt(31, 100)] }) }));
    if (tightens) expect(step).toEqual({ do: 'start', spec: modify(31, price) });
    else {
      expect(step).toEqual({
        do: 'skip',
        outcome: `not executed: stop 31 is at 100; ${price} would not tighten it (never loosen)`,
        status: 'skipped',
        fields: { endpoint: 'Order/modify', contractId: MNQ, extra: { orderId: 31, stopPrice: price, currentStop: 100 } },
      });
    }
  });

  it('a buy stop (protecting a short) tightens downwards', () => {
    const buy = { ...move(99, 31), side: OrderSide.Bid };
    const view = viewOf({ orders: [stopAt(31, 100, { side: OrderSide.Bid })] });
    expect(planStopMove(buy, facts({ view }))).toMatchObject({ do: 'start', spec: { kind: 'modifyStop', stopPrice: 99 } });
    expect(planStopMove({ ...buy, stopPrice: 101 }, facts({ view }))).toMatchObject({ do: 'skip' });
  });

  it('never loosens against the price riskd already sent, even before the order shows it', () => {
    const memory = new AccountMemory();
    memory.noteStopSent(31, 102);
    expect(planStopMove(move(101, 31), facts({ view: viewOf({ orders: [stopAt(31, 100)] }), memory }))).toMatchObject({
      do: 'skip',
      outcome: 'not executed: stop 31 is at 102; 101 would not tighten it (never loosen)',
    });
  });

  it.each([
    { what: 'not listed', orders: [] },
    { what: 'filled', orders: [stopAt(31, 100, { status: OrderStatus.Filled })] },
  ])('leaves alone a stop the trader named that is $what', ({ orders }) => {
    expect(planStopMove(move(101, 31), facts({ view: viewOf({ orders }) }))).toEqual({
      do: 'skip',
      outcome: 'not executed: stop order 31 is not working',
      status: 'skipped',
      fields: { endpoint: 'Order/modify', contractId: MNQ, extra: { orderId: 31, stopPrice: 101 } },
    });
  });

  it('moves the stop riskd placed, or places a new one (and forgets the old) once it is gone', () => {
    const memory = new AccountMemory();
    memory.setOwnStop(ACC, MNQ, 31);
    expect(planStopMove(move(101), facts({ view: viewOf({ orders: [stopAt(31, 100)] }), memory }))).toEqual({ do: 'start', spec: modify(31, 101) });
    expect(planStopMove(move(101), facts({ view: viewOf({}), memory }))).toEqual({ do: 'start', spec: place(101), forgetOwnStop: true });
  });

  it('without a ledger view asks to read the working orders, then plans on them', () => {
    const memory = new AccountMemory();
    memory.setOwnStop(ACC, MNQ, 31);
    expect(planStopMove(move(101), facts({ memory }))).toEqual({ do: 'read', orderId: 31, unreadable: 'not executed: could not read the current stop' });
    expect(planStopMove(move(101), facts({ memory }), { orderId: 31, orders: [stopAt(31, 100)] })).toEqual({ do: 'start', spec: modify(31, 101) });
    expect(planStopMove(move(99), facts({ memory }), { orderId: 31, orders: [stopAt(31, 100)] })).toMatchObject({ do: 'skip' });
    // Nothing to move: no read.
    expect(planStopMove(move(101), facts())).toEqual({ do: 'start', spec: place(101) });
  });

  describe('a throttled move of the same stop is queued', () => {
    const queued: KeyHolder = { kind: 'modifyStop', rowId: 8, queued: true, orderId: 31, side: OrderSide.Ask, stopPrice: 101 };
    const view = viewOf({ orders: [stopAt(31, 100)] });

    it('a tighter move supersedes it', () => {
      expect(planStopMove(move(102, 31), facts({ view, holders: { [KEY]: queued } }))).toEqual({
        do: 'start',
        spec: modify(31, 102),
        supersedes: 'superseded by a tighter stop 102 before it was sent',
      });
    });

    it.each([101, 100.5])('a move to %s (not tighter than the queued one) is not sent', (price) => {
      expect(planStopMove(move(price, 31), facts({ view, holders: { [KEY]: queued } }))).toEqual({
        do: 'skip',
        outcome: 'not executed: a move to 101 is already queued (row #8)',
        status: 'skipped',
        fields: { endpoint: 'Order/modify', contractId: MNQ, extra: { orderId: 31, stopPrice: price } },
      });
    });

    it.each([
      { what: 'sent already', holder: { ...queued, queued: false } },
      { what: 'of another order', holder: { ...queued, orderId: 32 } },
    ])('a move held by one $what is planned as usual (the registry absorbs it)', ({ holder }) => {
      expect(planStopMove(move(101, 31), facts({ view, holders: { [KEY]: holder } }))).toEqual({ do: 'start', spec: modify(31, 101) });
    });
  });
});

describe('queuedMoveMoot: a throttled move is due', () => {
  const due = modify(31, 101);
  it.each([
    { what: 'the stop still at 100', orders: [stopAt(31, 100)], sent: undefined, want: undefined },
    { what: 'the stop gone from the ledger', orders: [], sent: undefined, want: 'stop order 31 is no longer working' },
    { what: 'the trader moved it to 101', orders: [stopAt(31, 101)], sent: undefined, want: 'stop is already at 101; 101 would not tighten it (never loosen)' },
    { what: 'riskd sent 102 meanwhile', orders: [stopAt(31, 100)], sent: 102, want: 'stop is already at 102; 101 would not tighten it (never loosen)' },
    { what: 'no ledger at all, nothing sent', orders: undefined, sent: undefined, want: undefined },
    { what: 'no ledger at all, 101 sent', orders: undefined, sent: 101, want: 'stop is already at 101; 101 would not tighten it (never loosen)' },
  ])('with $what', ({ orders, sent, want }) => {
    const memory = new AccountMemory();
    if (sent !== undefined) memory.noteStopSent(31, sent);
    expect(queuedMoveMoot(due, orders, memory)).toBe(want);
  });
});
