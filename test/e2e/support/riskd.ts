// E2E harness: the REAL `riskd start` process (node bin/riskd.js) against a simulator living in the test
// process. Writes risk.yaml (a partial object merged over quiet defaults) and accounts.yaml (API key via an
// environment variable, never in the file), spawns riskd on a temp data dir, waits for "riskd is live",
// keeps its output for error messages, stops it (SIGTERM) or kills it (SIGKILL), restarts it on the same data
// dir, and reads its SQLite store read-only for assertions on locks and the enforcement log.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { openStoreReadOnly, type Store } from '../../../src/store/index.ts';
import type { Simulator } from '../../../src/sim/index.ts';
import type { E2ESim } from './sim.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const API_KEY_ENV = 'RISKD_E2E_API_KEY';

/** A plain-object tree with every key optional, for partial risk.yaml overrides. */
export type Partial2<T> = { [K in keyof T]?: T[K] extends object ? Partial2<T[K]> : T[K] };
export type RiskYaml = Record<string, unknown>;

/**
 * Defaults: the trading day of the spec and NO rule enabled (a rule missing from the file is disabled), so each
 * test states exactly the rules it exercises; the session rule in particular stays off unless a test sets it.
 */
export const BASE_RISK: RiskYaml = {
  trading_day: { reset_time: '17:00', timezone: 'America/Chicago' },
  rules: {},
  admin: { unlock: 'delayed', unlock_delay: '15m' },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects; arrays and scalars from `over` replace. */
export function mergeRisk(base: RiskYaml, over: RiskYaml): RiskYaml {
  const out: RiskYaml = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeRisk(b, v) : v;
  }
  return out;
}

export interface RiskdOptions {
  sim: Simulator;
  /** The sim account riskd watches (listed in accounts.yaml). */
  accountName?: string;
  /** Merged over BASE_RISK. */
  risk?: RiskYaml;
  /** Several accounts, each with its own risk file (merged over BASE_RISK): one riskd for many test cases. */
  accounts?: { name: string; risk: RiskYaml }[];
  /** Reuse a data dir (restart tests); default a fresh temp dir. */
  dataDir?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for "riskd is live". */
  liveTimeoutMs?: number;
}

export class RiskdProcess {
  private child: ChildProcess | undefined;
  private out = '';
  private err = '';
  private exited: Promise<number | null> | undefined;
  exitCode: number | null | undefined;

  private constructor(
    readonly opts: RiskdOptions,
    readonly dir: string,
    readonly dataDir: string,
    readonly riskPath: string,
    readonly accountsPath: string,
  ) {}

  /** Writes the config files and starts riskd; resolves once it logged "riskd is live". */
  static async start(opts: RiskdOptions): Promise<RiskdProcess> {
    const dir = opts.dataDir ? resolve(opts.dataDir, '..') : mkdtempSync(join(tmpdir(), 'riskd-e2e-'));
    const dataDir = opts.dataDir ?? join(dir, 'data');
    const riskPath = join(dir, 'risk.yaml');
    const accountsPath = join(dir, 'accounts.yaml');
    writeFileSync(riskPath, stringify(mergeRisk(BASE_RISK, opts.risk ?? {})));
    const accounts: { name: string; risk?: string }[] = [];
    if (opts.accountName) accounts.push({ name: opts.accountName });
    (opts.accounts ?? []).forEach((a, i) => {
      const file = `risk-${i + 1}.yaml`; // relative to accounts.yaml
      writeFileSync(join(dir, file), stringify(mergeRisk(BASE_RISK, a.risk)));
      accounts.push({ name: a.name, risk: file });
    });
    if (accounts.length === 0) throw new Error('riskd e2e: give accountName or accounts');
    writeFileSync(
      accountsPath,
      stringify({
        gateway: { api_url: opts.sim.url, user_hub_url: opts.sim.userHubUrl, market_hub_url: opts.sim.marketHubUrl },
        credentials: { username: opts.sim.credentials.userName, api_key: `\${${API_KEY_ENV}}` },
        accounts,
        // riskd start opens its control server; parallel test files must not fight over the default port.
        control: { port: await freePort() },
      }),
    );
    const p = new RiskdProcess(opts, dir, dataDir, riskPath, accountsPath);
    await p.spawn();
    return p;
  }

