import { describe, expect, it } from 'vitest';
import { resolveIntents } from '../../src/rules/resolveIntents.ts';
import { OrderType } from '../../src/gateway/models.ts';
import type { Intent } from '../../src/rules/types.ts';
import { ACCOUNT_ID as A, C, TestAccount } from './fixtures.ts';

describe('resolveIntents', () => {
  it('orders strongest first and keeps the largest reduce per contract', () => {
    const a = new TestAccount();
    const out = resolveIntents(
      [
        { type: 'cancel', accountId: A, orderId: 9 },
        { type: 'reduce', accountId: A, contractId: C.ES.id, size: 1 },
        { type: 'reduce', accountId: A, contractId: C.ES.id, size: 2 },
        { type: 'close', accountId: A, contractId: C.MNQ.id },
        { type: 'reduce', accountId: A, contractId: C.MNQ.id, size: 1 },
        { type: 'cancel', accountId: A, orderId: 9 },
      ],
      a.ledger,
    );
    expect(out).toEqual([
      { type: 'close', accountId: A, contractId: C.MNQ.id },
      { type: 'reduce', accountId: A, contractId: C.ES.id, size: 2 },
      { type: 'cancel', accountId: A, orderId: 9 },
    ]);
  });

  it('a symbol cancelAll covers cancels of orders in that symbol only', () => {
    const a = new TestAccount();
    const es = a.order(C.ESH6, { side: 0, type: OrderType.Limit, limitPrice: 1 });
    const nq = a.order(C.NQ, { side: 0, type: OrderType.Limit, limitPrice: 1 });
    const out = resolveIntents(
      [
        { type: 'cancel', accountId: A, orderId: es.id },
        { type: 'cancel', accountId: A, orderId: nq.id },
        { type: 'cancelAll', accountId: A, symbol: 'es' },
      ],
      a.ledger,
    );
    expect(out).toEqual([
      { type: 'cancelAll', accountId: A, symbol: 'es' },
      { type: 'cancel', accountId: A, orderId: nq.id },
    ]);
    expect(resolveIntents([...out, { type: 'cancelAll', accountId: A }], a.ledger)).toEqual([{ type: 'cancelAll', accountId: A }]);
  });

  it('keeps the tightest stop move, and none while the position is being closed or reduced', () => {
    const a = new TestAccount();
    const move = (stopPrice: number, contractId: string = C.ES.id): Intent => ({ type: 'moveStop', accountId: A, contractId, stopPrice, size: 1, side: 1 });
    expect(resolveIntents([move(5990), move(5995), move(5992)], a.ledger)).toEqual([move(5995)]);
    expect(resolveIntents([move(5995), { type: 'reduce', accountId: A, contractId: C.ES.id, size: 1 }], a.ledger)).toHaveLength(1);
    expect(resolveIntents([move(5995), { type: 'flatten', accountId: A }], a.ledger)).toEqual([{ type: 'flatten', accountId: A }]);
    expect(resolveIntents([move(5995, C.MNQ.id), { type: 'close', accountId: A, contractId: C.ES.id }], a.ledger)).toHaveLength(2);
  });
});

describe('resolveIntents invariants (property)', () => {
  it('no duplicates; a flatten leaves no close/reduce/moveStop; a closed contract has no reduce or move', async () => {
    const fc = (await import('fast-check')).default;
    const a = new TestAccount();
    const contracts = [C.ES.id, C.MNQ.id, C.NQ.id];
    const intent = fc.oneof(
      fc.constant<Intent>({ type: 'flatten', accountId: A }),
      fc.constant<Intent>({ type: 'cancelAll', accountId: A }),
      fc.constantFrom(...contracts).map((contractId): Intent => ({ type: 'close', accountId: A, contractId })),
      fc.tuple(fc.constantFrom(...contracts), fc.integer({ min: 1, max: 5 })).map(([contractId, size]): Intent => ({ type: 'reduce', accountId: A, contractId, size })),
      fc.integer({ min: 1, max: 4 }).map((orderId): Intent => ({ type: 'cancel', accountId: A, orderId })),
      fc.tuple(fc.constantFrom(...contracts), fc.integer({ min: 1, max: 9 })).map(([contractId, p]): Intent => ({ type: 'moveStop', accountId: A, contractId, stopPrice: p, size: 1, side: 1 })),
    );
    fc.assert(
      fc.property(fc.array(intent, { maxLength: 12 }), (input) => {
        const out = resolveIntents(input, a.ledger);
        const keys = out.map((i) => JSON.stringify(i));
        expect(new Set(keys).size).toBe(keys.length);
        const has = (t: Intent['type']) => out.some((i) => i.type === t);
        if (has('flatten')) expect(has('close') || has('reduce') || has('moveStop') || has('cancelAll') || has('cancel')).toBe(false);
        if (has('cancelAll')) expect(has('cancel')).toBe(false);
        for (const i of out) {
          if (i.type === 'reduce' || i.type === 'moveStop') {
            expect(out.some((c) => c.type === 'close' && c.contractId === i.contractId)).toBe(false);
          }
        }
        // Nothing asked is lost unless a stronger intent covers it.
        for (const i of input) {
          if (i.type === 'close') expect(has('flatten') || out.some((o) => o.type === 'close' && o.contractId === i.contractId)).toBe(true);
          if (i.type === 'cancel') expect(has('flatten') || has('cancelAll') || out.some((o) => o.type === 'cancel' && o.orderId === i.orderId)).toBe(true);
        }
      }),
    );
  });
});
