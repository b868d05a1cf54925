// A small process harness for the reliability suite and the recovery benchmark: the REAL `riskd start`
// (node bin/riskd.js) watching SEVERAL simulator accounts. Config files like a user writes them (API key via an
// environment variable), spawn, wait for "riskd is live" (timed from spawn), SIGKILL, restart on the same data
// dir, and every byte riskd wrote kept for the secret scan. (test/e2e/support/riskd.ts watches one account.)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import type { Simulator } from '../../../src/sim/index.ts';
import { simAccountsYaml } from '../../../src/sim/accountsYaml.ts';
import { freePort } from '../../e2e/support/riskd.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const API_KEY_ENV = 'RISKD_RELIABILITY_API_KEY';

export interface RiskdProcessOptions {
  /** The gateway to point riskd at (a simulator in this process or, for benchmarks, in another). */
  sim: Pick<Simulator, 'url' | 'userHubUrl' | 'marketHubUrl' | 'credentials'>;
  accountNames: string[];
  /** The whole risk.yaml content. */
  risk: Record<string, unknown>;
  liveTimeoutMs?: number;
  /** node flags for the riskd process (benchmarks: --cpu-prof and the like). */
  nodeFlags?: string[];
}

export class RiskdProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** stdout + stderr of every run so far (for the secret scan and error messages). */
  readonly allOutput: string[] = [];
  private err = '';
  /** ms from spawn to the "riskd is live" line, per run. */
  readonly liveMs: number[] = [];
  running = false;

  private constructor(
    readonly opts: RiskdProcessOptions,
    readonly dir: string,
    readonly dataDir: string,
    private readonly args: string[],
  ) {}

  static async start(opts: RiskdProcessOptions): Promise<RiskdProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'riskd-rel-'));
    const riskPath = join(dir, 'risk.yaml');
    const accountsPath = join(dir, 'accounts.yaml');
    writeFileSync(riskPath, stringify(opts.risk));
    // Parallel runs (and a riskd the developer has open) must not fight over the default control port.
    const controlPort = await freePort();
    writeFileSync(accountsPath, simAccountsYaml(opts.sim, { apiKey: `\${${API_KEY_ENV}}`, accounts: opts.accountNames, controlPort }));
    const dataDir = join(dir, 'data');
    const args = [...(opts.nodeFlags ?? []), 'bin/riskd.js', 'start', '--config', riskPath, '--accounts', accountsPath, '--data-dir', dataDir, '--log-level', 'info'];
    const p = new RiskdProcess(opts, dir, dataDir, args);
    await p.spawn();
    return p;
  }

  private spawn(): Promise<void> {
    this.err = '';
    const t0 = performance.now();
    const child = spawn(process.execPath, this.args, {
      cwd: REPO_ROOT,
      env: { ...process.env, [API_KEY_ENV]: this.opts.sim.credentials.apiKey, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.running = true;
    const idx = this.allOutput.push('') - 1;
    const add = (s: string) => {
      this.allOutput[idx] += s;
    };
    child.stdout!.setEncoding('utf8').on('data', add);
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.err += s;
      add(s);
    });
    this.exited = new Promise((res) =>
      child.once('exit', () => {
        // A child killed without waiting (killAndRestart) may exit after its successor started.
        if (this.child === child) this.running = false;
        res();
      }),
    );
    const timeoutMs = this.opts.liveTimeoutMs ?? 30_000;
    return new Promise<void>((res, rej) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        rej(new Error(`riskd was not live within ${timeoutMs} ms:\n${this.err.slice(-4000)}`));
      }, timeoutMs);
      const onData = () => {
        if (this.err.includes('riskd is live')) {
          this.liveMs.push(performance.now() - t0);
          clearTimeout(timer);
          child.stderr!.off('data', onData);
          res();
        }
      };
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (!this.err.includes('riskd is live')) rej(new Error(`riskd exited (${code}) before it was live:\n${this.err.slice(-4000)}`));
      });
    });
  }

  get stderr(): string {
    return this.err;
  }

  /** The running process's pid (benchmarks read its memory from /proc). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** kill -9: no cleanup at all. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }

  /**
   * kill -9 and start the next riskd `delayMs` later WITHOUT waiting for the killed one to exit: the new process
   * may reach the data directory lock while the kernel is still tearing the old one down.
   */
  async killAndRestart(delayMs: number): Promise<void> {
    if (!this.running) throw new Error('riskd killAndRestart: not running');
    this.child!.kill('SIGKILL');
    this.running = false;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    await this.spawn();
  }

  async restart(): Promise<void> {
    if (this.running) throw new Error('riskd restart: still running');
    await this.spawn();
  }

  /** RISKD_KEEP_FILES=1 keeps the config, data dir and log for a post-mortem (the path goes to stderr). */
  async dispose(keepFiles = process.env['RISKD_KEEP_FILES'] === '1'): Promise<void> {
    await this.stop().catch(() => undefined);
    if (keepFiles) process.stderr.write(`riskd files kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
