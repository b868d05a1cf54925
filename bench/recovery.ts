// Recovery: `riskd start` as a real process against the local simulator with 20 accounts, timed from spawn to
// the "riskd is live" line (reconciled, hubs up, enforcing). Fresh store first; then a realistic store (every
// account traded round trips, some hold locks, open positions) after a kill -9, restarted several times.
// The bare cost of starting riskd (`riskd --version`: node + loading the CLI) is measured too, since it is part of
// it, both from the compiled build (dist/, `npm run build`) and from source through tsx (RISKD_FROM_SOURCE=1).
// The daemon starts run whichever bin/riskd.js picks (printed first): dist/ when it matches the sources.
// Run: npm run build && node bin/run-ts.js bench/recovery.ts   (RISKD_FROM_SOURCE=1 ... for the source path)
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { startSimulator } from '../src/sim/index.ts';
import { OrderSide, OrderType } from '../src/gateway/models.ts';
import { RiskdProcess } from '../test/reliability/support/riskdProcess.ts';
import { BASE_RISK, machine, summary } from './support/inProcess.ts';
import { staleReason } from '../bin/buildManifest.js';

export async function runRecovery(restarts = 5): Promise<string[]> {
  const out: string[] = [];
  const root = resolve(import.meta.dirname, '..');
  const stale = process.env['RISKD_FROM_SOURCE'] === '1' ? 'RISKD_FROM_SOURCE=1' : staleReason(root);
  out.push(`riskd runs: ${stale === undefined ? 'dist/ (build matches the sources)' : `from source through tsx (${stale})`}`);
  const version = (fromSource: boolean) => {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['bin/riskd.js', '--version'], { cwd: root, env: { ...process.env, RISKD_FROM_SOURCE: fromSource ? '1' : '' } });
      ms.push(performance.now() - t0);
    }
    return summary(ms, 'ms', 0);
  };
  if (stale === undefined) out.push(`riskd --version from dist/:          ${version(false)}`);
  out.push(`riskd --version from source (tsx):   ${version(true)}`);
  const accounts = Array.from({ length: 20 }, (_, i) => ({ id: 910000 + i, name: `REC-${i + 1}`, balance: 50000 }));
  const sim = await startSimulator({ seed: 5, accounts, rateLimit: { max: 100_000, windowMs: 60_000 } });
  const risk = {
    ...BASE_RISK,
    rules: {
      max_contracts: { enabled: true, limit: 5, action: 'reduce_to_limit' },
      daily_realized_loss: { enabled: true, limit: 300, include_fees: true },
      trade_frequency_limit: { enabled: true, count: 'entries', per_minute: { limit: 1000, cooldown: '60s' }, per_hour: { limit: 5000, cooldown: '30m' }, per_day: { limit: 10000, cooldown: 'until_reset' } },
    },
  };
  const riskd = await RiskdProcess.start({ sim, accountNames: accounts.map((a) => a.name), risk });
  try {
    out.push(`fresh store, 20 accounts: spawn -> "riskd is live" ${riskd.liveMs[0]!.toFixed(0)} ms`);
    // A trading session: 10 round trips per account, 4 accounts lose past the daily limit (until_reset lock),
    // every account ends holding 2 contracts.
    const mkt = (id: number, c: string, side: OrderSide, size: number) => sim.trader.placeOrder({ accountId: id, contractId: c, type: OrderType.Market, side, size });
    const mnq = sim.contracts().find((c) => c.id.includes('.MNQ.'))!;
    for (let r = 0; r < 10; r++) {
      for (const a of accounts) {
        mkt(a.id, mnq.id, OrderSide.Bid, 1);
        mkt(a.id, mnq.id, OrderSide.Ask, 1);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    const q = sim.market.quote(mnq.id);
    for (const a of accounts.slice(0, 4)) mkt(a.id, mnq.id, OrderSide.Bid, 2);
    sim.market.setPrice(mnq.id, q.bid - 100);
    for (const a of accounts.slice(0, 4)) sim.trader.closeContract(a.id, mnq.id);
    sim.market.setPrice(mnq.id, q.bid);
    for (const a of accounts.slice(4)) mkt(a.id, mnq.id, OrderSide.Bid, 2);
    await new Promise((res) => setTimeout(res, 3000));
    const times: number[] = [];
    for (let i = 0; i < restarts; i++) {
      await riskd.kill();
      await riskd.restart();
      times.push(riskd.liveMs.at(-1)!);
      await new Promise((res) => setTimeout(res, 500));
    }
    out.push(`after kill -9, realistic store (20 accounts, 400 fills, 4 locked): spawn -> "riskd is live" ${summary(times, 'ms', 0)}`);
    const steps = [...riskd.stderr.matchAll(/startup: ([a-z +]+?)(?= \w+=).*?ms=([\d.]+)/g)].map((m) => `${m[1]} ${m[2]} ms`);
    if (steps.length > 0) out.push(`  last start's steps: ${steps.join(', ')}`);
  } finally {
    await riskd.dispose();
    await sim.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`recovery; ${machine()}`);
  for (const l of await runRecovery()) console.log(l);
}
