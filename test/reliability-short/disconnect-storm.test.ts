// Short disconnect storm inside npm test (the long suite runs drops every 5-30 s): see
// test/reliability/support/disconnectStorm.ts.
import { it } from 'vitest';
import { runDisconnectStorm } from '../reliability/support/disconnectStorm.ts';

it('breaches made while the hubs are down are enforced within 5 s of the next REST look, once', async () => {
  await runDisconnectStorm({ cycles: 4, gapMs: [300, 1500], seed: 9 });
}, 60_000);
