// Enforcement latency: from the moment the simulator writes the breaching hub frame (its send time,
// performance.now()) to the moment it receives riskd's enforcing REST request (request log `at`), over many
// RULE-001 breaches (a position one contract over max_contracts, reduced by partialCloseContract).
// Scenarios: idle, and under a quote load of ~1,000 quotes/s on 5 contracts held by 20 accounts.
// Also splits the time: wire+parse (frame sent -> daemon.ingest), riskd (ingest -> REST client called,
// incl. ledger, rules, machine, SQLite commit), HTTP (REST client called -> simulator saw the request), and
// the executor's own executeToRequestUs from the audit numbers.
// Run: node bin/run-ts.js bench/latency.ts [breaches]
import { existsSync, readFileSync } from 'node:fs';
import { performance, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { OrderSide, OrderType, type GatewayEvent } from '../src/gateway/models.ts';
import { BASE_RISK, machine, startBenchEnv, summary, until, type BenchEnv } from './support/inProcess.ts';

const LIMIT = 6;
const PARTIAL = '/api/Position/partialCloseContract';

interface Sample {
  endToEndMs: number;
  wireMs: number;
  riskdMs: number;
  httpMs: number;
  executeToRequestUs: number;
  persistUs: number;
  /** performance.now() when the breaching event entered riskd (to match GC pauses against the span). */
  ingestAt: number;
  /** Involuntary context switches of the main thread during riskd's span (the OS took the CPU away). */
  preempted: number;
  /** CPU time the process used during riskd's span (µs): riskd's own work, not stretched by preemption. */
  cpuUs: number;
}

/** A GC pause as the perf_hooks observer reports it. */
interface GcPause {
  start: number;
  ms: number;
  kind: string;
}

/**
 * Involuntary context switches of the calling (main) thread: Linux /proc/thread-self/status, read outside the
 * timed span. Elsewhere the whole process's count (getrusage), which also counts GC and libuv threads.
 */
const THREAD_STATUS = '/proc/thread-self/status';
const hasThreadStatus = existsSync(THREAD_STATUS);
function mainThreadPreemptions(): number {
  if (!hasThreadStatus) return process.resourceUsage().involuntaryContextSwitches;
  const m = /nonvoluntary_ctxt_switches:\s*(\d+)/.exec(readFileSync(THREAD_STATUS, 'utf8'));
  return m ? Number(m[1]) : 0;
}

const GC_KIND: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

export interface LatencyResult {
  label: string;
  samples: Sample[];
  quotesSent: number;
  seconds: number;
  gc: GcPause[];
}

async function scenario(env: BenchEnv, breaches: number, quotesPerSecond: number, label: string): Promise<LatencyResult> {
  const { sim, daemon } = env;
  const acct = env.accounts[0]!;
  const contracts = sim.contracts().slice(0, 5).map((c) => ({ id: c.id, tick: c.tickSize }));
  const mnq = sim.contracts().find((c) => c.id.includes('.MNQ.'))!.id;
  const place = (accountId: number, contractId: string, size: number) => {
    const r = sim.trader.placeOrder({ accountId, contractId, type: OrderType.Market, side: OrderSide.Bid, size });
    if (!r.success) throw new Error(`bench order refused: ${r.errorMessage}`);
  };
  const riskdSize = (id: number, c: string) => daemon.registry.get(id)?.position(c)?.size ?? 0;

  // Background positions: the other accounts hold 1 contract of each quoted contract, so riskd subscribes.
  if (quotesPerSecond > 0) {
    for (const a of env.accounts.slice(1)) for (const c of contracts) if (riskdSize(a.id, c.id) === 0) place(a.id, c.id, 1);
    await until('background positions seen by riskd', () => env.accounts.slice(1).every((a) => contracts.every((c) => riskdSize(a.id, c.id) === 1)), 30_000);
  }
  if (riskdSize(acct.id, mnq) === 0) place(acct.id, mnq, LIMIT);
  await until('base position', () => riskdSize(acct.id, mnq) === LIMIT, 10_000);
  await new Promise((r) => setTimeout(r, 300)); // let subscriptions and post-fill reconciliation settle

  // In-process timestamps: when the breaching position event entered riskd and when the REST client was called.
  let ingestAt = 0;
  let handoffAt = 0;
  let csAtIngest = 0;
  let preempted = 0;
  let cpuAtIngest: NodeJS.CpuUsage | undefined;
  let cpuUs = 0;
  const origIngest = daemon.ingest.bind(daemon);
  daemon.ingest = (ev: GatewayEvent) => {
    if (ev.kind === 'position' && ev.source === 'hub' && ev.position.accountId === acct.id && ev.position.size > LIMIT && ingestAt === 0) {
      csAtIngest = mainThreadPreemptions();
      cpuAtIngest = process.cpuUsage();
      ingestAt = performance.now();
    }
    origIngest(ev);
  };
  const rest = daemon.rest as unknown as { partialCloseContract: (...a: unknown[]) => Promise<void> };
  const origPartial = rest.partialCloseContract.bind(daemon.rest);
  rest.partialCloseContract = (...a: unknown[]) => {
    if (handoffAt === 0) {
      handoffAt = performance.now();
      const cpu = process.cpuUsage(cpuAtIngest);
      cpuUs = cpu.user + cpu.system;
      preempted = mainThreadPreemptions() - csAtIngest;
    }
    return origPartial(...a);
  };
  // Persistence inside the breaching event's transaction: every snapshot save, timed.
  let persistUs = 0;
  const snaps = daemon.store.snapshots as unknown as { save: (...a: unknown[]) => unknown };
  const origSave = snaps.save.bind(daemon.store.snapshots);
  snaps.save = (...a: unknown[]) => {
    const t = performance.now();
    try {
      return origSave(...a);
    } finally {
      if (ingestAt !== 0 && handoffAt === 0) persistUs += (performance.now() - t) * 1000;
    }
  };
  let exec: number[] = [];
  const offEnf = daemon.addListener({
    onEnforcement: (row) => {
      const n = JSON.parse(row.numbers) as { latency?: { executeToRequestUs?: number } };
      if (row.status === 'sent' && n.latency?.executeToRequestUs !== undefined) exec.push(n.latency.executeToRequestUs);
    },
  });

  // Every GC pause of the run, to tell which slow spans had a collection inside them.
  const gc: GcPause[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push({ start: e.startTime, ms: e.duration, kind: GC_KIND[((e as unknown as { detail?: { kind?: number } }).detail)?.kind ?? -1] ?? 'other' });
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  // Quote load: every 10 ms, a burst of quotes spread over the 5 contracts.
  let quotesSent = 0;
  let loadTimer: ReturnType<typeof setInterval> | undefined;
  const t0 = performance.now();
  if (quotesPerSecond > 0) {
    const perTick = Math.max(1, Math.round(quotesPerSecond / 100));
    let k = 0;
    loadTimer = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) / 1000) * quotesPerSecond) - quotesSent;
      for (let i = 0; i < Math.min(due, perTick * 3); i++) {
        const c = contracts[k++ % contracts.length]!;
        const q = sim.market.quote(c.id);
        const mid = q.bid + (k % 2 === 0 ? c.tick : -c.tick);
        sim.market.setQuote(c.id, { bid: mid, ask: mid + c.tick, last: mid });
        quotesSent++;
      }
    }, 10);
  }

  const samples: Sample[] = [];
  try {
    for (let i = 0; i < breaches; i++) {
      let frameAt = 0;
      const offFrame = sim.onHubFrame((f) => {
        if (frameAt === 0 && f.hub === 'user' && f.target === 'GatewayUserPosition' && f.text.includes(`"accountId":${acct.id}`) && f.text.includes(`"size":${LIMIT + 1}`)) frameAt = f.at;
      });
      ingestAt = 0;
      handoffAt = 0;
      persistUs = 0;
      exec = [];
      const after = sim.requests.lastSeq();
      const req = sim.requests.waitForRequest((r) => r.path === PARTIAL && (r.body as { accountId?: number }).accountId === acct.id, 10_000, { afterSeq: after });
      place(acct.id, mnq, 1);
      const r = await req;
      offFrame();
      if (frameAt === 0) throw new Error('bench: breaching position frame not seen');
      await until('position back at the limit (riskd view)', () => riskdSize(acct.id, mnq) === LIMIT && exec.length > 0, 10_000);
      // Let the post-enforcement reconciliation finish so the next breach starts from a quiet account.
      await until('post-enforcement checks done', () => sim.requests.entries.at(-1)!.seq === sim.requests.lastSeq() && daemon.executor !== undefined, 1000);
      await new Promise((res) => setTimeout(res, 15));
      samples.push({
        endToEndMs: r.at - frameAt,
        wireMs: ingestAt - frameAt,
        riskdMs: handoffAt - ingestAt,
        httpMs: r.at - handoffAt,
        executeToRequestUs: exec[0]!,
        persistUs,
        ingestAt,
        preempted,
        cpuUs,
      });
    }
  } finally {
    if (loadTimer) clearInterval(loadTimer);
    gcObserver.disconnect();
    offEnf();
    daemon.ingest = origIngest;
    rest.partialCloseContract = origPartial;
    snaps.save = origSave;
  }
  return { label, samples, quotesSent, seconds: (performance.now() - t0) / 1000, gc };
}

