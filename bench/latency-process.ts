// Enforcement latency side by side, every enforcer in its own process, the simulator in another:
//   floor  bench/peers/floor.ts  raw WebSocket + one pre-built request on a pre-opened keep-alive socket
//   naive  bench/peers/naive.ts  @microsoft/signalr client + one fetch per breach (what anyone writes first)
//   riskd  the real `riskd start` (dist/ when built; the first line says which)
// One after the other in the same run, against the same simulator process, on the same breach: RULE-001, a buy
// takes MNQ one contract over a limit of 6 and the enforcer answers with Position/partialCloseContract. The span
// is measured at the simulator on its clock: breach hub frame written -> close request received.
// Pacing: riskd's own REST budget (200 calls / 60 s) is not lifted, so breaches come `pacingMs` apart for every
// enforcer alike (the same idle time between events for all three).
// Run: npm run build && node bin/run-ts.js bench/latency-process.ts [breaches=60] [pacingMs=1300] [rounds=1]
//   rounds > 1 repeats floor, naive, riskd in turn (ratios are per run; medians over rounds go in RESULTS.md).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { RiskdProcess } from '../test/reliability/support/riskdProcess.ts';
import { staleReason } from '../bin/buildManifest.js';
import type { ChildMessage, ParentMessage } from './support/latencySim.ts';
import type { PeerConfig } from './peers/config.ts';
import { BASE_RISK, machine, pct } from './support/inProcess.ts';

const root = resolve(import.meta.dirname, '..');
const LIMIT = 6;
const WARMUP = 5;
type Gateway = Extract<ChildMessage, { type: 'ready' }>['gateway'];

/** The forked simulator: one request/answer at a time over IPC. */
class SimChild {
  private readonly proc: ChildProcess;
  private pending: ((m: ChildMessage) => void) | null = null;
  private failure: Error | null = null;

  constructor() {
    this.proc = fork(join(root, 'bin/run-ts.js'), [join(root, 'bench/support/latencySim.ts')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (raw) => {
      const m = raw as ChildMessage;
      if (m.type === 'error') this.failure = new Error(m.message);
      const p = this.pending;
      this.pending = null;
      p?.(m);
    });
  }

  ask<T extends ChildMessage['type']>(m: ParentMessage, answer: T): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((res, rej) => {
      this.pending = (r) => (r.type === answer ? res(r as Extract<ChildMessage, { type: T }>) : rej(this.failure ?? new Error(`latency-sim answered ${r.type}`)));
      this.proc.send(m);
    });
  }

  close(): Promise<void> {
    return new Promise((res) => {
      this.proc.once('exit', () => res());
      this.proc.send({ type: 'close' } satisfies ParentMessage);
    });
  }
}

interface Enforcer {
  stop(): Promise<void>;
}

/** A peer process; resolves once it printed "ready" (subscribed). */
function startPeer(file: string, cfg: PeerConfig): Promise<Enforcer> {
  const child = spawn(process.execPath, ['bin/run-ts.js', file, JSON.stringify(cfg)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('ready')) res({ stop: async () => void (child.kill('SIGTERM'), await exited) });
    });
    child.once('exit', (code) => rej(new Error(`${file} exited (${code}) before it was ready`)));
  });
}

async function startRiskd(gateway: Gateway, accountName: string): Promise<Enforcer> {
  const risk = { ...BASE_RISK, rules: { max_contracts: { enabled: true, limit: LIMIT, action: 'reduce_to_limit' } } };
  // BENCH_RISKD_NODE_FLAGS: node flags for riskd only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeFlags = process.env['BENCH_RISKD_NODE_FLAGS']?.split(' ').filter(Boolean) ?? [];
  const p = await RiskdProcess.start({ sim: gateway, accountNames: [accountName], risk, nodeFlags });
  return { stop: () => p.dispose() };
}

interface Result {
  name: string;
  ms: number[];
  restCalls: number[];
  missed: number;
}

