// Disconnect storm (long suite): hubs dropped or stalled every 5-30 s for a few minutes, a breach in every
// gap (test/reliability/support/disconnectStorm.ts).
import { it } from 'vitest';
import { runDisconnectStorm } from './support/disconnectStorm.ts';

it('drops and stalls every 5-30 s: each gap breach enforced within 5 s of the next REST look, once', async () => {
  await runDisconnectStorm({ cycles: 12, gapMs: [5_000, 30_000], seed: 99 });
}, 900_000);
