// Footprint of riskd as deployed: the real `riskd start` process (dist/ when built, else tsx: printed first)
// watching 20 simulator accounts x 5 open positions, quotes published by the simulator at a steady rate over the
// market hub, a real round trip every 10 s. Real time, not an accelerated day (bench/footprint.ts walks 24 h with an
// injected clock inside one process; this one shows what the launched process itself holds). RSS and its peak are
// read from /proc/<pid>/status every 10 s.
// Run: npm run build && node bin/run-ts.js bench/footprint-process.ts [minutes=3] [quotesPerSecond=100]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadavg } from 'node:os';
import { startSimulator } from '../src/sim/index.ts';
import { OrderSide, OrderType } from '../src/gateway/models.ts';
import { RiskdProcess } from '../test/reliability/support/riskdProcess.ts';
import { BASE_RISK, machine } from './support/inProcess.ts';
import { staleReason } from '../bin/buildManifest.js';

/** VmRSS and VmHWM (peak) of a process, MB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export async function runFootprintProcess(minutes = 3, quotesPerSecond = 100): Promise<string[]> {
  const out: string[] = [`footprint of the riskd process; ${machine()}`];
  const stale = process.env['RISKD_FROM_SOURCE'] === '1' ? 'RISKD_FROM_SOURCE=1' : staleReason(resolve(import.meta.dirname, '..'));
  out.push(`riskd runs: ${stale === undefined ? 'dist/ (build matches the sources)' : `from source through tsx (${stale})`}`);
  const accounts = Array.from({ length: 20 }, (_, i) => ({ id: 930000 + i, name: `FPP-${i + 1}`, balance: 50000 }));
  const sim = await startSimulator({ seed: 11, accounts, rateLimit: { max: 100_000, windowMs: 60_000 } });
  const risk = {
    ...BASE_RISK,
    rules: {
      max_contracts: { enabled: true, limit: 20, action: 'reduce_to_limit' },
      daily_unrealized_loss: { enabled: true, limit: 1_000_000, scope: 'per_position', respect_realized_budget: false },
      daily_realized_loss: { enabled: true, limit: 1_000_000, include_fees: true },
    },
  };
  const riskd = await RiskdProcess.start({ sim, accountNames: accounts.map((a) => a.name), risk });
  const timers: ReturnType<typeof setInterval>[] = [];
  try {
    const contracts = sim.contracts().slice(0, 5);
    for (const a of accounts) for (const c of contracts) sim.trader.placeOrder({ accountId: a.id, contractId: c.id, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
    const base = contracts.map((c) => sim.market.quote(c.id));
    let q = 0;
    // Quotes in 10 ms slices, each contract wandering a few ticks around its start.
    timers.push(setInterval(() => {
      for (let i = 0; i < quotesPerSecond / 100; i++, q++) {
        const k = q % contracts.length;
        const tick = contracts[k]!.tickSize * ((q % 7) - 3);
        sim.market.setQuote(contracts[k]!.id, { bid: base[k]!.bid + tick, ask: base[k]!.ask + tick });
      }
    }, 10));
    let trips = 0;
    timers.push(setInterval(() => {
      const a = accounts[trips++ % accounts.length]!;
      const c = contracts[0]!.id;
      sim.trader.placeOrder({ accountId: a.id, contractId: c, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
      sim.trader.placeOrder({ accountId: a.id, contractId: c, type: OrderType.Market, side: OrderSide.Ask, size: 1 });
    }, 10_000));
    const samples: number[] = [];
    const end = Date.now() + minutes * 60_000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10_000));
      samples.push(memoryOf(riskd.pid!).rss);
    }
    const m = memoryOf(riskd.pid!);
    out.push(`${minutes} min, 20 accounts x 5 positions, ${quotesPerSecond} quotes/s target (${(q / (minutes * 60)).toFixed(0)}/s sent), ${trips} round trips; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    out.push(`  RSS MB every 10 s: ${samples.map((x) => x.toFixed(0)).join(' ')}`);
    out.push(`  RSS min ${Math.min(...samples).toFixed(0)} MB, max ${Math.max(...samples).toFixed(0)} MB, peak (VmHWM) ${m.peak.toFixed(0)} MB`);
  } finally {
    for (const t of timers) clearInterval(t);
    await riskd.dispose();
    await sim.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [minutes, qps] = process.argv.slice(2).map(Number);
  for (const line of await runFootprintProcess(minutes || 3, qps || 100)) console.log(line);
}