export function report(r: LatencyResult): string[] {
  const col = (f: (s: Sample) => number) => r.samples.map(f);
  return [
    `${r.label}: ${r.samples.length} breaches in ${r.seconds.toFixed(1)} s, ${Math.round(r.quotesSent / r.seconds)} quotes/s sent`,
    `  frame sent -> enforcing request received  ${summary(col((s) => s.endToEndMs), 'ms', 3)}`,
    `    wire + SignalR parse (frame -> ingest)  ${summary(col((s) => s.wireMs), 'ms', 3)}`,
    `    riskd (ingest -> REST client called)    ${summary(col((s) => s.riskdMs), 'ms', 3)}`,
    `    HTTP (REST client -> sim received)      ${summary(col((s) => s.httpMs), 'ms', 3)}`,
    `  executor executeToRequestUs (audit)       ${summary(col((s) => s.executeToRequestUs), 'µs', 0)}`,
    `  snapshot saves before the request         ${summary(col((s) => s.persistUs), 'µs', 0)}`,
    ...tail(r),
  ];
}

/**
 * What the slowest 1 % of riskd's spans had in common: a GC pause inside the span, or the OS taking the CPU
 * away (involuntary context switch); and riskd's span without those, i.e. riskd's own code.
 */
function tail(r: LatencyResult): string[] {
  const gcIn = (s: Sample): GcPause[] => r.gc.filter((g) => g.start < s.ingestAt + s.riskdMs && g.start + g.ms > s.ingestAt);
  const bySpan = [...r.samples].sort((a, b) => b.riskdMs - a.riskdMs);
  const slow = bySpan.slice(0, Math.max(1, Math.ceil(r.samples.length / 100)));
  const withGc = slow.filter((s) => gcIn(s).length > 0);
  const withCs = slow.filter((s) => s.preempted > 0);
  const clean = r.samples.filter((s) => gcIn(s).length === 0 && s.preempted === 0);
  const kinds = new Map<string, { n: number; ms: number }>();
  for (const s of withGc) for (const g of gcIn(s)) {
    const k = kinds.get(g.kind) ?? { n: 0, ms: 0 };
    k.n++;
    k.ms = Math.max(k.ms, g.ms);
    kinds.set(g.kind, k);
  }
  const scav = r.gc.filter((g) => g.kind === 'scavenge').map((g) => g.ms);
  return [
    `  slowest 1 % of riskd spans (${slow.length}, >= ${slow.at(-1)!.riskdMs.toFixed(3)} ms): ${withGc.length} with a GC pause inside` +
      (kinds.size > 0 ? ` (${[...kinds].map(([k, v]) => `${v.n} ${k}, up to ${v.ms.toFixed(1)} ms`).join('; ')})` : '') +
      `, ${withCs.length} preempted by the OS; at breach #${slow.map((x) => r.samples.indexOf(x) + 1).sort((a, b) => a - b).join(', #')}`,
    `  riskd spans with neither GC nor preemption  ${summary(clean.map((s) => s.riskdMs), 'ms', 3)}`,
    `  riskd span CPU time (process, all threads)  ${summary(r.samples.map((s) => s.cpuUs / 1000), 'ms', 3)}`,
    `  GC over the run: ${scav.length} scavenges (${summary(scav, 'ms', 1)}), ${r.gc.length - scav.length} other pauses`,
  ];
}

export async function runLatency(breaches: number): Promise<string[]> {
  const risk = {
    ...BASE_RISK,
    rules: {
      max_contracts: { enabled: true, limit: LIMIT, action: 'reduce_to_limit' },
      // Evaluated on every quote, never breached: quotes cost what they cost in production.
      daily_unrealized_loss: { enabled: true, limit: 1_000_000, scope: 'per_position', respect_realized_budget: false },
    },
  };
  const out: string[] = [];
  for (const [label, qps, accounts] of [
    ['idle (1 account)', 0, 1],
    ['under load (20 accounts, 1,000 quotes/s)', 1000, 20],
  ] as const) {
    const env = await startBenchEnv({ accounts, risk, unlimitedRest: true, simRequestLogLimit: 2000 });
    try {
      out.push(...report(await scenario(env, breaches, qps, label)));
    } finally {
      await env.close();
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  console.log(`enforcement latency, simulator and riskd in one process; ${machine()}`);
  for (const l of await runLatency(n)) console.log(l);
}
