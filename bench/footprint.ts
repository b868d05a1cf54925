// Footprint over an accelerated trading day: RSS and heap of riskd's process ALONE while it lives through 24 h of
// simulated time. The simulator runs in a forked child (bench/footprint-sim.ts) and riskd in this process, so
// process.memoryUsage() here is riskd (+ node and the tsx loader it runs under, as `riskd start` does).
// How it is accelerated: this process owns one simulated wall clock; the daemon reads it (Daemon.start({now})) and
// every IPC message to the child carries it (the simulator's injected `now` reads the last value). The day is
// walked in 1-simulated-second steps from Monday 16:00 CT (so the 17:00 reset falls inside). Each simulated second
// delivers QUOTES_PER_SIM_SECOND parsed quote events straight into Daemon.ingest (no sockets: the quote path is the
// same after parsing), and every 5 simulated minutes one account makes a real round trip through the simulator
// (orders placed in the child, fills and positions over the real user hub, trades persisted). Memory is sampled
// every simulated hour after a GC (--expose-gc), split into heap used / heap total / external / array buffers.
// Run: node --expose-gc bin/run-ts.js bench/footprint.ts [quotesPerSimSecond]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { stringify } from 'yaml';
import { OrderSide } from '../src/gateway/models.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/log/logger.ts';
import { Daemon } from '../src/runtime/daemon.ts';
import type { ChildMessage, ParentMessage } from './footprint-sim.ts';

