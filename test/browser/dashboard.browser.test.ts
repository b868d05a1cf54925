// The trader dashboard at / in a real browser (Debian Chromium driven by playwright-core) against a real riskd
// (in process) watching the simulator: nothing is loaded from beyond loopback; a RULE-001 breach shows in the
// feed in words within a second; a RULE-006 cooldown puts up the lock banner with a live countdown that goes
// down; a delayed admin unlock shows as pending (pushed, not polled); the broker's switch is shown apart from
// riskd's lock; a live account's refused cancels are said in words; breach after breach spends the REST budget and the page says "rate limited"; a riskd that stops
// answering is said so; at 1400×900 and 400×800 the banner, its countdown and every gauge are on
// screen with no horizontal scroll. Screenshots are kept under .tmp/test-artifacts/ (git-ignored) for a human to look at.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger, type RootLogger } from '../../src/log/logger.ts';
import { Daemon } from '../../src/runtime/daemon.ts';
import { ControlServer } from '../../src/control/server.ts';
import { statusSnapshot } from '../../src/control/statusSnapshot.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/browser: SKIPPED — ${CHROMIUM} is missing (install with: apt-get install -y chromium)`);

const ARTIFACTS = resolve(import.meta.dirname, '../../.tmp/test-artifacts');
const ACCOUNT = { id: 880101, name: 'DASH-1', balance: 50_000 };
const OTHER = { id: 880102, name: 'DASH-2', balance: 25_000, simulated: false }; // a live account: it refuses Order/cancel
const MNQ = 'CON.F.US.MNQ.Z26';
const RISK_YAML = `trading_day:
  reset_time: "17:00"
  timezone: America/Chicago
rules:
  max_contracts: { enabled: true, limit: 1 }
  max_contracts_per_instrument: { enabled: true, limits: { MNQ: 2 }, default_limit: 1 }
  daily_realized_loss: { enabled: true, limit: 150 }
  daily_unrealized_loss: { enabled: true, limit: 100, scope: total }
  trade_frequency_limit:
    enabled: true
    per_minute: { limit: 1, cooldown: 5m }
    per_hour: { limit: 20, cooldown: 30m }
    per_day: { limit: 30, cooldown: until_reset }
  cooldown_after_loss: { enabled: true }
  auth_loss_guard: { enabled: true }
`;

type Doc = { document: { querySelector(s: string): { textContent: string | null } | null } };

let sim: Simulator;
let daemon: Daemon;
let logger: RootLogger;
let server: ControlServer;
let serverStopped = false; // the last test stops the control server itself
let browser: Browser;
let page: Page;
let base: string;
const requests: string[] = [];

/** Every gauge, the banner and its countdown, each as [name, box]; plus the page's scroll width. */
async function layout(p: Page) {
  return p.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelectorAll(s: string): ArrayLike<{ id: string; className: string; dataset: Record<string, string>; getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number } }> } }).document;
    const boxes = [...Array.from(d.querySelectorAll('#banner, #countdown')), ...Array.from(d.querySelectorAll('#gauges .gauge'))].map((e) => {
      const r = e.getBoundingClientRect();
      return { name: e.id || `gauge ${e.dataset['rule']}`, left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
    });
    return { boxes, scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth };
  });
}