  /** Everything riskd wrote to stderr (readable log lines) so far. */
  get stderr(): string {
    return this.err;
  }

  get stdout(): string {
    return this.out;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  private spawn(): Promise<void> {
    this.out = '';
    this.err = '';
    this.exitCode = undefined;
    const args = ['bin/riskd.js', 'start', '--config', this.riskPath, '--accounts', this.accountsPath, '--data-dir', this.dataDir, '--log-level', this.opts.logLevel ?? 'info'];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, [API_KEY_ENV]: this.opts.sim.credentials.apiKey, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.out += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.err += s));
    this.exited = new Promise((res) => child.once('exit', (code) => res((this.exitCode = code))));
    const timeoutMs = this.opts.liveTimeoutMs ?? 45_000; // generous: CI machines run many riskd at once
    return new Promise<void>((res, rej) => {
      const timer = setTimeout(() => {
        cleanup();
        child.kill('SIGKILL');
        rej(new Error(`riskd was not live within ${timeoutMs} ms.\n${this.describe()}`));
      }, timeoutMs);
      const onData = () => {
        if (this.err.includes('riskd is live')) {
          cleanup();
          res();
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        rej(new Error(`riskd exited (code ${code}) before it was live.\n${this.describe()}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.off('exit', onExit);
      };
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
      onData();
    });
  }

  /** The captured output, for error messages. */
  describe(): string {
    return `--- riskd stderr ---\n${this.err.slice(-6000)}\n--- riskd stdout ---\n${this.out.slice(-2000)}`;
  }

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child!.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited!;
    } finally {
      clearTimeout(t);
    }
  }

  /** kill -9: no cleanup at all, like a crash or a power cut of the process. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** Starts riskd again on the same files and data dir (after stop or kill). */
  async restart(): Promise<void> {
    if (this.running) throw new Error('riskd restart: the process is still running; stop or kill it first');
    await this.spawn();
  }

  /** Opens the state database read-only, runs fn, closes it. Works while riskd runs (WAL) or after. */
  readStore<T>(fn: (store: Store) => T): T {
    const file = join(this.dataDir, 'state.db');
    if (!existsSync(file)) throw new Error(`riskd e2e: no state database at ${file}`);
    const store = openStoreReadOnly(file);
    try {
      return fn(store);
    } finally {
      store.close();
    }
  }

  /** Whether every enforcement action riskd logged has settled (no row still pending or sent). */
  enforcementSettled(accountId: number): boolean {
    return this.readStore((s) => s.enforcement.list({ accountId }).every((r) => r.status !== 'pending' && r.status !== 'sent'));
  }

  /** Stops riskd if still running and removes the temp dir. */
  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    if (!this.opts.dataDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A port free right now on 127.0.0.1 (the control server's port must be 1..65535, so 0 cannot be written). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Starts riskd against `sim` for one account. */
export function startRiskd(opts: RiskdOptions): Promise<RiskdProcess> {
  return RiskdProcess.start(opts);
}

export interface Fleet<K extends string> {
  riskd: RiskdProcess;
  /** The account of one test case (its own risk file). */
  account(key: K): { id: number; name: string };
}

/**
 * One riskd watching one account per test case, each account with its own risk.yaml: a file pays riskd's
 * startup once instead of once per test. Cases never share an account, so their positions, locks and
 * enforcement rows stay apart.
 */
export async function startFleet<K extends string>(env: E2ESim, cases: Record<K, RiskYaml>): Promise<Fleet<K>> {
  const accounts = new Map<K, { id: number; name: string }>();
  for (const key of Object.keys(cases) as K[]) accounts.set(key, env.nextAccount());
  const riskd = await RiskdProcess.start({
    sim: env.sim,
    accounts: [...accounts.entries()].map(([k, a]) => ({ name: a.name, risk: cases[k] })),
  });
  return {
    riskd,
    account: (key) => {
      const a = accounts.get(key);
      if (!a) throw new Error(`riskd e2e fleet: no case "${key}"`);
      return a;
    },
  };
}
