// The daemon lets a lock-free verdict run ahead of the facts of the same socket read that wait for the end of the
// turn (src/runtime/machineOrder.ts). This checks the claim that makes it safe: on an account whose kill switch is
// not armed, the machine decides the same whether those facts come first or after (same intents, same register of
// positions and intents in flight, same states), from any history of lock-free events.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { Intent, Verdict } from '../../../src/rules/types.ts';
import type { AccountEvent } from '../../../machines/account/index.ts';
import { deliveryOf } from '../../../src/runtime/machineOrder.ts';
import { ct, riskConfig, startAccount } from './fixtures.ts';

const T0 = ct('2026-06-10T10:00'); // Wednesday, inside no boundary
beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

const CONTRACTS = ['C1', 'C2'] as const;
const contract = fc.constantFrom(...CONTRACTS);
const side = fc.constantFrom('long' as const, 'short' as const);

/** A fact of a socket read; `closed` only in the history (a waiting close keeps arrival order). */
const fact = (withClosed: boolean): fc.Arbitrary<(now: number) => AccountEvent> =>
  fc.oneof(
    fc.record({ c: contract, size: fc.integer({ min: 1, max: 8 }), side, opened: fc.boolean() }).map(({ c, size, side, opened }) => (now: number) =>
      ({ type: opened ? 'position.opened' : 'position.changed', contractId: c, symbol: 'MNQ', size, side, now }) as AccountEvent),
    fc.record({ c: contract, p: fc.boolean() }).map(({ c, p }) => (now: number) => ({ type: 'position.protection', contractId: c, protected: p, now }) as AccountEvent),
    fc.record({ c: contract, id: fc.integer({ min: 1, max: 5 }), market: fc.boolean() }).map(({ c, id, market }) => (now: number) =>
      ({ type: 'order.working', orderId: id, contractId: c, symbol: 'MNQ', now, side: 0, size: 1, market }) as AccountEvent),
    ...(withClosed ? [contract.map((c) => (now: number) => ({ type: 'position.closed', contractId: c, symbol: 'MNQ', size: 0, side: 'long', now }) as AccountEvent)] : []),
  );

const intent: fc.Arbitrary<Intent> = fc.oneof(
  fc.record({ c: contract, size: fc.integer({ min: 1, max: 3 }) }).map(({ c, size }) => ({ type: 'reduce', accountId: 7, contractId: c, size }) as Intent),
  contract.map((c) => ({ type: 'close', accountId: 7, contractId: c }) as Intent),
  fc.integer({ min: 1, max: 5 }).map((orderId) => ({ type: 'cancel', accountId: 7, orderId }) as Intent),
);
const lockFree: fc.Arbitrary<Verdict[]> = fc.array(
  fc.record({ rule: fc.constantFrom('RULE-001' as const, 'RULE-002' as const, 'RULE-004' as const), intents: fc.array(intent, { minLength: 1, maxLength: 2 }) }).map(
    (v) => ({ ...v, message: 'breach', numbers: {} }) as Verdict,
  ),
  { minLength: 1, maxLength: 2 },
);

/** History: lock-free facts, verdicts and settlements, a few ms apart. */
const history = fc.array(
  fc.oneof(
    fact(true).map((f) => ({ f })),
    lockFree.map((v) => ({ v })),
    fc.constant({ settled: true }),
  ),
  { maxLength: 12 },
);

type Step = { f?: (n: number) => AccountEvent; v?: Verdict[]; settled?: boolean };

/** A fresh account at T0 through the history; intents it emits are settled by the `settled` steps. */
function run(prefix: readonly Step[]) {
  vi.setSystemTime(T0);
  const started = startAccount(riskConfig({ rules: { no_stop_loss_grace: { enabled: true, grace: 30_000 } } }));
  const { actor, emitted } = started;
  let now = T0;
  const sent: Intent[] = [];
  for (const h of prefix) {
    now += 3;
    vi.setSystemTime(now);
    if (h.f) actor.send(h.f(now));
    else if (h.v) actor.send({ type: 'rule.verdicts', verdicts: h.v, now });
    else if (sent.length > 0) actor.send({ type: 'enforcement.settled', intents: sent.splice(0), now });
    for (const e of emitted.splice(0)) if (e.type === 'intent') sent.push(e.intent);
  }
  return { actor, emitted, started, now };
}

describe('a lock-free verdict overtaking the waiting facts of its turn', () => {
  it('decides the same as arrival order, from any lock-free history', () => {
    fc.assert(
      fc.property(history, fc.array(fact(true), { maxLength: 5 }), fc.array(fact(true), { maxLength: 2 }), lockFree, (prefix, waitingF, ownF, verdicts) => {
        const outcome = (order: 'arrival' | 'verdictFirst') => {
          const { actor, emitted, started, now: t } = run(prefix);
          const now = t + 1;
          vi.setSystemTime(now);
          const waiting = waitingF.map((f) => f(now));
          const own: AccountEvent[] = [...ownF.map((f) => f(now)), { type: 'rule.verdicts', verdicts, now }];
          emitted.length = 0;
          // The precondition the daemon checks: the kill switch is not armed.
          const snap = actor.getSnapshot();
          if (snap.matches({ lockout: 'locked' }) || snap.matches({ symbolBlocks: 'blocking' })) return undefined;
          const d = deliveryOf(own, 'lockFreeVerdict', waiting);
          const events = order === 'arrival' ? [...waiting, ...own] : [...d.now, ...d.wait];
          for (const e of events) actor.send(e);
          expect(started.errors).toEqual([]);
          const s = actor.getSnapshot();
          const { positionActors: _refs, ...ctx } = s.context;
          const children = Object.fromEntries(Object.entries(s.children).map(([id, c]) => [id, (c as { getSnapshot(): { value: unknown } }).getSnapshot().value]));
          return { intents: emitted.filter((e) => e.type === 'intent'), ctx, value: s.value, children };
        };
        const a = outcome('arrival');
        const b = outcome('verdictFirst');
        expect(b).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
