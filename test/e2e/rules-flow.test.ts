// E2E, the real riskd process against the simulator: behaviour rules RULE-006 (trade frequency) and RULE-007
// (cooldown after a loss). Neither closes anything; both set a cooldown lock that ends at its deadline.
import { expectOneRowPerAction } from './support/audit.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import type { LockRow } from '../../src/store/index.ts';
import { MNQ, effectiveCalls, observe, positionSize, startE2ESim, trader, waitFor, type E2ESim } from './support/sim.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

// One riskd for the file: each case has its own account and risk file.
const CASES = () => ({
  c1: {
        rules: {
          trade_frequency_limit: { enabled: true, count: 'fills', per_minute: { limit: 2, cooldown: '3s' }, per_hour: { limit: 100, cooldown: '30m' }, per_day: { limit: 300, cooldown: 'until_reset' } },
          max_contracts: { enabled: true, limit: 1, action: 'reduce_to_limit' },
        },
      },
  c2: { rules: { cooldown_after_loss: { enabled: true, tiers: [{ loss: 10, cooldown: '2s' }, { loss: 20, cooldown: '3s' }, { loss: 500, cooldown: '1h' }], consecutive_losses: { count: 5, cooldown: '1h' } } } },
  c3: { rules: { cooldown_after_loss: { enabled: true, tiers: [{ loss: 1000, cooldown: '1h' }], consecutive_losses: { count: 2, cooldown: '2s' } } } },
  c4: { rules: { trade_frequency_limit: { enabled: true, count: 'entries', per_minute: { limit: 1, cooldown: '5s' }, per_hour: { limit: 100, cooldown: '30m' }, per_day: { limit: 300, cooldown: 'until_reset' } } } },
  c5: {
        rules: {
          max_contracts: { enabled: true, limit: 1, action: 'reduce_to_limit' },
          cooldown_after_loss: { enabled: true, tiers: [{ loss: 10, cooldown: '2s' }], consecutive_losses: { count: 9, cooldown: '1h' } },
        },
      },
});

