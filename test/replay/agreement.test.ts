// The replay and the daemon agree: the same trading, once live through the `riskd start` process (real REST and
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
import type { LockRow } from '../../src/store/index.ts';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { runReplay, type ReplayRunResult } from '../../src/replay/runReplay.ts';
import { startRiskd, type RiskdProcess } from '../e2e/support/riskd.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const ACCOUNT = { id: 770002, name: 'AGREE-1', balance: 50_000 };
const RULES = {
  daily_realized_loss: { enabled: true, limit: 100, include_fees: true },
  cooldown_after_loss: { enabled: true, tiers: [{ loss: 50, cooldown: '10m' }], consecutive_losses: { count: 0 } },
};
const RISK = `
trading_day: { reset_time: "17:00", timezone: America/Chicago }
rules:
  daily_realized_loss: { enabled: true, limit: 100, include_fees: true }
  cooldown_after_loss: { enabled: true, tiers: [ { loss: 50, cooldown: 10m } ], consecutive_losses: { count: 0 } }
`;

let sim: Simulator;
let riskd: RiskdProcess;
let dir: string;
let started: number;
let limitOrderId: number;
let liveLocks: LockRow[];
let liveCancelAt: number[];
let liveRealized: number;
let replayed: ReplayRunResult;

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${riskd?.describe() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const storedFills = () => riskd.readStore((s) => s.fills.since(ACCOUNT.id, 0));

async function roundTrip(entry: number, exit: number): Promise<void> {
  const before = storedFills().length;
  sim.market.setPrice(MNQ, entry);
  sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
  sim.market.setPrice(MNQ, exit);
  sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Ask, size: 1 });
  await until('both fills in riskd\'s store', () => storedFills().length === before + 2);
}

beforeAll(async () => {
  started = Date.now();
  sim = await startSimulator({ seed: 9, accounts: [ACCOUNT] });
  riskd = await startRiskd({ sim, accountName: ACCOUNT.name, risk: { rules: RULES } });
  // A resting buy limit far below the market: RULE-003's lock must take it down.
  limitOrderId = sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1, limitPrice: 20_000 }).orderId;
  await roundTrip(25_000, 24_980); // -$40.74
  await roundTrip(25_000, 24_960); // -$80.74: -$121.48 for the day, past the $100 limit; the $80 loss passes the $50 tier
  await until('RULE-003 lock and its cancel', () => riskd.readStore((s) => s.locks.active(ACCOUNT.id)).some((l) => l.rule === 'RULE-003') && riskd.enforcementSettled(ACCOUNT.id) && sim.state.orders(ACCOUNT.id).every((o) => o.status !== 1));
  await riskd.stop();
  ({ liveLocks, liveCancelAt, liveRealized } = riskd.readStore((s) => ({
    liveLocks: s.locks.active(ACCOUNT.id),
    liveCancelAt: s.enforcement.list({ accountId: ACCOUNT.id }).filter((r) => r.endpoint === 'Order/cancel').map((r) => r.triggerAt),
    liveRealized: Math.round(s.fills.since(ACCOUNT.id, 0).reduce((sum, f) => sum + (f.profitAndLoss ?? 0) - f.fees, 0) * 100) / 100,
  })));
  dir = mkdtempSync(join(tmpdir(), 'riskd-replay-agree-'));
  writeFileSync(join(dir, 'risk.yaml'), RISK);
  writeFileSync(join(dir, 'accounts.yaml'), simAccountsYaml(sim));
  replayed = await runReplay(
    { config: join(dir, 'risk.yaml'), accounts: join(dir, 'accounts.yaml'), dataDir: join(dir, 'replay'), since: new Date(started - 60_000).toISOString(), until: new Date(Date.now() + 60_000).toISOString() },
    { write: () => true } as unknown as NodeJS.WritableStream,
  );
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await sim?.close();
});

describe('riskd start and riskd replay on the same trading', () => {
  it('set the same locks at the same instants (within the hub latency), until the same instants', () => {
    const replayLocks = replayed.report.days.flatMap((d) => d.locks.map((l) => l.lock));
    // A cooldown runs for its length from the lock's start; until_reset ends at the reset.
    const shape = (ls: { rule: string; kind: string; since: number; until?: number | null }[]) =>
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
    expect(liveCancelAt.length).toBeGreaterThan(0);
    expect(Math.abs(cancels[0]!.at - liveCancelAt[0]!)).toBeLessThan(1_000);
  });

  it('end with the same realized P&L', () => {
    expect(liveRealized).toBe(-121.48);
    expect(replayed.report.totals.withRiskd).toBe(liveRealized);
    expect(replayed.report.totals.asTraded).toBe(liveRealized);
  });
});