export async function runLatencySideBySide(breaches: number, pacingMs: number, rounds: number): Promise<string[]> {
  const account = { id: 930001, name: 'LATP-1', balance: 50000 };
  const stale = process.env['RISKD_FROM_SOURCE'] === '1' ? 'RISKD_FROM_SOURCE=1' : staleReason(root);
  const out = [
    `enforcement latency side by side, each enforcer in its own process; ${machine()}`,
    `riskd runs: ${stale === undefined ? 'dist/ (build matches the sources)' : `from source through tsx (${stale})`}`,
    `${rounds} round(s) of floor, naive, riskd; per enforcer and round ${WARMUP} warm-up + ${breaches} timed breaches, ${pacingMs} ms apart`,
  ];
  const sim = new SimChild();
  try {
    const { gateway, contractId } = await sim.ask({ type: 'start', seed: 21, account }, 'ready');
    const peerCfg: PeerConfig = { apiUrl: gateway.url, userHubUrl: gateway.userHubUrl, marketHubUrl: gateway.marketHubUrl, userName: gateway.credentials.userName, apiKey: gateway.credentials.apiKey, accountId: account.id, contractId, limit: LIMIT };
    // BENCH_ENFORCERS=riskd (comma-separated) runs a subset, for profiling; the default is the three above. More
    // peers split the costs (named only on request): 'sig+raw' is the naive hub client with the floor's request
    // (what SignalR costs), 'sig+http' the same client with node:http (what an HTTP client costs), 'sig+xstate'
    // sig+raw deciding through one XState step (what a statechart's decision costs), 'sig+work' sig+raw with a
    // fixed 300 us of compact work (whether an idle CPU runs slower, and how much the simulator hides), 'sig+all'
    // sig+raw with riskd's subscriptions (what the frames riskd must read cost, before it does any work).
    const only = process.env['BENCH_ENFORCERS']?.split(',');
    const enforcers = ([
      ['floor', () => startPeer('bench/peers/floor.ts', peerCfg)],
      ['naive', () => startPeer('bench/peers/naive.ts', peerCfg)],
      ['riskd', () => startRiskd(gateway, account.name)],
      ['sig+raw', () => startPeer('bench/peers/signalrRawWrite.ts', peerCfg)],
      ['sig+http', () => startPeer('bench/peers/signalrNodeHttp.ts', peerCfg)],
      ['sig+xstate', () => startPeer('bench/peers/signalrXstate.ts', peerCfg)],
      ['sig+work', () => startPeer('bench/peers/signalrWork.ts', peerCfg)],
      ['sig+all', () => startPeer('bench/peers/signalrAllFrames.ts', peerCfg)],
    ] as [string, () => Promise<Enforcer>][]).filter(([name]) => (only ? only.includes(name) : !name.startsWith('sig+')));
    for (let round = 1; round <= rounds; round++) {
      const results: Result[] = [];
      for (const [name, start] of enforcers) {
        const e = await start();
        try {
          const r = await sim.ask({ type: 'run', limit: LIMIT, warmup: WARMUP, breaches, pacingMs }, 'result');
          results.push({ name, ...r });
        } finally {
          await e.stop();
        }
      }
      out.push(...report(round, results));
    }
  } finally {
    await sim.close();
  }
  return out;
}

function report(round: number, results: Result[]): string[] {
  const stat = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: pct(s, 50), p99: pct(s, 99), max: s[s.length - 1] ?? NaN };
  };
  const naive = stat(results.find((r) => r.name === 'naive')?.ms ?? [NaN]);
  const lines = [`round ${round}: breach frame written -> close request received, at the simulator`];
  for (const r of results) {
    const s = stat(r.ms);
    const calls = stat(r.restCalls);
    lines.push(
      `  ${r.name.padEnd(10)} n=${r.ms.length} p50 ${s.p50.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms  max ${s.max.toFixed(3)} ms` +
        `  (p50 ${(s.p50 / naive.p50).toFixed(2)} x naive, p99 ${(s.p99 / naive.p99).toFixed(2)} x naive)` +
        `  REST calls per breach p50 ${calls.p50} max ${calls.max}${r.missed > 0 ? `  MISSED ${r.missed}` : ''}`,
    );
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [breaches, pacingMs, rounds] = process.argv.slice(2).map(Number);
  for (const l of await runLatencySideBySide(breaches || 60, pacingMs || 1300, rounds || 1)) console.log(l);
}
