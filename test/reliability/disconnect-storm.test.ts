// Disconnect storm (long suite): hubs dropped or stalled every 5-30 s, a breach in every gap
// (test/reliability/support/disconnectStorm.ts). The long-stall run holds the hubs silent for 35 s to 2 min:
// longer than SignalR's 30 s server timeout, so riskd must notice the silence, go degraded, and enforce the
// breach made at the start of the stall from its first REST poll.
import { it, expect } from 'vitest';
import { runDisconnectStorm, type StormCycle } from './support/disconnectStorm.ts';

const line = (c: StormCycle, i: number) =>
  `storm cycle ${i + 1}: ${c.kind}${c.kind === 'stall' ? ` ${(c.stallMs / 1000).toFixed(1)} s` : ''}, breach -> first REST look ${(c.breachToLookMs / 1000).toFixed(1)} s, look -> enforce ${c.lookToEnforceMs.toFixed(0)} ms${c.degraded ? ', went degraded' : ''}${c.kind === 'stall' ? `, live again ${(c.liveAgainMs / 1000).toFixed(1)} s after the stall` : ''}`;

it('drops and stalls every 5-30 s: each gap breach enforced within 5 s of the next REST look, once', async () => {
  await runDisconnectStorm({ cycles: 12, gapMs: [5_000, 30_000], seed: 99, onCycle: (c, i) => console.log(line(c, i)) });
}, 900_000);

it('stalls of up to 2 minutes: silence noticed, degraded polling enforces the stall breach within 5 s of the first poll', async () => {
  // Every other cycle is a stall, the first one the full 2 minutes; drops in between keep the reconnect path busy.
  const { cycles } = await runDisconnectStorm({
    cycles: 8,
    gapMs: [5_000, 30_000],
    seed: 1207,
    stallList: [120_000, 45_000, 90_000, 35_000],
    stallEvery: 2,
    enforceTimeoutMs: 60_000,
    onCycle: (c, i) => console.log(line(c, i)),
  });
  for (const c of cycles.filter((x) => x.kind === 'stall')) {
    expect(c.degraded, `a ${c.stallMs} ms stall did not take riskd to degraded polling`).toBe(true);
    expect(c.breachToLookMs, 'the stall breach was seen by REST before the hubs could have timed out').toBeGreaterThan(0);
  }
}, 900_000);
