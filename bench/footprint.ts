// Footprint over an accelerated trading day: RSS and heap while riskd lives through 24 h of simulated time.
// How it is accelerated: one injected wall clock drives BOTH the simulator and the daemon (Daemon.start({now}),
// startSimulator({now})). The day is walked in 1-simulated-second steps from Monday 16:00 CT (so the 17:00 reset
// falls inside). Each simulated second delivers QUOTES_PER_SIM_SECOND parsed quote events straight into
// Daemon.ingest (no sockets: the quote path is the same after parsing), and every 5 simulated minutes one
// account makes a real round trip through the simulator (order, fills, positions over the user hub, trades
// persisted). Memory is sampled every simulated hour after a GC (--expose-gc when available).
// Run: node --expose-gc bin/run-ts.js bench/footprint.ts [quotesPerSimSecond]
import { performance } from 'node:perf_hooks';
import { OrderSide, OrderType } from '../src/gateway/models.ts';
import { BASE_RISK, machine, until } from './support/inProcess.ts';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startSimulator } from '../src/sim/index.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/log/logger.ts';
import { Daemon } from '../src/runtime/daemon.ts';
import { raiseBudget } from './support/inProcess.ts';

const MB = 1024 * 1024;

export async function runFootprint(quotesPerSimSecond = 100): Promise<string[]> {
  const out: string[] = [];
  let clock = Date.UTC(2026, 10, 23, 22, 0, 0); // Monday 16:00 America/Chicago (CST, UTC-6)
  const now = () => clock;
  const dir = mkdtempSync(join(tmpdir(), 'riskd-footprint-'));
  const accounts = Array.from({ length: 20 }, (_, i) => ({ id: 920000 + i, name: `FP-${i + 1}`, balance: 50000 }));
  const sim = await startSimulator({ seed: 3, accounts, now, tokenTtlMs: 365 * 24 * 3600_000, rateLimit: { max: 1e9, windowMs: 60_000 } });
  writeFileSync(join(dir, 'risk.yaml'), stringify({
    ...BASE_RISK,
    rules: {
      max_contracts: { enabled: true, limit: 20, action: 'reduce_to_limit' },
      daily_unrealized_loss: { enabled: true, limit: 1_000_000, scope: 'per_position', respect_realized_budget: false },
      daily_realized_loss: { enabled: true, limit: 1_000_000, include_fees: true },
    },
  }));
  writeFileSync(join(dir, 'accounts.yaml'), stringify({
    gateway: { api_url: sim.url, user_hub_url: sim.userHubUrl, market_hub_url: sim.marketHubUrl },
    credentials: { username: sim.credentials.userName, api_key: '${FP_KEY}' },
    accounts: accounts.map((a) => ({ name: a.name })),
  }));
  const config = loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env: { FP_KEY: sim.credentials.apiKey } });
  const logger = createLogger({ level: 'info', file: join(dir, 'riskd.log'), terminal: false, now });
  const daemon = await Daemon.start({ config, dataDir: join(dir, 'data'), logger, now, tickMs: 1000 });
  raiseBudget(daemon);
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss / MB, heap: m.heapUsed / MB };
  };
  try {
    const contracts = sim.contracts().slice(0, 5).map((c) => ({ id: c.id, tick: c.tickSize }));
    for (const a of accounts) for (const c of contracts) sim.trader.placeOrder({ accountId: a.id, contractId: c.id, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
    const size = (id: number, c: string) => daemon.registry.get(id)?.position(c)?.size ?? 0;
    await until('positions seen', () => accounts.every((a) => contracts.every((c) => size(a.id, c.id) === 1)), 30_000);
    const base = contracts.map((c) => sim.market.quote(c.id).bid);
    const samples: { h: number; rss: number; heap: number }[] = [{ h: 0, ...sample() }];
    const t0 = performance.now();
    let k = 0;
    let trips = 0;
    for (let s = 1; s <= 24 * 3600; s++) {
      clock += 1000;
      for (let i = 0; i < quotesPerSimSecond; i++) {
        const j = k++ % contracts.length;
        const c = contracts[j]!;
        const bid = base[j]! + ((k >> 4) % 5) * c.tick - 2 * c.tick;
        daemon.ingest({ kind: 'quote', source: 'hub', receivedAt: clock, quote: { contractId: c.id, bestBid: bid, bestAsk: bid + c.tick, lastPrice: bid, timestamp: clock } });
      }
      if (s % 300 === 0) {
        const a = accounts[trips++ % accounts.length]!;
        const mes = contracts[1]!.id;
        sim.trader.placeOrder({ accountId: a.id, contractId: mes, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
        sim.trader.placeOrder({ accountId: a.id, contractId: mes, type: OrderType.Market, side: OrderSide.Ask, size: 1 });
      }
      if (s % 20 === 0) await new Promise((r) => setImmediate(r)); // let hub frames, timers and REST run
      if (s % 3600 === 0) {
        await new Promise((r) => setTimeout(r, 50));
        samples.push({ h: s / 3600, ...sample() });
      }
    }
    const real = (performance.now() - t0) / 1000;
    out.push(`24 simulated hours, 20 accounts x 5 positions, ${quotesPerSimSecond} quotes per simulated second (${(quotesPerSimSecond * 86400).toLocaleString('en-US')} quotes), ${trips} round trips, in ${real.toFixed(0)} s real time`);
    out.push(`  hour: ${samples.map((x) => x.h).join(' ')}`);
    out.push(`  RSS MB: ${samples.map((x) => x.rss.toFixed(0)).join(' ')}`);
    out.push(`  heap MB: ${samples.map((x) => x.heap.toFixed(1)).join(' ')}`);
    const rss = samples.map((x) => x.rss);
    out.push(`  RSS min ${Math.min(...rss).toFixed(0)} MB, max ${Math.max(...rss).toFixed(0)} MB; heap hour 1 -> 24: ${samples[1]!.heap.toFixed(1)} -> ${samples.at(-1)!.heap.toFixed(1)} MB (simulator in the same process)`);
    out.push(`  trading day after the walk (machine region): ${JSON.stringify(daemon.accountStatus(accounts[0]!.id).tradingDay)}`);
  } finally {
    await daemon.stop().catch(() => {});
    logger.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`footprint; ${machine()}`);
  for (const l of await runFootprint(Number(process.argv[2] ?? 100))) console.log(l);
}
