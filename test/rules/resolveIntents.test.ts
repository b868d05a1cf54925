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
