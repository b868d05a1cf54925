// Quote throughput with 20 accounts x 5 open positions: the rate riskd sustains without event-loop lag.
// 1. In-process ceiling: parsed quote events fed straight into Daemon.ingest, in 10 ms slices at a target rate,
//    while perf_hooks.monitorEventLoopDelay watches the loop; the rate steps up until the daemon falls behind.
// 2. End to end: the simulator publishes quotes over the market hub at a target rate; we count what reached
//    riskd's ingest and the loop delay.
// Run: node bin/run-ts.js bench/throughput.ts
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { OrderSide, OrderType, type GatewayEvent } from '../src/gateway/models.ts';
import { BASE_RISK, machine, startBenchEnv, until, type BenchEnv } from './support/inProcess.ts';

const RISK = {
  ...BASE_RISK,
  rules: {
    max_contracts: { enabled: true, limit: 20, action: 'reduce_to_limit' },
    daily_unrealized_loss: { enabled: true, limit: 1_000_000, scope: 'per_position', respect_realized_budget: false },
    max_unrealized_profit: { enabled: true, target: 1_000_000, scope: 'per_position' },
  },
};

async function openPositions(env: BenchEnv): Promise<{ id: string; tick: number }[]> {
  const contracts = env.sim.contracts().slice(0, 5).map((c) => ({ id: c.id, tick: c.tickSize }));
  for (const a of env.accounts)
    for (const c of contracts) {
      const r = env.sim.trader.placeOrder({ accountId: a.id, contractId: c.id, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
      if (!r.success) throw new Error(`bench order refused: ${r.errorMessage}`);
    }
  const size = (id: number, c: string) => env.daemon.registry.get(id)?.position(c)?.size ?? 0;
  await until('20 x 5 positions seen by riskd', () => env.accounts.every((a) => contracts.every((c) => size(a.id, c.id) === 1)), 30_000);
  await new Promise((r) => setTimeout(r, 500));
  return contracts;
}

interface Step {
  target: number;
  achieved: number;
  lagP99Ms: number;
  lagMaxMs: number;
  cpuPct: number;
  /**
   * Quotes handled per second of CPU the process used: what one core would sustain. Robust to a shared box
   * (a starved process reaches a low rate at a low CPU share), conservative (the whole process is counted).
   */
  perCpuSecond: number;
}

/** Runs `seconds` at `rate`/s, emitting with `emit` in 10 ms slices; reports achieved rate and loop delay. */
async function step(rate: number, seconds: number, emit: (n: number) => void, counted: () => number): Promise<Step> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  const c0 = counted();
  const cpu0 = process.cpuUsage();
  h.enable();
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const el = performance.now() - t0;
      if (el >= seconds * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((el / 1000) * rate) - sent;
      // Never more than 3 slices' worth at once: a daemon that cannot keep up shows as a lower achieved rate.
      const n = Math.min(due, Math.ceil(rate / 100) * 3);
      if (n > 0) emit(n);
      sent += n;
    }, 10);
  });
  await new Promise((r) => setTimeout(r, 200));
  h.disable();
  const el = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    target: rate,
    achieved: Math.round((counted() - c0) / seconds),
    lagP99Ms: h.percentile(99) / 1e6,
    lagMaxMs: h.max / 1e6,
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (el * 1000)) * 100),
    perCpuSecond: Math.round((counted() - c0) / ((cpu.user + cpu.system) / 1e6)),
  };
}

const fmt = (s: Step) =>
  `  target ${String(s.target).padStart(6)}/s  achieved ${String(s.achieved).padStart(6)}/s  loop delay p99 ${s.lagP99Ms.toFixed(1)} ms  max ${s.lagMaxMs.toFixed(1)} ms  cpu ${s.cpuPct}%  ${s.perCpuSecond}/cpu-s`;

export async function runThroughput(rates = [5_000, 10_000, 20_000, 40_000, 80_000], hubRates = [1_000, 2_000, 5_000, 10_000], seconds = 3): Promise<string[]> {
  const out: string[] = [];
  const env = await startBenchEnv({ accounts: 20, risk: RISK, unlimitedRest: true });
  try {
    const contracts = await openPositions(env);
    const { daemon, sim } = env;
    let ingested = 0;
    const origIngest = daemon.ingest.bind(daemon);
    daemon.ingest = (ev: GatewayEvent) => {
      if (ev.kind === 'quote') ingested++;
      origIngest(ev);
    };
    // Direct: parsed quote events, prices wandering +-1 tick around the current book.
    const base = contracts.map((c) => sim.market.quote(c.id).bid);
    let k = 0;
    const emitDirect = (n: number) => {
      for (let i = 0; i < n; i++) {
        const j = k++ % contracts.length;
        const c = contracts[j]!;
        const bid = base[j]! + ((k >> 3) % 3) * c.tick - c.tick;
        origIngest({ kind: 'quote', source: 'hub', receivedAt: Date.now(), quote: { contractId: c.id, bestBid: bid, bestAsk: bid + c.tick, lastPrice: bid, timestamp: Date.now() } });
        ingested++;
      }
    };
    out.push('in-process ceiling (parsed quotes into Daemon.ingest, 20 accounts x 5 positions):');
    for (const r of rates) out.push(fmt(await step(r, seconds, emitDirect, () => ingested)));
    // End to end over the market hub.
    const emitHub = (n: number) => {
      for (let i = 0; i < n; i++) {
        const j = k++ % contracts.length;
        const c = contracts[j]!;
        const bid = base[j]! + ((k >> 3) % 3) * c.tick - c.tick;
        sim.market.setQuote(c.id, { bid, ask: bid + c.tick, last: bid });
      }
    };
    out.push('end to end (simulator -> market hub -> riskd, same process; achieved = quotes that reached ingest):');
    for (const r of hubRates) out.push(fmt(await step(r, seconds, emitHub, () => ingested)));
  } finally {
    await env.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`quote throughput; ${machine()}`);
  for (const l of await runThroughput()) console.log(l);
}
