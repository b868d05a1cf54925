// What a ledger event says about the action in flight on its key (src/enforce/ledgerConfirmation.ts): a close or
// reduce confirmed, a held close moot or due, a cancel confirmed or overtaken by a fill, a stop move confirmed.
import { describe, expect, it } from 'vitest';
import { heldCloseAfter, orderConfirmsStop, orderEndsCancel, positionConfirms } from '../../src/enforce/ledgerConfirmation.ts';
import { OrderStatus, OrderType } from '../../src/gateway/models.ts';
import { order, viewOf } from './helpers/planFacts.ts';

const MNQ = 'CON.F.US.MNQ.Z25';

describe('positionConfirms', () => {
  it.each([
    { what: 'a close, flat', a: { kind: 'close' as const }, size: 0, want: { type: 'CONFIRMED', detail: 'position closed (ledger event)' } },
    { what: 'a close, still open', a: { kind: 'close' as const }, size: 1, want: undefined },
    { what: 'a reduce 5 -> 3, at 3', a: { kind: 'reduce' as const, startSize: 5, size: 2 }, size: 3, want: { type: 'CONFIRMED', detail: 'position reduced to 3 (ledger event)' } },
    { what: 'a reduce 5 -> 3, at 4', a: { kind: 'reduce' as const, startSize: 5, size: 2 }, size: 4, want: undefined },
    { what: 'a reduce from an unknown size', a: { kind: 'reduce' as const, size: 2 }, size: 4, want: { type: 'CONFIRMED', detail: 'position reduced to 4 (ledger event)' } },
    { what: 'a reduce, flat', a: { kind: 'reduce' as const, startSize: 5, size: 2 }, size: 0, want: { type: 'CONFIRMED', detail: 'position closed (ledger event)' } },
  ])('$what', ({ a, size, want }) => {
    expect(positionConfirms(a, size)).toEqual(want);
  });
});

describe('heldCloseAfter', () => {
  const view = (fillsSince: number) => viewOf({ positions: [{ contractId: MNQ, size: 1, side: 'long' }], fillsSince: { [MNQ]: fillsSince } });
  it.each([
    { what: 'flat: nothing to send', size: 0, v: view(0), want: { type: 'MOOT', detail: 'not sent: the fills that arrived first closed the position (position event)' } },
    { what: 'still open, no fill ahead: send now', size: 1, v: view(0), want: { type: 'SEND_NOW' } },
    { what: 'more fills ahead of their events: keep waiting', size: 1, v: view(-1), want: undefined },
  ])('$what', ({ size, v, want }) => {
    expect(heldCloseAfter(size, v, MNQ)).toEqual(want);
  });
});

describe('orderEndsCancel', () => {
  const o = (status: number, fillVolume = 0) => order(41, { contractId: MNQ, type: OrderType.Limit, size: 3, status: status as OrderStatus, fillVolume });
  it.each([
    { what: 'still working', order: o(OrderStatus.Open), held: false, want: undefined },
    { what: 'cancelled', order: o(OrderStatus.Cancelled), held: false, want: { type: 'CONFIRMED', detail: 'order cancelled (ledger event)' } },
    { what: 'cancelled after a part filled', order: o(OrderStatus.Cancelled, 1), held: false, want: { type: 'CONFIRMED', detail: 'order cancelled after 1 of 3 filled (ledger event)' } },
    {
      what: 'filled first',
      order: o(OrderStatus.Filled, 3),
      held: false,
      want: { type: 'OVERTAKEN', detail: 'filled before cancel: 3 contract(s) filled; the cancel did not take effect (ledger event, status 2)' },
    },
    { what: 'expired first', order: o(OrderStatus.Expired), held: false, want: { type: 'OVERTAKEN', detail: 'expired before cancel; the cancel did not take effect (ledger event, status 4)' } },
    { what: 'filled while held', order: o(OrderStatus.Filled, 3), held: true, want: { type: 'MOOT', detail: 'not sent: market order 41 filled before a cancel was needed (ledger event)' } },
    { what: 'rejected while held', order: o(OrderStatus.Rejected), held: true, want: { type: 'MOOT', detail: 'not sent: market order 41 rejected before a cancel was needed (ledger event)' } },
    { what: 'an unknown end', order: o(9), held: false, want: { type: 'OVERTAKEN', detail: 'status 9 before cancel; the cancel did not take effect (ledger event, status 9)' } },
  ])('$what (held: $held)', ({ order: x, held, want }) => {
    expect(orderEndsCancel(x, held)).toEqual(want);
  });
});

describe('orderConfirmsStop', () => {
  const modify = { kind: 'modifyStop' as const, orderId: 31, stopPrice: 101.25, tags: [] };
  const place = { kind: 'placeStop' as const, stopPrice: 99, tags: ['riskd-7-a-1', 'riskd-7-a-2'] };
  it.each([
    { what: 'the modified stop at its new price', s: modify, o: order(31, { contractId: MNQ, stopPrice: 101.25 }), detail: 'stop 31 now at 101.25 (ledger event)' },
    { what: 'the modified stop at its old price', s: modify, o: order(31, { contractId: MNQ, stopPrice: 100 }), detail: undefined },
    { what: 'another stop at that price', s: modify, o: order(32, { contractId: MNQ, stopPrice: 101.25 }), detail: undefined },
    { what: 'the modified stop, filled', s: modify, o: order(31, { contractId: MNQ, stopPrice: 101.25, status: OrderStatus.Filled }), detail: undefined },
    { what: 'a stop with a tag of the place', s: place, o: order(55, { contractId: MNQ, stopPrice: 99, customTag: 'riskd-7-a-2' }), detail: 'stop 55 working at 99 (ledger event)' },
    { what: 'a stop with another tag', s: place, o: order(55, { contractId: MNQ, stopPrice: 99, customTag: 'trader' }), detail: undefined },
  ])('$what', ({ s, o, detail }) => {
    expect(orderConfirmsStop(s, o)).toEqual(detail === undefined ? undefined : { type: 'CONFIRMED', detail });
  });
});
