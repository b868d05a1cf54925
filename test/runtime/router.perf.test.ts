// Quotes arrive by the hundred per second: routing one must stay O(holders) and allocation-free in the ledger.
// A generous bound (measured ~50x faster) only catches an accidental O(n) scan or allocation storm.
import { expect, it } from 'vitest';
import { createRouter } from '../../src/runtime/router.ts';
import { LedgerRegistry } from '../../src/ledger/registry.ts';
import { applyEvent } from '../../src/ledger/apply.ts';
import type { GatewayEvent } from '../../src/gateway/models.ts';
import { CT, T0, MNQ_C, MNQ, posEv } from '../ledger/helpers.ts';

it('routes 20k quotes to 10 holding accounts (and past 200 idle ones) well under a second', () => {
  const r = new LedgerRegistry({ tradingDay: CT });
  r.contracts.put(MNQ_C);
  for (let a = 1; a <= 210; a++) {
    const l = r.open(a, T0);
    if (a <= 10) applyEvent(l, posEv({ id: a, accountId: a }, T0));
  }
  let delivered = 0;
  const router = createRouter({ registry: r, onChange: () => void delivered++, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  const ev = { kind: 'quote', source: 'hub', receivedAt: T0, quote: { contractId: MNQ, bestBid: 100 } } satisfies GatewayEvent;
  const started = performance.now();
  for (let i = 0; i < 20_000; i++) {
    ev.quote.bestBid = 100 + (i % 50) * 0.25;
    ev.receivedAt = T0 + i;
    router.handle(ev);
  }
  const ms = performance.now() - started;
  expect(delivered).toBe(200_000);
  expect(r.get(1)!.position(MNQ)!.mark).toBe(100 + (19_999 % 50) * 0.25);
  expect(ms).toBeLessThan(1500);
});
