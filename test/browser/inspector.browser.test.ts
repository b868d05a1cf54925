// The inspector page in a real browser (Debian Chromium driven by playwright-core) against a real riskd
// (in process) watching the simulator: no request leaves loopback, every state of every machine is drawn,
// a RULE-010 breach (canTrade false) turns the lockout region's `locked` state active within a second and
// shows on the timeline, times carry the trading-day zone, the timeline stays bounded, the locks table's
// countdown is not cut off at 1400 and 1920 px, nothing overflows at phone width, and a screenshot is not
// blank. Screenshots are kept under .tmp/test-artifacts/ (git-ignored).
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
import { mountInspector, type MountedInspector } from '../../src/control/inspector/mount.ts';
import { graphOf, MACHINE_NAMES } from '../../src/control/inspector/diagram.ts';
import { allNodes } from '../../src/control/inspector/graph.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/browser: SKIPPED — ${CHROMIUM} is missing (install with: apt-get install -y chromium)`);

const ACCOUNT = { id: 880001, name: 'BROWSER-1', balance: 50_000 };
const ARTIFACTS = resolve(import.meta.dirname, '../../.tmp/test-artifacts');

let sim: Simulator;
let daemon: Daemon;
let logger: RootLogger;
let server: ControlServer;
let inspector: MountedInspector;
let browser: Browser;
let page: Page;
let base: string;
const requests: string[] = [];

