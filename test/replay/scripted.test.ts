// `riskd replay` end to end on a scripted past kept by the simulator (real REST over loopback, the simulator's
// rate limits on): every figure below is computed by hand from the script, and asserted exactly.
// MNQ: tick 0.25 = $0.50, so $2 per point and contract; the simulator charges $0.37 per contract per fill.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';
import type { PastRoundTrip } from '../../src/sim/history/pastTrading.ts';
import { runReplay, type ReplayRunResult } from '../../src/replay/runReplay.ts';
import { ReplayInputError } from '../../src/replay/gather.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const ACCOUNT = { id: 770001, name: 'REPLAY-1', balance: 50_000 };
const at = (iso: string): number => Date.parse(iso);
const min = 60_000;

/** A protected round trip (stop 5 s after entry), size 1. */
function trip(entry: string, points: number, holdMin = 3, side: 'long' | 'short' = 'long'): PastRoundTrip {
  const entryAt = at(entry);
  const dir = side === 'long' ? 1 : -1;
  return { contractId: MNQ, side, size: 1, entryAt, entryPrice: 25_000, exitAt: entryAt + holdMin * min, exitPrice: 25_000 + dir * points, stop: { at: entryAt + 5_000, price: 25_000 - dir * 200 } };
}

// Day 1 (2026-11-10): twelve trades 10 minutes apart. 1-7 lose 40 points each (-$80.74 net), so the day is at
// -$484.44 after six and -$565.18 after the 7th: the $500 daily loss limit locks there, and 8-12 (-30 points,
// -$60.74 each, -$303.70 in all) are blocked. As traded the day ends at -$868.88.
const day1 = Array.from({ length: 12 }, (_, i) => trip(`2026-11-10T15:${String(i * 4).padStart(2, '0')}:00Z`, i < 7 ? -40 : -30, 2));
// Day 2 (2026-11-11): a $120 loss (cooldown 5 min), a revenge trade one minute later (blocked; it won +$20),
// and a trade 15 minutes later (allowed, +$10).
const day2 = [trip('2026-11-11T15:00:00Z', -60), trip('2026-11-11T15:04:00Z', 10), trip('2026-11-11T15:20:00Z', 5)];
// Day 3 (2026-11-12): a long with no stop at 15:00:00; the price is 24,990 from 15:00:20 and 24,980 from 15:01:00;
// the trader exits at 24,950 at 15:10. The 30 s grace ends at 15:00:30: riskd closes at the close of that
// minute's bar (24,990): -$20 gross, -$20.74 net, instead of -$100.74.
const day3: PastRoundTrip[] = [
  {
    contractId: MNQ, side: 'long', size: 1, entryAt: at('2026-11-12T15:00:00Z'), entryPrice: 25_000, exitAt: at('2026-11-12T15:10:00Z'), exitPrice: 24_950,
    path: [{ at: at('2026-11-12T15:00:20Z'), price: 24_990 }, { at: at('2026-11-12T15:01:00Z'), price: 24_980 }],
  },
];

// Day 4 (2026-11-13): a long of 3 with a 2-contract limit, at 25,000 at 15:00:00; the price is 25,010 from
// 15:00:30; the trader exits all at 25,020 at 15:05. riskd reduces by one at once, at the close of the 15:00 bar
// (25,010: +$20), and the other two exit where the trader exited (+$80); fees 3 x 0.37 in, 0.37 + 0.74 out.
const day4: PastRoundTrip[] = [
  {
    contractId: MNQ, side: 'long', size: 3, entryAt: at('2026-11-13T15:00:00Z'), entryPrice: 25_000, exitAt: at('2026-11-13T15:05:00Z'), exitPrice: 25_020,
    stop: { at: at('2026-11-13T15:00:05Z'), price: 24_900 }, path: [{ at: at('2026-11-13T15:00:30Z'), price: 25_010 }],
  },
];

const RISK = `
trading_day: { reset_time: "17:00", timezone: America/Chicago }
rules:
  max_contracts: { enabled: true, limit: 2, action: reduce_to_limit }
  max_contracts_per_instrument: { enabled: false, limits: {}, default_limit: 2, action: reduce_to_limit }
  daily_realized_loss: { enabled: true, limit: 500, include_fees: true }
  daily_unrealized_loss: { enabled: false, limit: 300, scope: per_position, respect_realized_budget: false }
  trade_frequency_limit: { enabled: false, count: entries }
  cooldown_after_loss: { enabled: true, tiers: [ { loss: 100, cooldown: 5m } ], consecutive_losses: { count: 0 } }
  no_stop_loss_grace: { enabled: true, grace: 30s }
  session_block_outside: { enabled: false }
  auth_loss_guard: { enabled: false }
`;

