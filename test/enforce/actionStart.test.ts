// Where a new action's chart starts (src/enforce/actionStart.ts): a close the fills already make flat waits for its
// position event, a cancel of a working market order waits for the fill, a modify waits for the throttle.
import { describe, expect, it } from 'vitest';
import { AccountMemory } from '../../src/enforce/accountMemory.ts';
import { startOf } from '../../src/enforce/actionStart.ts';
import type { ActionSpec } from '../../src/enforce/actionSpec.ts';
import { OrderStatus, OrderType } from '../../src/gateway/models.ts';
import { order, viewOf, type ViewData } from './helpers/planFacts.ts';

const MNQ = 'CON.F.US.MNQ.Z25';
const close: ActionSpec = { kind: 'close', key: 'k', contractId: MNQ };
const cancel: ActionSpec = { kind: 'cancel', key: 'k', orderId: 41 };
const modify: ActionSpec = { kind: 'modifyStop', key: 'k', orderId: 31, stopPrice: 101 };

const at = (a: ActionSpec, data: ViewData | undefined, memory = new AccountMemory(), now = 10_000) =>
  startOf(a, { ...(data ? { view: viewOf(data) } : {}), memory, modifyMinIntervalMs: 1000, now });

describe('startOf', () => {
  it.each<{ what: string; data: ViewData | undefined; startAs: string }>([
    { what: 'fills since its event make a long flat', data: { positions: [{ contractId: MNQ, size: 2, side: 'long' }], fillsSince: { [MNQ]: -2 } }, startAs: 'heldForPosition' },
    { what: 'fills since its event make a short flat', data: { positions: [{ contractId: MNQ, size: 1, side: 'short' }], fillsSince: { [MNQ]: 1 } }, startAs: 'heldForPosition' },
    { what: 'fills since its event leave it open', data: { positions: [{ contractId: MNQ, size: 2, side: 'long' }], fillsSince: { [MNQ]: -1 } }, startAs: 'send' },
    { what: 'no fill since its event', data: { positions: [{ contractId: MNQ, size: 2, side: 'long' }], fillsSince: {} }, startAs: 'send' },
    { what: 'the view counts no fills', data: { positions: [{ contractId: MNQ, size: 2, side: 'long' }] }, startAs: 'send' },
    { what: 'the side is unknown', data: { positions: [{ contractId: MNQ, size: 2 }], fillsSince: { [MNQ]: -2 } }, startAs: 'send' },
    { what: 'there is no view', data: undefined, startAs: 'send' },
  ])('a close when $what: $startAs', ({ data, startAs }) => {
    expect(at(close, data)).toEqual({ startAs });
  });

  it.each<{ what: string; data: ViewData | undefined; startAs: string }>([
    { what: 'a working market order', data: { orders: [order(41, { contractId: MNQ, type: OrderType.Market })] }, startAs: 'heldForFill' },
    { what: 'a working limit order', data: { orders: [order(41, { contractId: MNQ, type: OrderType.Limit })] }, startAs: 'send' },
    { what: 'a filled market order', data: { orders: [order(41, { contractId: MNQ, type: OrderType.Market, status: OrderStatus.Filled })] }, startAs: 'send' },
    { what: 'an order the ledger does not show', data: {}, startAs: 'send' },
  ])('a cancel of $what: $startAs', ({ data, startAs }) => {
    expect(at(cancel, data)).toEqual({ startAs });
  });

  it.each([
    { what: 'never modified', last: undefined, want: { startAs: 'send' } },
    { what: 'modified 1 s ago', last: 9_000, want: { startAs: 'send' } },
    { what: 'modified 0.4 s ago', last: 9_600, want: { startAs: 'queued', sendAt: 10_600 } },
  ])('a modify of a stop $what', ({ last, want }) => {
    const memory = new AccountMemory();
    if (last !== undefined) memory.noteModify(31, last);
    expect(at(modify, {}, memory)).toEqual(want);
  });
});