describe.skipIf(!haveChromium)('inspector page in Chromium', () => {
  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, marketIntervalMs: 500, accounts: [ACCOUNT] });
    const dir = mkdtempSync(join(tmpdir(), 'riskd-browser-'));
    const riskPath = join(dir, 'risk.yaml');
    const accountsPath = join(dir, 'accounts.yaml');
    writeFileSync(riskPath, 'trading_day:\n  reset_time: "17:00"\n  timezone: America/Chicago\nrules:\n  auth_loss_guard:\n    enabled: true\n  no_stop_loss_grace: { enabled: true, grace: 10m }\n');
    writeFileSync(
      accountsPath,
      simAccountsYaml(sim, { apiKey: '${RISKD_BROWSER_KEY}', controlPort: 65000 }),
    );
    const config = loadConfig({ riskPath, accountsPath, env: { RISKD_BROWSER_KEY: sim.credentials.apiKey } });
    logger = createLogger({ level: 'warn', file: join(dir, 'riskd.log'), terminal: false });
    daemon = await Daemon.start({ config, dataDir: join(dir, 'data'), logger, tickMs: 1000 });
    server = new ControlServer({ daemon, logger, port: 0, loadConfig: () => config });
    inspector = mountInspector(daemon, logger, server);
    const port = await server.start();
    base = `http://127.0.0.1:${port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/inspector`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    inspector?.stop();
    await server?.stop();
    await daemon?.stop();
    logger?.close();
    await sim?.close();
  });

  it('loads with no request beyond loopback', () => {
    expect(requests.length).toBeGreaterThan(3);
    const foreign = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
  });

  it('draws every state of each machine', async () => {
    for (const name of MACHINE_NAMES) {
      // Drawn per open position / per held lock / per enforcement action in flight; checked below through the API payload.
      if (name === 'position' || name === 'lock' || name === 'action') continue;
      const drawn = await page.$$eval(`.chart[data-machine="${name}"] g.state`, (gs) => gs.map((g) => g.getAttribute('data-state')));
      for (const n of allNodes(graphOf(name).root)) expect(drawn, `${name}: ${n.id}`).toContain(n.id);
    }
    const machines = await page.evaluate(async () => {
      const body = (await (await fetch('/api/inspector/machines')).json()) as { machines: { name: string; svg: string }[] };
      return body.machines.map((m) => [m.name, m.svg]);
    });
    for (const name of ['position', 'lock', 'action'] as const) {
      const svg = (machines as [string, string][]).find(([n]) => n === name)![1];
      for (const n of allNodes(graphOf(name).root)) expect(svg).toContain(`data-state="${n.id}"`);
    }
    expect(await page.textContent('#summary')).toContain('realized');
    // The limits in force: the status snapshot's list, the same one the dashboard's gauges and `riskd status` show.
    const limits = statusSnapshot(daemon).accounts.find((a) => a.id === ACCOUNT.id)!.limits;
    expect(limits.map((l) => l.rule)).toEqual(['RULE-008', 'RULE-010']);
    for (const l of limits) expect(await page.textContent('#limits')).toContain(`${l.label}: ${l.text} ${l.rule}`);
  });

  it('an open position without a stop gets its own live position statechart (awaitingStop active)', async () => {
    sim.trader.placeOrder({ accountId: ACCOUNT.id, contractId: 'CON.F.US.MNQ.Z26', type: OrderType.Market, side: OrderSide.Bid, size: 1 });
    const sel = '.chart[data-machine="position"][data-actor="pos:CON.F.US.MNQ.Z26"] g.state[data-state="position.awaitingStop"].active';
    await page.waitForSelector(sel, { timeout: 5_000 });
    const drawn = await page.$$eval('.chart[data-machine="position"] g.state', (gs) => gs.map((g) => g.getAttribute('data-state')));
    for (const n of allNodes(graphOf('position').root)) expect(drawn).toContain(n.id);
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('#positions tbody')?.textContent?.includes('MNQ') ?? false, undefined, { timeout: 3_000 });
  });

  it('a RULE-010 breach turns the lock state active within a second and shows on the timeline', async () => {
    const lockedSel = '.chart[data-machine="account"] g.state[data-state="account.lockout.locked"]';
    expect(await page.getAttribute(lockedSel, 'class')).not.toContain('active');
    const t0 = Date.now();
    sim.control.setCanTrade(ACCOUNT.id, false);
    await page.waitForSelector(`${lockedSel}.active`, { timeout: 5_000 });
    const elapsed = Date.now() - t0;
    expect(elapsed, `lock became active after ${elapsed} ms`).toBeLessThan(1_000);
    // The account is locked when its new lock child reports itself held.
    await page.waitForSelector('#timeline tbody tr[data-event="lock.held"]', { timeout: 3_000 });
    const row = await page.textContent('#timeline tbody tr[data-event="lock.held"]');
    expect(row).toContain('lockout.locked');
    await page.waitForSelector('#locks tbody tr[data-lock]', { timeout: 3_000 });
    expect(await page.textContent('#locks tbody')).toContain('RULE-010');
  });

  it('a timed lock counts down live in the locks table', async () => {
    const now = Date.now();
    // A RULE-007 cooldown verdict straight to the account machine (the rule engine's output), 2 minutes.
    daemon.store.transaction(() =>
      daemon.supervisor.send(ACCOUNT.id, {
        type: 'rule.verdicts',
        now,
        verdicts: [{ rule: 'RULE-007', intents: [], lock: { kind: 'cooldown', rule: 'RULE-007', reason: 'browser test cooldown', until: now + 120_000 }, message: 'browser test cooldown', numbers: {} }],
      }),
    );
    const cell = '#locks tbody tr[data-lock] td.remaining[data-until]:not([data-until=""])';
    await page.waitForSelector(cell, { timeout: 3_000 });
    const first = await page.textContent(cell);
    await page.waitForFunction(([sel, before]) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(sel)?.textContent !== before, [cell, first] as const, { timeout: 3_000 });
    const second = await page.textContent(cell);
    expect(first).toMatch(/^1m 5\ds$|^2m 00s$/);
    expect(second).toMatch(/^1m 5\ds$/);
    expect(second).not.toBe(first);
  });

  it('the timeline filter keeps only matching rows, and a replay by time range comes from the audit trail', async () => {
    const all = await page.$$eval('#timeline tbody tr[data-event]', (rows) => rows.length);
    await page.fill('#filterText', 'lock.held');
    const events = await page.$$eval('#timeline tbody tr[data-event]', (rows) => rows.map((r) => r.getAttribute('data-event')));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e === 'lock.held')).toBe(true);
    expect(all).toBeGreaterThanOrEqual(events.length);
    await page.fill('#filterText', '');
    // The range is read in the trading-day zone: from 00:00 of today there (Chicago) replays this run's rows.
    const todayInChicago = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago' }).format(Date.now());
    await page.fill('#since', `${todayInChicago}T00:00:00`);
    const asked = page.waitForRequest((r) => r.url().includes('/api/inspector/transitions') && r.url().includes('since='));
    await page.click('#filter button[type="submit"]');
    const since = Number(new URL((await asked).url()).searchParams.get('since'));
    const chicagoMidnightOffsetH = (Date.parse(`${todayInChicago}T00:00:00Z`) - since) / 3_600_000;
    expect([-5, -6]).toContain(chicagoMidnightOffsetH);
    await page.waitForSelector('#timeline tbody tr[data-event="lock.held"]', { timeout: 3_000 });
    await page.fill('#since', '');
    // A range that ends before riskd started replays nothing.
    await page.fill('#until', '2001-01-01T00:00:00');
    await page.click('#filter button[type="submit"]');
    await page.waitForSelector('#timeline tbody td.muted', { timeout: 3_000 });
    await page.fill('#until', '');
    await page.click('#filter button[type="submit"]');
    await page.waitForSelector('#timeline tbody tr[data-event="lock.held"]', { timeout: 3_000 });
  });

  it('times carry the trading-day zone; the timeline shows at most 50 rows and from → to per region', async () => {
    expect(await page.textContent('#zone')).toMatch(/America\/Chicago \(C[SD]T\)/);
    expect(await page.textContent('#locks tbody td.time')).toMatch(/^(\w{3} \d+ )?\d\d:\d\d:\d\d C[SD]T$/);
    const times = await page.$$eval('#timeline tbody td.time', (tds) => tds.map((t) => t.textContent));
    expect(times.length).toBeGreaterThan(0);
    for (const t of times) expect(t).toMatch(/\d\d:\d\d:\d\d\.\d{3} C[SD]T$/);
    // Fill the audit trail with more rows than the page shows (each canTrade event is recorded): it stays at 50.
    await page.uncheck('#changesOnly');
    for (let i = 0; i < 80 && !/^newest 50 of/.test((await page.textContent('#timelineNote')) ?? ''); i++) {
      sim.control.setCanTrade(ACCOUNT.id, i % 2 === 1);
      await new Promise((r) => setTimeout(r, 20));
    }
    sim.control.setCanTrade(ACCOUNT.id, false);
    expect(await page.textContent('#timelineNote')).toMatch(/^newest 50 of \d+/);
    expect(await page.$$eval('#timeline tbody tr[data-event]', (rows) => rows.length)).toBe(50);
    await page.check('#changesOnly');
    const change = await page.textContent('#timeline tbody tr[data-event^="lock."] td.change');
    expect(change).toMatch(/lockout\.(un)?locked→lockout\.(un)?locked/);
  });

  it.each([
    [1400, 900],
    [1920, 1080],
    [400, 800],
  ])('at %i × %i nothing is cut off: the locks table shows its countdown, the page does not scroll sideways', async (width, height) => {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(100); // one layout pass after the resize
    const m = await page.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const d = (globalThis as any).document;
      const box = (sel: string) => d.querySelector(sel).getBoundingClientRect();
      const locksWrap = d.querySelector('#locks').parentElement;
      return {
        page: { scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth },
        locksWrap: { scroll: locksWrap.scrollWidth, client: locksWrap.clientWidth },
        remaining: box('#locks tbody td.remaining'),
        panel: box('#numbers'),
        timeline: box('#timeline'),
      };
    });
    expect(m.page.scroll, 'page scrolls sideways').toBeLessThanOrEqual(m.page.client);
    // A chart at actual size scrolls inside its own box, never the page.
    await page.click('.chart[data-actor="connection"] button.zoom');
    expect(await page.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const d = (globalThis as any).document.documentElement;
      return d.scrollWidth <= d.clientWidth;
    })).toBe(true);
    await page.click('.chart[data-actor="connection"] button.zoom');
    expect(m.timeline.right).toBeLessThanOrEqual(width);
    expect(m.locksWrap.scroll, 'locks table cut off').toBeLessThanOrEqual(m.locksWrap.client);
    expect(m.remaining.right).toBeLessThanOrEqual(m.panel.right);
    expect(m.remaining.width).toBeGreaterThan(30);
    await page.screenshot({ path: join(ARTIFACTS, `inspector-${width}x${height}.png`), fullPage: true });
    await page.setViewportSize({ width: 1500, height: 1100 });
  });

  it('takes a screenshot that is not blank', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = await page.screenshot({ type: 'png', path: join(ARTIFACTS, 'inspector-1500x1100.png') });
    const blankPage = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    const blank = await blankPage.screenshot({ type: 'png' });
    await blankPage.close();
    expect(png.length).toBeGreaterThan(blank.length * 5);
    // Sample pixels of the account chart through a canvas: an orange active state must be on screen.
    const sample = await page.evaluate(async (b64) => {
      // Runs in the page (the test's tsconfig has no DOM types).
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const w = globalThis as any;
      const img = new w.Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = w.document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data as Uint8ClampedArray;
      const colours = new Set<number>();
      let orange = 0;
      for (let i = 0; i < d.length; i += 4 * 7) {
        colours.add((d[i]! >> 4) * 256 + (d[i + 1]! >> 4) * 16 + (d[i + 2]! >> 4));
        if (d[i]! > 240 && d[i + 1]! > 200 && d[i + 1]! < 230 && d[i + 2]! > 150 && d[i + 2]! < 190) orange++;
      }
      return { colours: colours.size, orange };
    }, png.toString('base64'));
    expect(sample.colours).toBeGreaterThan(20);
    expect(sample.orange).toBeGreaterThan(50);
  });
});
