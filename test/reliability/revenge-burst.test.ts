// Revenge bursts against the real riskd process, simulator rate limiter at the real 200 / 60 s (issue 14; the
// 20-second burst is in npm test: test/e2e/rest-economy.test.ts).
//  - 60 s, a new position every 500 ms while locked: every one closed within 1 s of its position event, no 429.
//  - a breach every 100 ms for 30 s: more than the budget allows; closes still go first (no read takes their
//    slot), the gateway never answers 429, status says "rate limited", and the account ends flat.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startFleet, type Fleet, type RiskdProcess } from '../e2e/support/riskd.ts';
import { MNQ, startE2ESim, trader, waitFor, type E2ESim } from '../e2e/support/sim.ts';
import { byEndpoint, revengeBurst } from '../e2e/support/burst.ts';

let env: E2ESim;
let riskd: RiskdProcess;
let fleet: Fleet<keyof ReturnType<typeof CASES>>;

const LOCK = { rules: { daily_realized_loss: { enabled: true, limit: 20, include_fees: false } } };
const CASES = () => ({ minute: LOCK, flood: LOCK });

beforeAll(async () => {
  env = await startE2ESim('revenge-burst', 2);
  fleet = await startFleet(env, CASES());
  riskd = fleet.riskd;
}, 90_000);
afterAll(async () => {
  await riskd?.dispose();
  await env.close();
});

/** -$20 on one MNQ round trip: RULE-003 locks the account until the reset. */
async function lock(accountId: number): Promise<void> {
  const sim = env.sim;
  const t = trader(sim, accountId);
  sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
  t.buy(MNQ, 1);
  sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
  t.close(MNQ);
  await waitFor('the until_reset lock', () => riskd.readStore((s) => s.locks.active(accountId)).find((l) => l.kind === 'until_reset'));
}

async function status(): Promise<{ problems: string[]; rest: { rateLimited: boolean; inWindow: number } }> {
  const port = (parse(readFileSync(riskd.accountsPath, 'utf8')) as { control: { port: number } }).control.port;
  return (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as { problems: string[]; rest: { rateLimited: boolean; inWindow: number } };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

it('60 s while locked, a new position every 500 ms: each closed within 1 s of its position event, no 429', async () => {
  const acct = fleet.account('minute');
  await lock(acct.id);
  const r = await revengeBurst(env.sim, acct.id, MNQ, { everyMs: 500, durationMs: 60_000 });
  const detail = JSON.stringify({ byEndpoint: byEndpoint(r.requests), p50: pct(r.closeLagMs, 0.5), max: Math.max(...r.closeLagMs) });
  console.log(`[revenge-burst] 60 s: ${r.positions} positions (${r.opened} buys), ${r.requests.length} requests ${detail}`);
  expect(r.rateLimited, detail).toEqual([]);
  expect(r.unanswered, detail).toBe(0);
  expect(Math.max(...r.closeLagMs), detail).toBeLessThan(1000);
  expect(r.requests.filter((x) => x.path !== '/api/Position/closeContract'), detail).toEqual([]);
  expect(r.requests.length, detail).toBe(r.positions);
}, 150_000);

it('a breach every 100 ms for 30 s exhausts the budget: closes first, no 429, status says rate limited, ends flat', async () => {
  // The minute burst above spent most of this window's budget: wait for it to age out so this run starts fresh.
  await new Promise((r) => setTimeout(r, 60_000));
  const acct = fleet.account('flood');
  await lock(acct.id);
  let sawRateLimited: string | undefined;
  const poll = setInterval(() => {
    void status().then((s) => {
      if (s.rest.rateLimited) sawRateLimited ??= s.problems.find((p) => p.includes('rate limited'));
    }, () => undefined);
  }, 500);
  let r;
  try {
    r = await revengeBurst(env.sim, acct.id, MNQ, { everyMs: 100, durationMs: 30_000, tailMs: 1000 });
  } finally {
    clearInterval(poll);
  }
  const detail = JSON.stringify({ byEndpoint: byEndpoint(r.requests), p50: pct(r.closeLagMs, 0.5), max: Math.max(...r.closeLagMs) });
  console.log(`[revenge-burst] every 100 ms: ${r.positions} positions (${r.opened} buys), ${r.requests.length} requests ${detail}`);
  expect(r.rateLimited, detail).toEqual([]);
  // Every request riskd got through was a close: no read took a slot a close needed.
  expect(r.requests.filter((x) => x.path !== '/api/Position/closeContract'), detail).toEqual([]);
  expect(sawRateLimited, detail).toMatch(/REST rate limited/);
  await waitFor('flat at last', () => !env.sim.state.positions(acct.id).some((p) => p['contractId'] === MNQ), 70_000, () => {
    const rows = riskd.readStore((s) => s.enforcement.list({ accountId: acct.id, limit: 8 }));
    return `last enforcement rows: ${JSON.stringify(rows.map((x) => [x.id, x.endpoint, x.status, x.outcome]))}\n${riskd.describe().slice(-3000)}`;
  });
}, 300_000);
