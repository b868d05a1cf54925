import { describe, expect, it } from 'vitest';
import { deliveryOf } from '../../src/runtime/machineOrder.ts';
import type { AccountEvent } from '../../machines/account/index.ts';
import type { Verdict } from '../../src/rules/types.ts';

const now = 1_000;
const working: AccountEvent = { type: 'order.working', orderId: 1, contractId: 'C', symbol: 'MNQ', now, side: 0, size: 1, market: true };
const protection: AccountEvent = { type: 'position.protection', contractId: 'C', protected: false, now };
const changed: AccountEvent = { type: 'position.changed', contractId: 'C', symbol: 'MNQ', size: 7, side: 'long', now };
const closed: AccountEvent = { type: 'position.closed', contractId: 'C', symbol: 'MNQ', size: 0, side: 'long', now };
const canTrade: AccountEvent = { type: 'account.canTrade', canTrade: false, now };
const reduce: Verdict = { rule: 'RULE-001', message: 'over the limit', intents: [{ type: 'reduce', accountId: 1, contractId: 'C', size: 1 }] } as Verdict;
const verdicts: AccountEvent = { type: 'rule.verdicts', verdicts: [reduce], now };

describe('deliveryOf: when the account machine hears a turn\'s events', () => {
  it('later: facts join the waiting events, in order; nothing runs now', () => {
    expect(deliveryOf([changed, protection], 'later', [working])).toEqual({ now: [], wait: [working, changed, protection] });
  });

  it('now: the waiting events run first, then these, in one batch; nothing is left waiting', () => {
    expect(deliveryOf([changed, verdicts], 'now', [working, protection])).toEqual({ now: [working, protection, changed, verdicts], wait: [] });
  });

  it('a lock-free verdict runs alone, ahead of facts that cannot bear on it; they wait in their order', () => {
    expect(deliveryOf([changed, protection, verdicts], 'lockFreeVerdict', [working, protection, protection])).toEqual({
      now: [verdicts],
      wait: [working, protection, protection, changed, protection],
    });
  });

  it('a closed position waiting (it forgets the intents in flight for its contract) keeps arrival order', () => {
    expect(deliveryOf([changed, verdicts], 'lockFreeVerdict', [closed])).toEqual({ now: [closed, changed, verdicts], wait: [] });
    expect(deliveryOf([closed, verdicts], 'lockFreeVerdict', [])).toEqual({ now: [closed, verdicts], wait: [] });
  });

  it('canTrade (it can set a lock) keeps arrival order', () => {
    expect(deliveryOf([verdicts], 'lockFreeVerdict', [canTrade])).toEqual({ now: [canTrade, verdicts], wait: [] });
  });
});

describe("facts about riskd's own orders (they can emit intents) are never overtaken", () => {
  const filled: AccountEvent = { type: 'order.filled', orderId: 1, contractId: 'C', now };
  const ended: AccountEvent = { type: 'order.ended', orderId: 1, contractId: 'C', now };
  const watched: AccountEvent = { type: 'enforcement.fillWatched', orderId: 1, contractId: 'C', rule: 'RULE-003', reason: 'locked', now };
  const stopPlaced: AccountEvent = { type: 'enforcement.stopPlaced', contractId: 'C', orderId: 2, now };

  it.each([filled, ended, watched, stopPlaced])('$type waiting or arriving keeps arrival order', (fact) => {
    expect(deliveryOf([verdicts], 'lockFreeVerdict', [fact])).toEqual({ now: [fact, verdicts], wait: [] });
    expect(deliveryOf([fact, verdicts], 'lockFreeVerdict', [])).toEqual({ now: [fact, verdicts], wait: [] });
  });
});