beforeAll(async () => {
  env = await startE2ESim('flow', 6);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

const locksOf = (acctId: number): LockRow[] => riskd!.readStore((s) => s.locks.history({ accountId: acctId }));
const activeLocks = (acctId: number): LockRow[] => riskd!.readStore((s) => s.locks.active(acctId));

/** Waits for the lock row to be released and checks it ended at its deadline (the tick catches up within ~1 s). */
async function expectReleasedAtDeadline(acctId: number, lockId: string): Promise<LockRow> {
  const row = await waitFor(`lock ${lockId} released`, () => locksOf(acctId).find((l) => l.id === lockId && l.releasedAt != null), 15_000);
  expect(row.releasedAt!).toBeGreaterThanOrEqual(row.until!);
  expect(row.releasedAt! - row.until!).toBeLessThan(1500);
  return row;
}

describe('RULE-006 trade_frequency_limit', () => {
  it('count: fills — riskd\'s own exits never count; the trader\'s third fill in a minute starts a cooldown of that window that ends at its deadline', async () => {
    const acct = fleet.account('c1');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(MNQ, 2); // trader fill 1; riskd reduces (its exit fill)
    await waitFor('riskd reduced MNQ to 1', () => positionSize(sim, acct.id, MNQ) === 1 && effectiveCalls(sim, acct.id).length === 1);
    t.buy(MNQ, 1); // trader fill 2; riskd reduces again
    await waitFor('riskd reduced MNQ to 1 again', () => positionSize(sim, acct.id, MNQ) === 1 && effectiveCalls(sim, acct.id).length === 2);
    await observe(300);
    expect(activeLocks(acct.id)).toEqual([]); // 4 fills on the tape, only 2 are the trader's
    t.buy(MNQ, 1); // trader fill 3 > 2 (riskd reduces this one too: RULE-001 still applies)
    const lock = await waitFor('a RULE-006 cooldown', () => activeLocks(acct.id).find((l) => l.rule === 'RULE-006'));
    expect(lock.kind).toBe('cooldown');
    expect(lock.until! - lock.since).toBe(3000);
    // What the breaching entry's position update leads to is the known bug below; the earlier calls are RULE-001's.
    expect(effectiveCalls(sim, acct.id).slice(0, 2)).toEqual(Array(2).fill(`Position/partialCloseContract ${MNQ} size=1`));
    await expectReleasedAtDeadline(acct.id, lock.id);
    // Not asserted here: the trader re-breaches RULE-001 while riskd's previous reduce is confirmed but its call
    // not yet answered; the executor still holds the contract and absorbs that new decision, then redoes it.
  });
});

describe('RULE-007 cooldown_after_loss', () => {
  it('a losing exit at a tier starts that tier\'s cooldown (largest matching tier), no close; it ends at its deadline', async () => {
    const acct = fleet.account('c2');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.buy(MNQ, 1);
    sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
    t.close(MNQ); // -$20 gross, -$20.74 net: the $20 tier
    const lock = await waitFor('a RULE-007 cooldown', () => activeLocks(acct.id).find((l) => l.rule === 'RULE-007'));
    expect(lock.kind).toBe('cooldown');
    expect(lock.until! - lock.since).toBe(3000);
    expect(effectiveCalls(sim, acct.id)).toEqual([]);
    await expectReleasedAtDeadline(acct.id, lock.id);
    await expectOneRowPerAction(riskd, env, acct.id);
  });

  it('consecutive losers lock; a profitable exit resets the count', async () => {
    const acct = fleet.account('c3');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    const roundTrip = async (points: number) => {
      sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
      t.buy(MNQ, 1);
      sim.market.setQuote(MNQ, { bid: 20000.25 + points, ask: 20000.5 + points });
      t.close(MNQ);
      await waitFor('flat', () => positionSize(sim, acct.id, MNQ) === 0);
    };
    await roundTrip(-1); // loser 1
    await roundTrip(+2); // winner: resets
    await roundTrip(-1); // loser 1 again
    await observe(500);
    expect(activeLocks(acct.id)).toEqual([]);
    await roundTrip(-1); // loser 2 in a row
    const lock = await waitFor('a consecutive-loss cooldown', () => activeLocks(acct.id).find((l) => l.rule === 'RULE-007'));
    expect(lock.kind).toBe('cooldown');
    expect(lock.until! - lock.since).toBe(2000);
    expect(effectiveCalls(sim, acct.id)).toEqual([]);
    await expectReleasedAtDeadline(acct.id, lock.id);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});

describe('RULE-006 closes nothing, not even the entry that breached it', () => {
  // The fill sets the cooldown; the position event of that same fill arrives a moment later. The kill switch
  // must not take it for new exposure during the cooldown: the fill behind it is from before the cooldown.
  it('RULE-006: the breaching entry and the position it adds to are left open', async () => {
    const acct = fleet.account('c4');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    t.buy(MNQ, 1);
    await observe(300);
    t.buy(MNQ, 1); // entry 2 > 1: cooldown
    await waitFor('a RULE-006 cooldown', () => activeLocks(acct.id).find((l) => l.rule === 'RULE-006'));
    await observe(1000);
    expect(effectiveCalls(sim, acct.id)).toEqual([]);
    expect(positionSize(sim, acct.id, MNQ)).toBe(2);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});

describe('a trader exit soon after a riskd close is the trader\'s own', () => {
  // riskd's exits are attributed by a window after its close/reduce AND a budget of the contracts it closes, so a
  // trader's losing exit in that window still counts for RULE-007 (and RULE-006 with count: fills).
  it('RULE-007: the trader\'s losing exit right after riskd reduced the position starts the cooldown', async () => {
    const acct = fleet.account('c5');
    const sim = env.sim;
    const t = trader(sim, acct.id);
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.buy(MNQ, 2);
    await waitFor('riskd reduced MNQ to 1', () => positionSize(sim, acct.id, MNQ) === 1);
    sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
    t.close(MNQ); // the trader's own exit: -$20
    await waitFor('a RULE-007 cooldown', () => activeLocks(acct.id).find((l) => l.rule === 'RULE-007'), 3000);
    await expectOneRowPerAction(riskd, env, acct.id);
  });
});
