// Bad input (long suite): 10,000+ generated hostile hub payloads with breaches interleaved
// (test/reliability/support/badInput.ts), and the well-typed phantom: a position on a contract the gateway
// does not list.
import { it } from 'vitest';
import { phantomContractFrame, runBadInput } from './support/badInput.ts';

it('12,000 hostile payloads: counted, skipped, interleaved breaches enforced once', async () => {
  await runBadInput({ payloads: 12_000, breaches: 40, seed: 2024 });
}, 600_000);

it('a position event on a contract the gateway does not list does not derail enforcement of real positions', async () => {
  await runBadInput({ payloads: 200, breaches: 5, seed: 5, extra: [phantomContractFrame(900000)] });
}, 120_000);
