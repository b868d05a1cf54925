// The replay and the daemon agree: the same trading, once live through riskd (in process, real REST and
// SignalR against the simulator) and once replayed from the gateway's record of it (Trade/search, Order/search),
// gives the same locks (rule, kind, when, until when), the same enforcement instant and the same realized P&L.
// The trading: two losing MNQ round trips with a resting limit order working; the second loss passes the
// $100 daily loss limit (RULE-003: lock until the reset, cancel every order) and a RULE-007 cooldown.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger, type RootLogger } from '../../src/log/logger.ts';
import { Daemon } from '../../src/runtime/daemon.ts';
import type { LockEntry } from '../../machines/account/index.ts';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { runReplay, type ReplayRunResult } from '../../src/replay/runReplay.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const ACCOUNT = { id: 770002, name: 'AGREE-1', balance: 50_000 };
const RISK = `
trading_day: { reset_time: "17:00", timezone: America/Chicago }
rules:
  max_contracts: { enabled: false }
  max_contracts_per_instrument: { enabled: false }
  daily_realized_loss: { enabled: true, limit: 100, include_fees: true }
  daily_unrealized_loss: { enabled: false }
  trade_frequency_limit: { enabled: false }
  cooldown_after_loss: { enabled: true, tiers: [ { loss: 50, cooldown: 10m } ], consecutive_losses: { count: 0 } }
  no_stop_loss_grace: { enabled: false }
  session_block_outside: { enabled: false }
  auth_loss_guard: { enabled: false }
`;

let sim: Simulator;
let daemon: Daemon;
let logger: RootLogger;
let dir: string;
let started: number;
const liveLocks: LockEntry[] = [];
const liveRows: { endpoint: string | null; at: number; status: string }[] = [];
let limitOrderId: number;
let liveRealized: number;
let replayed: ReplayRunResult;

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function roundTrip(entry: number, exit: number): Promise<void> {
  const fills = () => sim.state.trades(ACCOUNT.id).length;
  const before = fills();
  sim.market.setPrice(MNQ, entry);
  sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
  sim.market.setPrice(MNQ, exit);
  sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Ask, size: 1 });
  await until('both fills in the ledger', () => (daemon.registry.get(ACCOUNT.id)?.positions().length ?? 1) === 0 && fills() === before + 2);
}

beforeAll(async () => {
  started = Date.now();
  sim = await startSimulator({ seed: 9, accounts: [ACCOUNT] });
  dir = mkdtempSync(join(tmpdir(), 'riskd-replay-agree-'));
  writeFileSync(join(dir, 'risk.yaml'), RISK);
  writeFileSync(join(dir, 'accounts.yaml'), simAccountsYaml(sim));
  logger = createLogger({ level: 'error', terminal: false });
  daemon = await Daemon.start({ config: loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml') }), dataDir: join(dir, 'live'), logger, tickMs: 200 });
  daemon.addListener({
    onLock: (c) => c.type === 'lock.set' && liveLocks.push(c.lock),
    onEnforcement: (row) => liveRows.push({ endpoint: row.endpoint ?? null, at: row.triggerAt, status: row.status }),
  });
  // A resting buy limit far below the market: RULE-003's lock must take it down.
  limitOrderId = sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1, limitPrice: 20_000 }).orderId;
  await roundTrip(25_000, 24_980); // -$40.74
  await roundTrip(25_000, 24_960); // -$80.74: -$121.48 for the day, past the $100 limit; the $80 loss passes the $50 tier
  await until('RULE-003 lock and its cancel', () => liveLocks.some((l) => l.rule === 'RULE-003') && sim.state.orders(ACCOUNT.id).every((o) => o.status !== 1));
  liveRealized = daemon.registry.get(ACCOUNT.id)!.realizedNetToday(true);
  await daemon.stop();
  replayed = await runReplay(
    { config: join(dir, 'risk.yaml'), accounts: join(dir, 'accounts.yaml'), dataDir: join(dir, 'replay'), since: new Date(started - 60_000).toISOString(), until: new Date(Date.now() + 60_000).toISOString() },
    { write: () => true } as unknown as NodeJS.WritableStream,
  );
}, 60_000);
afterAll(async () => {
  await daemon?.stop();
  logger?.close();
  await sim?.close();
});

describe('riskd start and riskd replay on the same trading', () => {
  it('set the same locks at the same instants (within the hub latency), until the same instants', () => {
    const replayLocks = replayed.report.days.flatMap((d) => d.locks.map((l) => l.lock));
    // A cooldown runs for its length from the lock's start; until_reset ends at the reset.
    const shape = (ls: LockEntry[]) =>
      ls.map((l) => ({ rule: l.rule, kind: l.kind, ends: l.kind === 'cooldown' ? `+${l.until! - l.since} ms` : l.until })).sort((a, b) => a.rule.localeCompare(b.rule));
    expect(shape(replayLocks)).toEqual(shape(liveLocks));
    expect(replayLocks.map((l) => l.rule).sort()).toEqual(['RULE-003', 'RULE-007']);
    for (const l of replayLocks) {
      const live = liveLocks.find((x) => x.rule === l.rule)!;
      // The replay dates a lock by the gateway's fill time; the daemon by when the hub event reached it.
      expect(Math.abs(live.since - l.since)).toBeLessThan(1_000);
    }
  });

  it('cancel the working order at the same instant', () => {
    const cancels = replayed.report.days.flatMap((d) => d.enforcements.filter((e) => e.cancelled?.includes(limitOrderId)));
    expect(cancels).toHaveLength(1);
    const live = liveRows.filter((r) => r.endpoint === 'Order/cancel');
    expect(live.length, JSON.stringify(liveRows)).toBeGreaterThan(0);
    expect(Math.abs(cancels[0]!.at - live[0]!.at)).toBeLessThan(1_000);
  });

  it('end with the same realized P&L', () => {
    expect(liveRealized).toBe(-121.48);
    expect(replayed.report.totals.withRiskd).toBe(liveRealized);
    expect(replayed.report.totals.asTraded).toBe(liveRealized);
  });
});
