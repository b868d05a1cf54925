// `npm run bench`: every benchmark, each in its own node process (own heap, own event loop), output in order.
// Numbers belong in bench/RESULTS.md with the machine they were taken on. Not part of `npm test`.
// Optional: BENCH_BREACHES (default 1000), BENCH_PROCESS_BREACHES (default 60), BENCH_FOOTPRINT_QPS (quotes per simulated second, default 10).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const breaches = process.env['BENCH_BREACHES'] ?? '1000';
const fpQps = process.env['BENCH_FOOTPRINT_QPS'] ?? '10';
const runs: [string, string[], string[]][] = [
  ['persistence (snapshot row, NORMAL vs FULL)', [], ['bench/store-snapshot.ts', '3000']],
  ['throughput', [], ['bench/throughput.ts']],
  ['enforcement latency', [], ['bench/latency.ts', breaches]],
  ['enforcement latency side by side (floor, naive, riskd; each its own process)', [], ['bench/latency-process.ts', process.env['BENCH_PROCESS_BREACHES'] ?? '60']],
  ['recovery', [], ['bench/recovery.ts']],
  ['footprint', ['--expose-gc'], ['bench/footprint.ts', fpQps]],
  ['footprint of the riskd process as deployed', [], ['bench/footprint-process.ts', '3', '100']],
];
let failed = 0;
console.log(`riskd benchmarks ${new Date().toISOString()}`);
// The process benchmarks measure riskd as deployed: from the compiled build, which must match the sources.
spawnSync(process.execPath, ['bin/build.js', '--quiet'], { cwd: root, stdio: 'inherit' });
for (const [name, nodeFlags, args] of runs) {
  console.log(`\n== ${name}: node ${[...nodeFlags, 'bin/run-ts.js', ...args].join(' ')}`);
  const r = spawnSync(process.execPath, [...nodeFlags, 'bin/run-ts.js', ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`!! ${name} failed (exit ${r.status})`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