let sim: Simulator;
let dir: string;
let result: ReplayRunResult;
const paths = () => ({ config: join(dir, 'risk.yaml'), accounts: join(dir, 'accounts.yaml'), dataDir: join(dir, 'data') });

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, accounts: [ACCOUNT], pastTrading: { accountId: ACCOUNT.id, trips: [...day1, ...day2, ...day3, ...day4], keptSince: at('2026-11-01T00:00:00Z') } });
  dir = mkdtempSync(join(tmpdir(), 'riskd-replay-'));
  writeFileSync(join(dir, 'risk.yaml'), RISK);
  writeFileSync(join(dir, 'accounts.yaml'), simAccountsYaml(sim));
  result = await runReplay({ ...paths(), since: '2026-11-10', until: '2026-11-13' }, { write: () => true } as unknown as NodeJS.WritableStream);
});
afterAll(async () => {
  await sim?.close();
});

describe('replay of a scripted past', () => {
  it('day 1: the $500 daily loss limit locks after the 7th trade; trades 8-12 are blocked', () => {
    const d = result.report.days.find((x) => x.day === '2026-11-10')!;
    expect(d.trips).toBe(12);
    expect(d.asTraded).toBe(-868.88);
    expect(d.withRiskd).toBe(-565.18);
    expect(d.blocked.map((b) => [b.n, b.rule, b.pnl])).toEqual([8, 9, 10, 11, 12].map((n) => [n, 'RULE-003', -60.74]));
    const lock = d.locks.find((l) => l.lock.rule === 'RULE-003')!;
    expect(lock.lock.kind).toBe('until_reset');
    expect(lock.lock.since).toBe(at('2026-11-10T15:26:00Z')); // the 7th trade's exit
    expect(lock.lock.until).toBe(at('2026-11-10T23:00:00Z')); // 17:00 CST
  });

  it('day 2: the cooldown after a $120 loss blocks the revenge trade one minute later, not the one after it', () => {
    const d = result.report.days.find((x) => x.day === '2026-11-11')!;
    expect(d.asTraded).toBe(round(-120.74 + 19.26 + 9.26));
    expect(d.withRiskd).toBe(round(-120.74 + 9.26));
    expect(d.blocked.map((b) => [b.n, b.rule, b.entryAt, b.pnl])).toEqual([[2, 'RULE-007', at('2026-11-11T15:04:00Z'), 19.26]]);
    const lock = d.locks.find((l) => l.lock.rule === 'RULE-007')!;
    expect([lock.lock.since, lock.lock.until]).toEqual([at('2026-11-11T15:03:00Z'), at('2026-11-11T15:08:00Z')]);
  });

  it('day 3: the position without a stop is closed when the grace ends, at the close of that minute bar', () => {
    const d = result.report.days.find((x) => x.day === '2026-11-12')!;
    expect(d.asTraded).toBe(-100.74);
    expect(d.withRiskd).toBe(-20.74);
    const close = d.enforcements.find((e) => e.rule === 'RULE-008')!;
    expect(close.at).toBe(at('2026-11-12T15:00:30Z'));
    expect(close.intent).toEqual({ type: 'close', accountId: ACCOUNT.id, contractId: MNQ });
    expect([close.markPrice, close.markFrom]).toEqual([24_990, 'bar']);
  });

  it('day 4: a position over the contract limit is reduced at the bar close; the rest exits where the trader exited', () => {
    const d = result.report.days.find((x) => x.day === '2026-11-13')!;
    expect(d.asTraded).toBe(117.78);
    expect(d.withRiskd).toBe(97.78);
    const reduce = d.enforcements.find((e) => e.rule === 'RULE-001')!;
    expect([reduce.at, reduce.intent, reduce.markPrice]).toEqual([at('2026-11-13T15:00:00Z'), { type: 'reduce', accountId: ACCOUNT.id, contractId: MNQ, size: 1 }, 25_010]);
  });

  it('totals: worst day, maximum drawdown and the days a limit was hit', () => {
    const t = result.report.totals;
    expect(t.asTraded).toBe(round(-868.88 + -92.22 + -100.74 + 117.78));
    expect(t.withRiskd).toBe(round(-565.18 + -111.48 + -20.74 + 97.78));
    expect(t.worstDay.asTraded).toEqual({ day: '2026-11-10', pnl: -868.88 });
    expect(t.worstDay.withRiskd).toEqual({ day: '2026-11-10', pnl: -565.18 });
    // Every series starts with a fee (below zero) and never climbs back to zero: the drawdown is the total's depth.
    expect(t.maxDrawdown.asTraded).toBe(round(1061.84 + 1.11));
    expect(t.maxDrawdown.withRiskd).toBe(round(697.4 + 1.11));
    expect(t.daysLimitHit).toBe(4); // RULE-003 on day 1, RULE-007 on day 2, RULE-008 on day 3, RULE-001 on day 4
  });

  it('a second run over the same range is offline (the simulator sees no request)', async () => {
    const before = sim.requests.lastSeq();
    const again = await runReplay({ ...paths(), since: '2026-11-10', until: '2026-11-13' }, { write: () => true } as unknown as NodeJS.WritableStream);
    expect(sim.requests.lastSeq()).toBe(before);
    expect(again.report.totals).toEqual(result.report.totals);
  });

  it('writes the HTML report with uPlot inlined and no remote resource', () => {
    const html = readFileSync(result.htmlPath, 'utf8');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<(script|img|iframe)[^>]+src=|<link[^>]+href=|url\(/i); // the browser test checks requests
  });
});

