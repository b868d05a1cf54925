// Cost of persisting one ~5 KB statechart snapshot row (what the runtime does on every actor change), with
// synchronous NORMAL (default) vs FULL. Run: node bin/run-ts.js bench/store-snapshot.ts [iterations]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type SnapshotRow, type SynchronousMode } from '../src/store/index.ts';

const iterations = Number(process.argv[2] ?? 3000);
const warmup = 200;

/** A snapshot shaped like the account machine's: nested state value, context with locks and deadlines. */
function snapshotOfAbout5KB(i: number): SnapshotRow {
  const locks = Array.from({ length: 18 }, (_, k) => ({
    id: `lock-${k}`, kind: k % 2 ? 'cooldown' : 'until_reset', rule: `RULE-00${(k % 9) + 1}`,
    reason: `Daily loss $${(500 + k).toFixed(2)} reached your $500 limit`, since: 1_700_000_000_000 + k, until: 1_700_000_900_000 + k,
  }));
  const snapshot = {
    status: 'active', value: { lockout: 'locked', session: 'inside', tradingDay: 'open' },
    context: { accountId: 7, iteration: i, lockedUntil: 1_700_000_900_000, locks, pnl: { realized: -512.4, fees: 12.33 } },
    children: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`position:CON.F.US.M${k}.Z25`, {
      snapshot: { status: 'active', value: 'awaitingStop', context: { graceUntil: 1_700_000_030_000 + k, size: k + 1, avg: 21000.25 + k } },
      src: 'position', syncSnapshot: false,
    }])),
    historyValue: {},
  };
  const timers = [{ id: 'xstate.after.60000.lock.locked', event: { type: 'xstate.after.60000.lock.locked' }, dueAt: 1_700_000_060_000, source: [], target: [] }];
  return { accountId: 7, machineId: 'account', machineVersion: 1, schemaVersion: 1, snapshot, timers, savedAt: Date.now() };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function run(mode: SynchronousMode): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskd-bench-'));
  const store = openStore(path.join(dir, 'state.db'), { synchronous: mode });
  const rows = Array.from({ length: iterations + warmup }, (_, i) => snapshotOfAbout5KB(i));
  const bytes = JSON.stringify(rows[0]!.snapshot).length;
  const us: number[] = [];
  const usTx: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const t0 = process.hrtime.bigint();
    store.snapshots.save(rows[i]!);
    const t1 = process.hrtime.bigint();
    // The runtime's real shape: snapshot + a ledger row in one transaction.
    store.transaction(() => {
      store.snapshots.save(rows[i]!);
      store.dailyPnl.upsert({ accountId: 7, tradingDay: '2026-01-07', realizedGross: -i, fees: 1, commissions: 0, updatedAt: i });
    });
    const t2 = process.hrtime.bigint();
    if (i >= warmup) {
      us.push(Number(t1 - t0) / 1000);
      usTx.push(Number(t2 - t1) / 1000);
    }
  }
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [label, xs] of [['save', us], ['save+ledger tx', usTx]] as const) {
    const s = [...xs].sort((a, b) => a - b);
    console.log(
      `synchronous=${mode.padEnd(6)} ${label.padEnd(15)} snapshot ${bytes} B  n=${s.length}  ` +
        `p50 ${percentile(s, 50).toFixed(1)} µs  p99 ${percentile(s, 99).toFixed(1)} µs  max ${s[s.length - 1]!.toFixed(1)} µs`,
    );
  }
}

console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs (p99 is sensitive to load and disk)`);
for (const mode of ['NORMAL', 'FULL'] as const) run(mode);
