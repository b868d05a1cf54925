// E2E, the real riskd process against a simulator whose clock is off riskd's by -5 s and +5 s. Whether
// exposure is new or older than a cooldown is decided in riskd's own clock (when riskd received the fills),
// never by comparing a gateway stamp with riskd's time: a position opened after a cooldown began is closed,
// one held before it (or the entry that set it) is left alone, whichever way the clocks are off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneRowPerAction } from './support/audit.ts';
import { startFleet, type Fleet, type RiskdProcess } from './support/riskd.ts';
import { MES, MNQ, NQ, effectiveCalls, observe, positionSize, startE2ESim, trader, waitFor, waitForCall, type E2ESim } from './support/sim.ts';

const CASES = () => ({
  loss: { rules: { cooldown_after_loss: { enabled: true, tiers: [{ loss: 10, cooldown: '30s' }], consecutive_losses: { count: 9, cooldown: '1h' } } } },
  entries: { rules: { trade_frequency_limit: { enabled: true, count: 'entries', per_minute: { limit: 1, cooldown: '30s' }, per_hour: { limit: 100, cooldown: '30m' }, per_day: { limit: 300, cooldown: 'until_reset' } } } },
});

for (const skew of [-5000, 5000]) {
  describe(`gateway clock ${skew > 0 ? '+' : ''}${skew / 1000} s from riskd's`, () => {
    let env: E2ESim;
    let riskd: RiskdProcess;
    let fleet: Fleet<keyof ReturnType<typeof CASES>>;
    beforeAll(async () => {
      env = await startE2ESim(`skew${skew}`, 2, 7, { clockSkewMs: skew });
      fleet = await startFleet(env, CASES());
      riskd = fleet.riskd;
    }, 90_000);
    afterAll(async () => {
      await riskd?.dispose();
      await env?.close();
    });
    const cooldownOf = (acctId: number) => waitFor('the cooldown', () => riskd.readStore((s) => s.locks.active(acctId)).find((l) => l.kind === 'cooldown'));

    it('RULE-007: a position opened after the cooldown began is closed; one held before it is left alone', async () => {
      const acct = fleet.account('loss');
      const sim = env.sim;
      const t = trader(sim, acct.id);
      t.buy(MES, 1); // held before the cooldown
      sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
      t.buy(MNQ, 1);
      sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
      t.close(MNQ); // -$20: the cooldown
      await cooldownOf(acct.id);
      await observe(300);
      t.buy(NQ, 1); // 300 ms into the cooldown
      await waitForCall(sim, acct.id, '/api/Position/closeContract', 3000, (b) => b['contractId'] === NQ);
      await waitFor('NQ flat', () => positionSize(sim, acct.id, NQ) === 0);
      await observe(500);
      expect(positionSize(sim, acct.id, MES)).toBe(1);
      expect(effectiveCalls(sim, acct.id)).toEqual([`Position/closeContract ${NQ}`]);
      await expectOneRowPerAction(riskd, env, acct.id);
    });

    it('RULE-006: the entry that set the cooldown is left alone; the next entry is closed', async () => {
      const acct = fleet.account('entries');
      const sim = env.sim;
      const t = trader(sim, acct.id);
      t.buy(MNQ, 1);
      await observe(300);
      t.buy(MES, 1); // entry 2 > 1: the cooldown (this entry is its cause, not new exposure)
      await cooldownOf(acct.id);
      await observe(800);
      expect(effectiveCalls(sim, acct.id)).toEqual([]);
      expect(positionSize(sim, acct.id, MES)).toBe(1);
      t.buy(NQ, 1); // during the cooldown
      await waitForCall(sim, acct.id, '/api/Position/closeContract', 3000, (b) => b['contractId'] === NQ);
      await waitFor('NQ flat', () => positionSize(sim, acct.id, NQ) === 0);
      await observe(500);
      expect(positionSize(sim, acct.id, MNQ)).toBe(1);
      expect(positionSize(sim, acct.id, MES)).toBe(1);
      expect(effectiveCalls(sim, acct.id)).toEqual([`Position/closeContract ${NQ}`]);
      await expectOneRowPerAction(riskd, env, acct.id);
    });
  });
}