describe('bad input: one line, nothing written', () => {
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'riskd-replay-bad-'));
    writeFileSync(join(d, 'risk.yaml'), RISK);
    writeFileSync(join(d, 'accounts.yaml'), simAccountsYaml(sim));
    return { config: join(d, 'risk.yaml'), accounts: join(d, 'accounts.yaml'), dataDir: join(d, 'data'), out: join(d, 'report.html') };
  };
  const fails = async (o: Parameters<typeof runReplay>[0]): Promise<string> => {
    const err = await runReplay(o, { write: () => true } as unknown as NodeJS.WritableStream).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayInputError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(existsSync(o.dataDir)).toBe(false);
    expect(existsSync(o.out!)).toBe(false);
    return message;
  };

  it('an empty range', async () => {
    expect(await fails({ ...fresh(), since: '2026-11-12', until: '2026-11-10' })).toMatch(/^empty range: --since 2026-11-12 is not before --until 2026-11-10$/);
    expect(await fails({ ...fresh(), since: '2026-11-03', until: '2026-11-05' })).toMatch(/^no fills for account REPLAY-1 between .* nothing to replay \(empty range\)$/);
  });

  it('a range beyond what the gateway keeps', async () => {
    const old = await startSimulator({ seed: 6, accounts: [ACCOUNT], pastTrading: { accountId: ACCOUNT.id, trips: day3, keptSince: at('2026-11-20T00:00:00Z') } });
    try {
      const o = fresh();
      writeFileSync(o.accounts, simAccountsYaml(old));
      expect(await fails({ ...o, since: '2026-11-12', until: '2026-11-13' })).toMatch(/^the gateway keeps no minute bars for MNQZ6 between .*: that range is beyond what it keeps/);
    } finally {
      await old.close();
    }
  });

  it('an unknown account', async () => {
    expect(await fails({ ...fresh(), since: '2026-11-10', until: '2026-11-12', account: 'NOPE-9' })).toBe('unknown account NOPE-9: not visible to this API key (visible: REPLAY-1)');
  });

  it('a config that does not validate', async () => {
    const o = fresh();
    writeFileSync(o.config, RISK.replace('limit: 500', 'limit: lots'));
    expect(await fails({ ...o, since: '2026-11-10', until: '2026-11-12' })).toMatch(/risk\.yaml.*daily_realized_loss\.limit/);
    const c = fresh();
    writeFileSync(join(dir, 'bad-compare.yaml'), 'rules: [');
    expect(await fails({ ...c, since: '2026-11-10', until: '2026-11-12', compare: join(dir, 'bad-compare.yaml') })).toMatch(/bad-compare\.yaml/);
  });
});

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