describe.skipIf(!haveChromium)('trader dashboard in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sim = await startSimulator({ seed: 5, marketIntervalMs: 500, accounts: [ACCOUNT, OTHER] });
    const dir = mkdtempSync(join(tmpdir(), 'riskd-dashboard-'));
    const riskPath = join(dir, 'risk.yaml');
    const accountsPath = join(dir, 'accounts.yaml');
    writeFileSync(riskPath, RISK_YAML);
    writeFileSync(accountsPath, simAccountsYaml(sim, { apiKey: '${RISKD_DASH_KEY}', controlPort: 65000 }));
    const config = loadConfig({ riskPath, accountsPath, env: { RISKD_DASH_KEY: sim.credentials.apiKey } });
    logger = createLogger({ level: 'warn', file: join(dir, 'riskd.log'), terminal: false });
    daemon = await Daemon.start({ config, dataDir: join(dir, 'data'), logger, tickMs: 1000 });
    server = new ControlServer({ daemon, logger, port: 0, loadConfig: () => config });
    const port = await server.start();
    base = `http://127.0.0.1:${port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (!serverStopped) await server?.stop();
    await daemon?.stop();
    logger?.close();
    await sim?.close();
  });

  it('loads every asset from this riskd, shows the account open with a gauge per enabled rule (the snapshot\'s limits)', async () => {
    const foreign = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requests.some((u) => u.endsWith('/assets/dashboard.js'))).toBe(true);
    expect(await page.getAttribute('#banner', 'data-locked')).toBe('false');
    expect(await page.textContent('#chipBroker')).toContain('allows trading');
    const rules = await page.$$eval('#gauges .gauge', (gs) => gs.map((g) => g.getAttribute('data-rule')));
    expect(rules).toEqual(['RULE-001', 'RULE-002', 'RULE-003', 'RULE-004', 'RULE-006', 'RULE-007', 'RULE-010']);
    // The words are the status snapshot's, as `riskd status` and `riskd watch` print them.
    const limits = statusSnapshot(daemon).accounts.find((a) => a.id === ACCOUNT.id)!.limits;
    expect(await page.$$eval('#gauges .gauge .val', (vs) => vs.map((v) => v.textContent))).toEqual(limits.map((l) => l.text));
    expect(await page.textContent('#gauges .gauge[data-rule="RULE-003"] .val')).toBe('$0.00 of $150');
    expect(await page.textContent('#zoneNote')).toMatch(/America\/Chicago \(C[SD]T\)/);
  });

  it('a RULE-001 breach shows in the feed, in words, within a second', async () => {
    const t0 = Date.now();
    sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 3 });
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#feed li[data-rule="RULE-001"]') !== null, undefined, { timeout: 5_000 });
    const elapsed = Date.now() - t0;
    writeFileSync(join(ARTIFACTS, 'dashboard-feed-latency.json'), `${JSON.stringify({ breach: 'RULE-001', orderToFeedLineMs: elapsed })}\n`);
    expect(elapsed, `feed line after ${elapsed} ms`).toBeLessThan(1_000);
    expect(await page.textContent('#feed li[data-rule="RULE-001"] .what')).toBe('closed 2 MNQ: over your 1-contract limit');
    expect(await page.textContent('#feed li[data-rule="RULE-001"] time')).toMatch(/^\d\d:\d\d:\d\d C[SD]T$/);
    // The open contract is listed with its P&L, and the per-symbol gauge names it.
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#positions tbody')?.textContent?.includes('MNQ') ?? false, undefined, { timeout: 3_000 });
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#gauges .gauge[data-rule="RULE-002"] .val')?.textContent === 'MNQ 1 of 2', undefined, { timeout: 3_000 });
  });

  it('a RULE-006 cooldown puts up the lock banner with its reason and a countdown that goes down', async () => {
    // A second entry inside a minute: over the per-minute limit of 1.
    sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
    await page.waitForSelector('#banner[data-locked="true"]', { timeout: 5_000 });
    expect(await page.textContent('#bannerTitle')).toBe('Cooling off');
    expect(await page.textContent('#chipRiskd')).toContain('locked');
    expect(await page.textContent('#chipBroker')).toContain('allows trading'); // the broker's word stays apart
    const first = (await page.textContent('#countdown'))!;
    expect(first).toMatch(/^0[45]:\d\d$/);
    await page.waitForFunction((before) => (globalThis as unknown as Doc).document.querySelector('#countdown')?.textContent !== before, first, { timeout: 3_000 });
    const second = (await page.textContent('#countdown'))!;
    const secs = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
    expect(secs(second)).toBeLessThan(secs(first));
    expect(await page.textContent('#countdownLabel')).toMatch(/until \d\d:\d\d C[SD]T/);
  });

  it('an admin unlock under admin.unlock: delayed shows as pending, with when it takes effect and a countdown', async () => {
    const asked = requests.length;
    expect(daemon.adminUnlock(ACCOUNT.id, { rule: 'RULE-006', by: 'admin' })?.outcome).toBe('scheduled');
    await page.waitForSelector('#bannerMore .pending', { timeout: 5_000 });
    expect(await page.textContent('#bannerMore .pending')).toMatch(/^Unlock requested for ".+": takes effect at \d\d:\d\d C[SD]T, in 1[45]:\d\d$/);
    // It came with the pushed status snapshot: the page asked for nothing (it polls nothing).
    expect(requests.slice(asked).filter((u) => !u.endsWith('/api/feed'))).toEqual([]);
    expect(await page.getAttribute('#banner', 'data-locked')).toBe('true'); // still locked until then
  });

  it.each([
    [1400, 900],
    [400, 800],
  ])('at %i × %i the banner, its countdown and every gauge are on screen, with no horizontal scroll', async (width, height) => {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.waitForTimeout(100); // one layout pass after the resize
    const { boxes, scrollWidth, clientWidth } = await layout(page);
    expect(scrollWidth, 'horizontal scroll').toBeLessThanOrEqual(clientWidth);
    expect(boxes.length).toBe(9); // banner, countdown, a gauge for each of the 7 enabled rules
    for (const b of boxes) {
      expect(b.width, `${b.name} has no width`).toBeGreaterThan(0);
      expect(b.left, `${b.name} left`).toBeGreaterThanOrEqual(0);
      expect(b.right, `${b.name} right`).toBeLessThanOrEqual(width);
      expect(b.top, `${b.name} top`).toBeGreaterThanOrEqual(0);
      expect(b.bottom, `${b.name} bottom`).toBeLessThanOrEqual(height);
    }
    await page.screenshot({ path: join(ARTIFACTS, `dashboard-${width}x${height}.png`), fullPage: true });
  });

  it('the broker blocking trading (RULE-010) shows apart from riskd\'s own lock, and leads the banner', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    sim.control.setCanTrade(ACCOUNT.id, false);
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#chipBroker')?.textContent?.includes('blocks trading') ?? false, undefined, { timeout: 5_000 });
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#bannerTitle')?.textContent === 'Locked: the broker is blocking trading', undefined, { timeout: 5_000 });
    expect(await page.textContent('#bannerMore')).toContain('Locked until the broker allows trading again.');
    expect(await page.textContent('#bannerMore')).toMatch(/Also locked: 2 entries in the last minute/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-broker-blocked-1400x900.png'), fullPage: true });
  });

  it('each watched account has its own view: another account is open while the first is locked', async () => {
    expect(await page.$$eval('#accounts button', (bs) => bs.map((b) => b.textContent))).toEqual([ACCOUNT.name, OTHER.name]);
    await page.click(`#accounts button[data-account="${OTHER.id}"]`);
    await page.waitForSelector('#banner[data-locked="false"]', { timeout: 3_000 });
    expect(await page.textContent('#pnlBalance')).toBe('$25,000.00');
    expect(await page.textContent('#feed')).toContain('Nothing yet today');
    expect(new URL(page.url()).hash).toBe(`#${OTHER.id}`);
    await page.click(`#accounts button[data-account="${ACCOUNT.id}"]`);
    await page.waitForSelector('#banner[data-locked="true"]', { timeout: 3_000 });
  });

  it('an account whose broker refuses cancels says so, and what riskd does instead', async () => {
    const placed = sim.trader.placeOrder({ accountId: OTHER.id, contractId: MNQ, type: OrderType.Limit, side: OrderSide.Bid, size: 1, limitPrice: 1 });
    expect(placed.success).toBe(true);
    const t0 = Date.now();
    while (!daemon.registry.get(OTHER.id)?.workingOrders().some((o) => o.id === placed.orderId)) {
      if (Date.now() - t0 > 5_000) throw new Error('the order never reached the ledger');
      await new Promise((r) => setTimeout(r, 20));
    }
    sim.control.setCanTrade(OTHER.id, false); // RULE-010 flattens: the cancel is refused on a live account
    await page.click(`#accounts button[data-account="${OTHER.id}"]`);
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#chips')?.textContent?.includes('refuses cancels: riskd closes what an order it could not cancel fills') ?? false, undefined, { timeout: 5_000 });
    sim.control.setCanTrade(OTHER.id, true);
    await page.click(`#accounts button[data-account="${ACCOUNT.id}"]`);
    await page.waitForSelector('#banner[data-locked="true"]', { timeout: 3_000 });
  });

  it('a breach after each close spends the REST budget (200 / 60 s): the dashboard says "rate limited"', async () => {
    await page.click(`#accounts button[data-account="${OTHER.id}"]`);
    expect(await page.$('#chipRest')).toBeNull();
    // A trader buying again and again, each time riskd has closed the last one (the second entry in a minute
    // locks the account; from then on every new position is closed at once): one close request per buy, until
    // the budget is spent and a close has to wait for a slot.
    const flat = () => sim.state.positions(OTHER.id).length === 0;
    const limited = () => daemon.budget.stats().rateLimited;
    let buys = 0;
    const t0 = Date.now();
    while (!limited() && Date.now() - t0 < 50_000) {
      sim.trader.placeOrder({ accountId: OTHER.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
      buys++;
      const due = Date.now() + 3_000;
      while (!limited() && !flat() && Date.now() < due) await new Promise((r) => setTimeout(r, 5));
    }
    await page.waitForSelector('#chipRest', { timeout: 5_000 });
    const rest = daemon.status().rest;
    writeFileSync(join(ARTIFACTS, 'dashboard-rate-limited.json'), `${JSON.stringify({ buys, inWindow: rest.inWindow, limit: rest.limit, granted: rest.granted })}\n`);
    expect(rest.inWindow).toBeGreaterThanOrEqual(rest.limit - 1);
    expect(await page.textContent('#chipRest')).toContain('rate limited');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-rate-limited-1400x900.png'), fullPage: true });
  }, 70_000);

  it('when riskd stops answering, the page says so instead of showing old numbers as live', async () => {
    await server.stop();
    serverStopped = true;
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#link')?.textContent === 'reconnecting', undefined, { timeout: 3_000 });
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('#bannerMore .warn')?.textContent?.startsWith('Last news from riskd at ') ?? false, undefined, { timeout: 8_000 });
  });
});
