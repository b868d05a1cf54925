// E2E crash test (issue 5): riskd is killed with SIGKILL while a RULE-007 cooldown and a RULE-008 grace timer
// run, then restarted on the same data dir. The cooldown must end at its ORIGINAL deadline, the grace must
// expire on time (not restart), the kill switch must resume at once, and nothing may be enforced twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRiskd, type RiskdProcess } from './support/riskd.ts';
import { MES, MNQ, enforcementCalls, observe, positionSize, startE2ESim, succeeded, summarize, trader, waitFor, waitForCall, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess | undefined;

beforeAll(async () => {
  env = await startE2ESim('crash', 2);
});
afterEach(async () => {
  await riskd?.dispose();
  riskd = undefined;
});
afterAll(async () => {
  await env.close();
});

// Long enough that riskd is back (5-8 s to be live on a loaded machine) before either deadline.
const GRACE_MS = 15_000;
const COOLDOWN_MS = 18_000;

describe('kill -9 and restart on the same data dir', () => {
  it('the cooldown ends at its original deadline, the grace expires on time, nothing is sent twice', async () => {
    const acct = env.nextAccount();
    const sim = env.sim;
    riskd = await startRiskd({
      sim,
      accountName: acct.name,
      risk: {
        rules: {
          no_stop_loss_grace: { enabled: true, grace: `${GRACE_MS / 1000}s` },
          cooldown_after_loss: { enabled: true, tiers: [{ loss: 10, cooldown: `${COOLDOWN_MS / 1000}s` }], consecutive_losses: { count: 9, cooldown: '1h' } },
        },
      },
    });
    const t = trader(sim, acct.id);
    // An unprotected MES position: its grace runs from now. It existed before the cooldown, so the cooldown leaves it.
    const graceFrom = Date.now();
    t.buy(MES, 1);
    // A losing MNQ round trip (a protective stop is in place, so RULE-008 leaves MNQ alone): -$20 → cooldown.
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.buy(MNQ, 1, { stopLossBracket: { ticks: -80, type: 4 } });
    sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
    t.close(MNQ);
    const lock = await waitFor('the RULE-007 cooldown row', () => riskd!.readStore((s) => s.locks.active(acct.id)).find((l) => l.rule === 'RULE-007'));
    expect(lock.kind).toBe('cooldown');
    expect(lock.until! - lock.since).toBe(COOLDOWN_MS);

    await riskd.kill();
    const killedAt = Date.now();
    expect(killedAt - graceFrom).toBeLessThan(3000);
    const before = sim.requests.lastSeq();
    await riskd.restart();
    expect(Date.now(), riskd.describe()).toBeLessThan(graceFrom + GRACE_MS - 1000); // back before the grace ends

    // The restored lock row is the same lock with the same deadline.
    const restored = riskd.readStore((s) => s.locks.active(acct.id));
    expect(restored.map((l) => ({ id: l.id, kind: l.kind, until: l.until }))).toEqual([{ id: lock.id, kind: 'cooldown', until: lock.until }]);

    // The kill switch resumed at once: a new position during the cooldown is closed.
    t.buy(MNQ, 1);
    const ks = await waitForCall(sim, acct.id, '/api/Position/closeContract', 3000, (b) => b['contractId'] === MNQ, before);
    expect(ks.wallAt).toBeLessThan(lock.until!);

    // The grace expires at its original deadline, not GRACE_MS after the restart.
    const grace = await waitForCall(sim, acct.id, '/api/Position/closeContract', GRACE_MS + 3000, (b) => b['contractId'] === MES, before);
    expect(grace.wallAt - graceFrom).toBeGreaterThanOrEqual(GRACE_MS);
    expect(grace.wallAt - graceFrom).toBeLessThan(GRACE_MS + 1000);
    await waitFor('MES flat', () => positionSize(sim, acct.id, MES) === 0);

    // The cooldown ends at its original deadline.
    const released = await waitFor(
      'the cooldown released',
      () => riskd!.readStore((s) => s.locks.history({ accountId: acct.id })).find((l) => l.id === lock.id && l.releasedAt != null),
      COOLDOWN_MS + 3000,
    );
    expect(released.releasedAt!).toBeGreaterThanOrEqual(lock.until!);
    expect(released.releasedAt! - lock.until!).toBeLessThan(1500);

    // After the cooldown trading is left alone (a stop keeps RULE-008 quiet).
    const after = sim.requests.lastSeq();
    t.buy(MNQ, 1, { stopLossBracket: { ticks: -80, type: 4 } });
    await observe(1000);
    expect(enforcementCalls(sim, acct.id, undefined, after)).toEqual([]);
    expect(positionSize(sim, acct.id, MNQ)).toBe(1);

    // Exactly one accepted close per enforcement, across the crash.
    const accepted = enforcementCalls(sim, acct.id).filter(succeeded).map(summarize);
    expect(accepted.filter((c) => c === `Position/closeContract ${MES}`)).toHaveLength(1);
    expect(accepted.filter((c) => c === `Position/closeContract ${MNQ}`)).toHaveLength(1);
  }, 60_000);
});
