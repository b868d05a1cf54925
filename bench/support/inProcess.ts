// Shared set-up for the benchmarks: the simulator and riskd in ONE process (real REST + SignalR over loopback),
// N accounts, config files written like a user would, and helpers for percentiles and machine facts.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger, type RootLogger } from '../../src/log/logger.ts';
import { Daemon } from '../../src/runtime/daemon.ts';

export interface BenchEnv {
  sim: Simulator;
  daemon: Daemon;
  logger: RootLogger;
  dir: string;
  accounts: { id: number; name: string }[];
  close(opts?: { keepFiles?: boolean }): Promise<void>;
}

export interface BenchEnvOptions {
  accounts: number;
  /** risk.yaml content (the rules under test). */
  risk: Record<string, unknown>;
  /**
   * The real gateway allows 200 REST calls / 60 s per token, and riskd's RateBudget enforces that. A benchmark
   * that provokes 1,000 breaches in a minute would measure the budget's queue, not riskd; so the simulator's
   * limiter and riskd's budget are both raised (documented in bench/RESULTS.md).
   */
  unlimitedRest?: boolean;
  seed?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Injected wall clock for both the simulator and the daemon (clock tests, the footprint day). */
  now?: () => number;
  /** The daemon's wall-clock tick; default 1000 ms. */
  tickMs?: number;
  /**
   * Keep only the simulator's last N REST requests (default: all). The simulator shares the benchmark's heap:
   * an unbounded request log makes every young-generation GC copy more survivors, and those pauses land in
   * riskd's timings although riskd in production never hosts a simulator.
   */
  simRequestLogLimit?: number;
  /** Where readable log lines go (tests capture them for the secret scan); default none. */
  terminal?: NodeJS.WritableStream;
}

export async function startBenchEnv(o: BenchEnvOptions): Promise<BenchEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'riskd-bench-'));
  const accounts = Array.from({ length: o.accounts }, (_, i) => ({ id: 900000 + i, name: `BENCH-${i + 1}`, balance: 50000 }));
  const sim = await startSimulator({
    seed: o.seed ?? 11,
    accounts,
    ...(o.now ? { now: o.now, tokenTtlMs: 365 * 24 * 3600_000 } : {}),
    ...(o.unlimitedRest ? { rateLimit: { max: 1e9, windowMs: 60_000 } } : {}),
    ...(o.simRequestLogLimit !== undefined ? { requestLogLimit: o.simRequestLogLimit } : {}),
  });
  const riskPath = join(dir, 'risk.yaml');
  const accountsPath = join(dir, 'accounts.yaml');
  writeFileSync(riskPath, stringify(o.risk));
  writeFileSync(accountsPath, simAccountsYaml(sim, { apiKey: '${RISKD_BENCH_API_KEY}', accounts: accounts.map((a) => a.name) }));
  const config = loadConfig({ riskPath, accountsPath, env: { RISKD_BENCH_API_KEY: sim.credentials.apiKey } });
  const logger = createLogger({ level: o.logLevel ?? 'warn', file: join(dir, 'riskd.log'), terminal: o.terminal ?? false });
  const daemon = await Daemon.start({ config, dataDir: join(dir, 'data'), logger, tickMs: o.tickMs ?? 1000, ...(o.now ? { now: o.now } : {}) });
  if (o.unlimitedRest) raiseBudget(daemon);
  return {
    sim,
    daemon,
    logger,
    dir,
    accounts: accounts.map(({ id, name }) => ({ id, name })),
    close: async (opts) => {
      await daemon.stop().catch(() => {});
      logger.close();
      await sim.close();
      if (!opts?.keepFiles) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Benchmark only: lifts riskd's client-side REST budget (see BenchEnvOptions.unlimitedRest). */
export function raiseBudget(daemon: Daemon): void {
  const b = daemon.budget as unknown as { limit: number; reserve: number };
  b.limit = 1e9;
  b.reserve = 10;
}

export const BASE_RISK = {
  trading_day: { reset_time: '17:00', timezone: 'America/Chicago' },
  rules: {},
  admin: { unlock: 'delayed', unlock_delay: '15m' },
};

export function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summary(xs: readonly number[], unit: string, digits = 2): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(digits);
  return `n=${s.length} p50 ${f(pct(s, 50))} ${unit}  p99 ${f(pct(s, 99))} ${unit}  max ${f(s[s.length - 1] ?? NaN)} ${unit}`;
}

export function machine(): string {
  return `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
