// Decomposition peer: the sig+raw peer with a fixed amount of compact CPU work between the position frame and the
// request: a loop calibrated at start to take BENCH_WORK_US (default 300) microseconds when warm. Its code and
// data fit in a few cache lines, so how much longer it takes after an idle spell than warm is what the idle CPU
// itself costs (clock and power state), apart from the size of the code an enforcer runs. Run through
// bench/latency-process.ts (BENCH_ENFORCERS=...,sig+work).
import { performance } from 'node:perf_hooks';
import type { PeerConfig } from './config.ts';
import { hubClient } from './hubClient.ts';
import { login, rawCloser } from './rawRequest.ts';

const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const token = await login(c);
const close = rawCloser(c, token);

let sink = 0;
function work(n: number): void {
  let x = sink | 1;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  sink = x;
}
// Calibrate warm: the median of 50 timed runs of a trial size, scaled to the target.
const targetUs = Number(process.env['BENCH_WORK_US'] ?? 300);
const trial = 200_000;
const times: number[] = [];
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  work(trial);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const iterations = Math.round((trial * targetUs) / 1000 / times[25]!);

const hub = hubClient(c.userHubUrl, token);
const taken: number[] = [];
hub.on('GatewayUserPosition', ({ data }: { data: { contractId: string; size: number } }) => {
  if (data.contractId !== c.contractId || data.size <= c.limit) return;
  const t0 = performance.now();
  work(iterations);
  taken.push((performance.now() - t0) * 1000);
  close(data.size - c.limit);
});
// On stop: how long the same work took per breach, after the idle spell between breaches, against warm.
process.once('SIGTERM', () => {
  taken.sort((a, b) => a - b);
  const at = (q: number) => taken[Math.min(taken.length - 1, Math.floor((q / 100) * taken.length))]?.toFixed(0);
  process.stderr.write(`sig+work: ${taken.length} breaches, the work took p50 ${at(50)} us, p90 ${at(90)} us (warm ${targetUs} us)\n`);
  process.exit(0);
});
await hub.start();
await hub.invoke('SubscribePositions', c.accountId);
console.log(`ready (${iterations} iterations = ${targetUs} us warm)`);
