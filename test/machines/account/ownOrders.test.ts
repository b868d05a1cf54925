// The account machine answers what riskd's own enforcement left behind (machines/account/ownOrders.ts): an order it
// could not cancel on an account that refuses cancels is closed when it fills, and the stop it placed is cancelled
// once its position is flat. The executor only reports these facts; the machine decides, once, and keeps them
// in its persisted snapshot.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { accountWithClock, type AccountEmitted, type AccountEvent } from '../../../machines/account/index.ts';
import { ct, riskConfig, startAccount } from './fixtures.ts';

const T0 = ct('2026-06-10T10:00'); // Wednesday
beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

const now = () => Date.now();
const watched = (orderId: number, reason = 'new order while locked: daily loss'): AccountEvent =>
  ({ type: 'enforcement.fillWatched', orderId, contractId: 'MNQ', rule: 'RULE-003', reason, now: now() });
const filled = (orderId: number, contractId = 'MNQ'): AccountEvent => ({ type: 'order.filled', orderId, contractId, now: now() });
const ended = (orderId: number, contractId = 'MNQ'): AccountEvent => ({ type: 'order.ended', orderId, contractId, now: now() });
const position = (type: 'position.opened' | 'position.closed', contractId = 'MNQ'): AccountEvent =>
  ({ type, contractId, symbol: 'MNQ', size: type === 'position.closed' ? 0 : 1, side: 'long', now: now() });
const stopPlaced = (orderId: number, contractId = 'MNQ'): AccountEvent => ({ type: 'enforcement.stopPlaced', contractId, orderId, now: now() });
const intentsOf = (emitted: AccountEmitted[]) => emitted.filter((e) => e.type === 'intent');

describe('close on fill (an account that refuses cancels)', () => {
  it('a watched order that fills is closed once, with the rule and reason of the cancel it replaces', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(watched(41));
    actor.send(watched(41, 'a later reason')); // the first refusal's reason stays
    actor.send(filled(41));
    actor.send(filled(41)); // the same fill seen again (order event, then REST) while the close is in flight
    expect(intentsOf(emitted)).toEqual([
      {
        type: 'intent',
        intent: { type: 'close', accountId: 7, contractId: 'MNQ' },
        rule: 'RULE-003',
        reason: 'Order 41 filled on an account that refuses cancels; closing the position it opened (new order while locked: daily loss)',
        numbers: { orderId: 41 },
      },
    ]);
  });

  it('a partly filled order is closed again after the first close settled; its end forgets the watch', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(watched(41));
    actor.send(filled(41));
    actor.send({ type: 'enforcement.settled', intents: [{ type: 'close', accountId: 7, contractId: 'MNQ' }], now: now() });
    actor.send(filled(41)); // the rest of it fills
    expect(intentsOf(emitted)).toHaveLength(2);
    actor.send(ended(41));
    expect(actor.getSnapshot().context.fillWatches).toEqual({});
    actor.send({ type: 'enforcement.settled', intents: [{ type: 'close', accountId: 7, contractId: 'MNQ' }], now: now() });
    actor.send(filled(41));
    expect(intentsOf(emitted)).toHaveLength(2);
  });

  it('an order riskd does not watch fills: nothing', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(watched(41));
    actor.send(filled(42));
    actor.send(ended(42));
    expect(intentsOf(emitted)).toEqual([]);
    expect(Object.keys(actor.getSnapshot().context.fillWatches)).toEqual(['41']);
  });

  it('a watched order cancelled by the trader is forgotten: a later fill of the same id decides nothing', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(watched(41));
    actor.send(ended(41));
    actor.send(filled(41));
    expect(intentsOf(emitted)).toEqual([]);
  });
});

describe("riskd's own stop (RULE-012)", () => {
  it('is cancelled once when its position closes', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(position('position.opened'));
    actor.send(stopPlaced(900));
    expect(intentsOf(emitted)).toEqual([]);
    actor.send(position('position.closed'));
    actor.send(position('position.closed')); // the close seen again (hub, then REST)
    expect(intentsOf(emitted)).toEqual([
      {
        type: 'intent',
        intent: { type: 'cancel', accountId: 7, orderId: 900 },
        rule: 'RULE-012',
        reason: 'Position closed: cancelling the protective stop 900 riskd placed, so it cannot open a new position',
        numbers: { orderId: 900, contractId: 'MNQ' },
      },
    ]);
    expect(actor.getSnapshot().context.ownStops).toEqual({});
  });

  it('a stop whose place completed after its position went flat is cancelled at once', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(position('position.opened'));
    actor.send(position('position.closed'));
    actor.send(stopPlaced(900));
    expect(intentsOf(emitted).map((e) => e.type === 'intent' && e.intent)).toEqual([{ type: 'cancel', accountId: 7, orderId: 900 }]);
  });

  it('a stop that ended (triggered or cancelled) before its position closed is not cancelled', () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(position('position.opened'));
    actor.send(stopPlaced(900));
    actor.send(ended(900));
    actor.send(position('position.closed'));
    expect(intentsOf(emitted)).toEqual([]);
  });

  it("another order's end leaves riskd's stop remembered; other contracts' closes do not cancel it", () => {
    const { actor, emitted } = startAccount(riskConfig());
    actor.send(position('position.opened'));
    actor.send(position('position.opened', 'ES'));
    actor.send(stopPlaced(900));
    actor.send(ended(901));
    actor.send(position('position.closed', 'ES'));
    expect(intentsOf(emitted)).toEqual([]);
    expect(actor.getSnapshot().context.ownStops).toEqual({ MNQ: 900 });
  });
});

describe('persisted with the snapshot', () => {
  it('a watch and an own stop survive persist -> restore, and decide the same afterwards', () => {
    const { actor } = startAccount(riskConfig());
    actor.send(position('position.opened'));
    actor.send(watched(41));
    actor.send(stopPlaced(900));
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();

    const emitted: AccountEmitted[] = [];
    const restored = createActor(accountWithClock({ now }), { snapshot: persisted, input: { accountId: 7, config: riskConfig(), now: now() } });
    restored.on('*', (e) => emitted.push(e as AccountEmitted));
    restored.start();
    restored.send({ type: 'system.resumed', now: now() });
    restored.send(filled(41));
    restored.send(position('position.closed'));
    expect(intentsOf(emitted).map((e) => e.type === 'intent' && [e.intent.type, e.rule])).toEqual([
      ['close', 'RULE-003'],
      ['cancel', 'RULE-012'],
    ]);
    restored.stop();
  });
});
