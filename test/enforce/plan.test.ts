// Planning a close, a reduce or a cancel (src/enforce/plan.ts): pure over the ledger's view, the per-account memory
// and the registry, so every case is the facts in and the steps out.
import { describe, expect, it } from 'vitest';
import { AccountMemory } from '../../src/enforce/accountMemory.ts';
import { planCancel, planOne } from '../../src/enforce/plan.ts';
import { facts, order, viewOf } from './helpers/planFacts.ts';

const ACC = 7;
const MNQ = 'CON.F.US.MNQ.Z25';

describe('planOne: close and reduce', () => {
  it('closes with the size the ledger shows, or without one when it shows none', () => {
    const view = viewOf({ positions: [{ contractId: MNQ, size: 3 }] });
    expect(planOne({ type: 'close', accountId: ACC, contractId: MNQ }, facts({ view }))).toEqual({
      do: 'start',
      spec: { kind: 'close', key: `pos:${ACC}:${MNQ}`, contractId: MNQ, startSize: 3 },
    });
    expect(planOne({ type: 'close', accountId: ACC, contractId: MNQ }, facts())).toEqual({
      do: 'start',
      spec: { kind: 'close', key: `pos:${ACC}:${MNQ}`, contractId: MNQ },
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a reduce of %s contracts', (size) => {
    expect(planOne({ type: 'reduce', accountId: ACC, contractId: MNQ, size }, facts())).toEqual({
      do: 'skip',
      outcome: `not executed: reduce size must be a positive integer, got ${String(size)}`,
      status: 'failed',
    });
  });

  it('reduces, or closes the whole position on an account that refused a partial close', () => {
    const view = viewOf({ positions: [{ contractId: MNQ, size: 5 }] });
    const intent = { type: 'reduce', accountId: ACC, contractId: MNQ, size: 2 } as const;
    expect(planOne(intent, facts({ view }))).toEqual({
      do: 'start',
      spec: { kind: 'reduce', key: `pos:${ACC}:${MNQ}`, contractId: MNQ, size: 2, startSize: 5 },
    });
    const memory = new AccountMemory();
    memory.noteRefusal(ACC, 'partialClose');
    expect(planOne(intent, facts({ view, memory }))).toEqual({
      do: 'start',
      spec: { kind: 'close', key: `pos:${ACC}:${MNQ}`, contractId: MNQ, size: 2, startSize: 5, note: 'account refuses partial close: closing the whole position' },
    });
  });
});

describe('planCancel', () => {
  const cancelFields = (orderId: number, contractId: string | null) => ({ endpoint: 'Order/cancel', contractId, extra: { orderId } });

  it('cancels, with the contract the ledger shows for the order', () => {
    const view = viewOf({ orders: [order(41, { contractId: MNQ })] });
    expect(planOne({ type: 'cancel', accountId: ACC, orderId: 41 }, facts({ view }))).toEqual({
      do: 'start',
      spec: { kind: 'cancel', key: `ord:${ACC}:41`, orderId: 41, contractId: MNQ },
    });
    expect(planOne({ type: 'cancel', accountId: ACC, orderId: 41 }, facts())).toEqual({
      do: 'start',
      spec: { kind: 'cancel', key: `ord:${ACC}:41`, orderId: 41 },
    });
  });

  it('watches the order instead when the account refuses cancels', () => {
    const memory = new AccountMemory();
    memory.noteRefusal(ACC, 'cancel');
    expect(planCancel(ACC, 41, MNQ, facts({ memory }))).toEqual({
      do: 'skip',
      outcome: 'cancel not attempted: account refuses cancels; order 41 will be closed on fill',
      status: 'skipped',
      fields: cancelFields(41, MNQ),
      watch: { orderId: 41, contractId: MNQ },
    });
    expect(planCancel(ACC, 41, undefined, facts({ memory }))).toMatchObject({ fields: cancelFields(41, null), watch: { orderId: 41 } });
  });

  it.each([
    { filled: 2, size: 2, skips: true },
    { filled: 3, size: 2, skips: true },
    { filled: 1, size: 2, skips: false },
    { filled: 0, size: 2, skips: false },
  ])('an order of $size whose fills total $filled: skipped $skips (its Filled status is on the way)', ({ filled, size, skips }) => {
    const view = viewOf({ orders: [order(41, { contractId: MNQ, size })], filled: { 41: filled } });
    const step = planCancel(ACC, 41, MNQ, facts({ view }));
    if (skips) {
      expect(step).toEqual({
        do: 'skip',
        outcome: `nothing to do: order 41 is filled (its ${filled} contract fill(s) arrived before its status)`,
        status: 'skipped',
        fields: cancelFields(41, MNQ),
      });
    } else {
      expect(step).toMatchObject({ do: 'start', spec: { kind: 'cancel', orderId: 41 } });
    }
  });

  it('a view without fill counts never calls an order filled', () => {
    const view = viewOf({ orders: [order(41, { contractId: MNQ, size: 1 })] });
    expect(planCancel(ACC, 41, MNQ, facts({ view }))).toMatchObject({ do: 'start' });
  });
});
