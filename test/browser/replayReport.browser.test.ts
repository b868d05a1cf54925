// The replay's HTML report in a real browser (Debian Chromium driven by playwright-core): opened from a file
// with no network request at all, uPlot draws the three equity curves (as traded, with riskd, the compared rule
// set) on a canvas that is not blank. The screenshot is kept in test-artifacts/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_RISK, runReplay } from '../../src/replay/runReplay.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/browser: SKIPPED — ${CHROMIUM} is missing (install with: apt-get install -y chromium)`);

const ARTIFACTS = resolve('test-artifacts');
let browser: Browser;
let page: Page;
const requests: string[] = [];
let reportUrl: string;

describe.skipIf(!haveChromium)('replay report in Chromium', () => {
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskd-replay-browser-'));
    const looser = join(dir, 'looser.yaml');
    writeFileSync(looser, 'trading_day: { reset_time: "17:00", timezone: America/Chicago }\nrules:\n  daily_realized_loss: { enabled: true, limit: 600 }\n');
    const out = join(dir, 'report.html');
    await runReplay({ demo: true, config: DEFAULT_RISK, accounts: '', dataDir: join(dir, 'data'), out, compare: looser }, { write: () => true } as unknown as NodeJS.WritableStream);
    reportUrl = pathToFileURL(out).href;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(reportUrl);
    await page.waitForFunction('window.replayChart !== undefined');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('makes no request but the report file itself', () => {
    expect(requests).toEqual([reportUrl]);
  });

  it('draws the three equity curves on a canvas that is not blank', async () => {
    // Runs in the page (a string: the test is compiled without the DOM library).
    const chart = (await page.evaluate(`(() => {
      const u = window.replayChart;
      const canvas = document.querySelector('#chart canvas');
      const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200)) inked++;
      return { labels: u.series.slice(1).map((s) => s.label), points: u.data[0].length, width: canvas.width, inked };
    })()`)) as { labels: string[]; points: number; width: number; inked: number };
    expect(chart.labels).toEqual(['as traded', 'with riskd', 'with riskd (looser.yaml)']);
    expect(chart.points).toBeGreaterThan(20);
    expect(chart.width).toBeGreaterThan(500);
    expect(chart.inked).toBeGreaterThan(2000);
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = await page.screenshot({ type: 'png', path: join(ARTIFACTS, 'replay-report.png'), fullPage: true });
    expect(png.length).toBeGreaterThan(20_000);
  });
});