// Deliberately not imported from bench/support/inProcess.ts: that module loads the simulator, which would put
// simulator code back into the measured process.
const MB = 1024 * 1024;
const machine = () => `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
const RISK = {
  trading_day: { reset_time: '17:00', timezone: 'America/Chicago' },
  admin: { unlock: 'delayed', unlock_delay: '15m' },
  rules: {
    max_contracts: { enabled: true, limit: 20, action: 'reduce_to_limit' },
    daily_unrealized_loss: { enabled: true, limit: 1_000_000, scope: 'per_position', respect_realized_budget: false },
    daily_realized_loss: { enabled: true, limit: 1_000_000, include_fees: true },
  },
};

/** The simulator child: typed messages, replies by id, and any child error fails the run. */
class SimChild {
  private readonly proc: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<number, (m: ChildMessage) => void>();
  private ready: ((m: Extract<ChildMessage, { type: 'ready' }>) => void) | undefined;
  failure: string | undefined;

  constructor() {
    const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
    this.proc = fork(join(root, 'bin/run-ts.js'), [join(root, 'bench/footprint-sim.ts')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (raw) => {
      const m = raw as ChildMessage;
      if (m.type === 'error') this.failure ??= m.message;
      else if (m.type === 'ready') this.ready?.(m);
      else this.waiting.get(m.id)?.(m);
    });
    this.proc.on('exit', (code) => {
      if (code !== 0 && code !== null) this.failure ??= `simulator child exited with code ${code}`;
    });
  }

  send(m: ParentMessage): void {
    if (this.failure) throw new Error(`footprint: ${this.failure}`);
    this.proc.send(m);
  }

  start(m: Extract<ParentMessage, { type: 'start' }>): Promise<Extract<ChildMessage, { type: 'ready' }>> {
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`footprint: simulator child not ready in 60 s${this.failure ? `: ${this.failure}` : ''}`)), 60_000);
      this.ready = (r) => {
        clearTimeout(t);
        res(r);
      };
      this.send(m);
    });
  }

  memory(): Promise<NodeJS.MemoryUsage> {
    const id = this.nextId++;
    return new Promise((res) => {
      this.waiting.set(id, (m) => {
        this.waiting.delete(id);
        if (m.type === 'memory') res(m.usage);
      });
      this.send({ type: 'memory', id });
    });
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || !this.proc.connected) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.send({ type: 'close' } satisfies ParentMessage);
    const t = setTimeout(() => this.proc.kill(), 10_000);
    await exited;
    clearTimeout(t);
  }
}

/**
 * Where the resident memory of this process is, from /proc/self/smaps (Linux): the node executable's mapped pages,
 * native addons (.node: better-sqlite3), other shared libraries, and anonymous memory (V8 heaps of every isolate,
 * malloc arenas, SQLite's page cache). Also the thread count: the tsx loader runs its hooks on a worker thread with
 * its own V8 isolate, whose heap is anonymous memory here but not part of process.memoryUsage().heapTotal.
 */
function residentBreakdown(): string {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return 'no /proc/self/smaps on this platform';
  }
  const kb: Record<string, number> = { 'node binary': 0, 'native addons (.node)': 0, 'shared libraries': 0, 'anonymous + [heap]': 0, other: 0 };
  let bucket = 'other';
  let pssKb = 0; // proportional set size: pages shared with other processes (the node binary) counted by share
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      bucket = path === '' || path === '[heap]' ? 'anonymous + [heap]' : path === process.execPath || /\/node$/.test(path) ? 'node binary' : /\.node$/.test(path) ? 'native addons (.node)' : /\.so(\.|$)/.test(path) ? 'shared libraries' : 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb[bucket]! += Number(rss[1]);
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss) pssKb += Number(pss[1]);
  }
  const threads = readdirSync('/proc/self/task').length;
  return `${Object.entries(kb).map(([k, v]) => `${k} ${(v / 1024).toFixed(1)}`).join(', ')} MB; PSS ${(pssKb / 1024).toFixed(1)} MB; ${threads} threads`;
}

async function until(what: string, check: () => boolean, timeoutMs: number, child: SimChild): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (child.failure) throw new Error(`footprint: ${child.failure}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`footprint: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function runFootprint(quotesPerSimSecond = 100): Promise<string[]> {
  const out: string[] = [];
  let clock = Date.UTC(2026, 10, 23, 22, 0, 0); // Monday 16:00 America/Chicago (CST, UTC-6)
  const now = () => clock;
  const dir = mkdtempSync(join(tmpdir(), 'riskd-footprint-'));
  const accounts = Array.from({ length: 20 }, (_, i) => ({ id: 920000 + i, name: `FP-${i + 1}`, balance: 50000 }));
  const child = new SimChild();
  let daemon: Daemon | undefined;
  const logger = createLogger({ level: 'info', file: join(dir, 'riskd.log'), terminal: false, now });
  try {
    const ready = await child.start({ type: 'start', t: clock, seed: 3, accounts });
    writeFileSync(join(dir, 'risk.yaml'), stringify(RISK));
    writeFileSync(join(dir, 'accounts.yaml'), stringify({ gateway: ready.gateway, credentials: { username: ready.credentials.userName, api_key: '${FP_KEY}' }, accounts: accounts.map((a) => ({ name: a.name })) }));
    const config = loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env: { FP_KEY: ready.credentials.apiKey } });
    daemon = await Daemon.start({ config, dataDir: join(dir, 'data'), logger, now, tickMs: 1000 });
    // Benchmark only: the simulator's limiter is lifted in the child; lift riskd's client-side budget to match.
    const b = daemon.budget as unknown as { limit: number; reserve: number };
    b.limit = 1e9;
    b.reserve = 10;
    const d = daemon;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) out.push('  (no --expose-gc: samples are taken without a forced GC)');
    const sample = () => {
      gc?.();
      const m = process.memoryUsage();
      return { rss: m.rss / MB, heap: m.heapUsed / MB, heapTotal: m.heapTotal / MB, external: m.external / MB, buffers: m.arrayBuffers / MB };
    };
    const contracts = ready.contracts.slice(0, 5);
    const order = (accountId: number, contractId: string, side: OrderSide) => child.send({ type: 'order', t: clock, accountId, contractId, side, size: 1 });
    for (const a of accounts) for (const c of contracts) order(a.id, c.id, OrderSide.Bid);
    const size = (id: number, c: string) => d.registry.get(id)?.position(c)?.size ?? 0;
    await until('positions seen', () => accounts.every((a) => contracts.every((c) => size(a.id, c.id) === 1)), 60_000, child);
    const samples: ({ h: number } & ReturnType<typeof sample>)[] = [{ h: 0, ...sample() }];
    const t0 = performance.now();
    let k = 0;
    let trips = 0;
    for (let s = 1; s <= 24 * 3600; s++) {
      clock += 1000;
      for (let i = 0; i < quotesPerSimSecond; i++) {
        const j = k++ % contracts.length;
        const c = contracts[j]!;
        const bid = c.bid + ((k >> 4) % 5) * c.tickSize - 2 * c.tickSize;
        d.ingest({ kind: 'quote', source: 'hub', receivedAt: clock, quote: { contractId: c.id, bestBid: bid, bestAsk: bid + c.tickSize, lastPrice: bid, timestamp: clock } });
      }
      if (s % 300 === 0) {
        const a = accounts[trips++ % accounts.length]!;
        order(a.id, contracts[1]!.id, OrderSide.Bid);
        order(a.id, contracts[1]!.id, OrderSide.Ask);
      }
      if (s % 20 === 0) {
        child.send({ type: 'clock', t: clock });
        await new Promise((r) => setImmediate(r)); // let hub frames, timers and REST run
      }
      if (s % 3600 === 0) {
        await new Promise((r) => setTimeout(r, 50));
        samples.push({ h: s / 3600, ...sample() });
      }
    }
    const real = (performance.now() - t0) / 1000;
    const simMem = await child.memory();
    const f0 = (x: number) => x.toFixed(0);
    const f1 = (x: number) => x.toFixed(1);
    const row = (label: string, pick: (x: (typeof samples)[number]) => number, f: (x: number) => string) => `  ${label}: ${samples.map((x) => f(pick(x))).join(' ')}`;
    out.push(`24 simulated hours, 20 accounts x 5 positions, ${quotesPerSimSecond} quotes per simulated second (${(quotesPerSimSecond * 86400).toLocaleString('en-US')} quotes), ${trips} round trips, in ${real.toFixed(0)} s real time; riskd alone in this process, simulator in a child`);
    out.push(`  hour: ${samples.map((x) => x.h).join(' ')}`);
    out.push(row('RSS MB', (x) => x.rss, f0));
    out.push(row('heap used MB', (x) => x.heap, f1));
    out.push(row('heap total MB', (x) => x.heapTotal, f1));
    out.push(row('external MB', (x) => x.external, f1));
    const rss = samples.map((x) => x.rss);
    const last = samples.at(-1)!;
    out.push(`  RSS min ${f0(Math.min(...rss))} MB, max ${f0(Math.max(...rss))} MB; heap used hour 1 -> 24: ${f1(samples[1]!.heap)} -> ${f1(last.heap)} MB`);
    out.push(`  at hour 24: RSS ${f0(last.rss)} MB ≈ heap total ${f1(last.heapTotal)} + external ${f1(last.external)} (array buffers ${f1(last.buffers)}) + the rest (code, stacks, native: SQLite, allocator) ${f1(last.rss - last.heapTotal - last.external)} MB`);
    out.push(`  V8 spaces at hour 24 (size / used MB): ${getHeapSpaceStatistics().filter((x) => x.space_size > MB).map((x) => `${x.space_name} ${f1(x.space_size / MB)}/${f1(x.space_used_size / MB)}`).join(', ')}`);
    out.push(`  resident by mapping at hour 24 (/proc/self/smaps): ${residentBreakdown()}`);
    out.push(`  simulator child at the end (not riskd): RSS ${f0(simMem.rss / MB)} MB, heap used ${f1(simMem.heapUsed / MB)} MB`);
    out.push(`  trading day after the walk (machine region): ${JSON.stringify(d.accountStatus(accounts[0]!.id).tradingDay)}`);
  } finally {
    await daemon?.stop().catch(() => {});
    logger.close();
    await child.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`footprint; ${machine()}`);
  for (const l of await runFootprint(Number(process.argv[2] ?? 100))) console.log(l);
}
