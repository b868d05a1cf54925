// Short bad-input run inside npm test (the long suite sends 10,000+): see test/reliability/support/badInput.ts.
import { it } from 'vitest';
import { runBadInput } from '../reliability/support/badInput.ts';

it('hostile hub payloads are counted and skipped while interleaved breaches are enforced once', async () => {
  await runBadInput({ payloads: 1500, breaches: 5, seed: 77 });
}, 60_000);
