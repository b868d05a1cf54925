// The replay report as one offline HTML file: the equity curves (as traded, with riskd, and the compared rule
// set) drawn by uPlot, whose dist file is inlined (no CDN, no network request), the per-day table, what fired,
// and what is approximated. Every text from data is escaped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReplayReport } from './report.ts';
import { clockTime, dayEvents, money } from './table.ts';

const require = createRequire(import.meta.url);
let uplot: { js: string; css: string } | undefined;
function uplotDist(): { js: string; css: string } {
  return (uplot ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  });
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON inside <script>: no "</script>" or "<!--" can end it early. */
const scriptJson = (x: unknown): string => JSON.stringify(x).replace(/</g, '\\u003c');

/** x (seconds) shared by all series; each series holds its cumulative P&L as of each x (step). */
function aligned(r: ReplayReport): { xs: number[]; ys: number[][] } {
  const xs = [...new Set([r.since, ...r.curves.flatMap((c) => c.points.map((p) => p.at))])].sort((a, b) => a - b);
  const ys = r.curves.map((c) => {
    let i = 0;
    let v = 0;
    return xs.map((x) => {
      while (i < c.points.length && c.points[i]!.at <= x) v = c.points[i++]!.pnl;
      return v;
    });
  });
  return { xs: xs.map((x) => x / 1000), ys };
}

export function renderHtml(r: ReplayReport): string {
  const { js, css } = uplotDist();
  const tz = r.timezone;
  const { xs, ys } = aligned(r);
  const colors = ['#888888', '#1f77b4', '#d62728'];
  const series = r.curves.map((c, i) => ({ label: c.label, stroke: colors[i % colors.length], width: 2 }));
  const rows = r.days
    .map((d, i) => {
      const events = dayEvents(d, tz).map((e) => `${clockTime(e.at, tz)} ${esc(e.text)}`);
      const cmp = r.compare ? `<td class="n">${money(r.compare.days[i]?.withRiskd ?? 0)}</td>` : '';
      return `<tr><td>${esc(d.day)}</td><td class="n">${d.trips}</td><td class="n">${money(d.asTraded)}</td><td class="n">${money(d.withRiskd)}</td>${cmp}<td>${events.join('<br>') || '&ndash;'}</td></tr>`;
    })
    .join('\n');
  const t = r.totals;
  const worst = (x: { day: string; pnl: number } | null) => (x ? `${money(x.pnl)} (${esc(x.day)})` : 'n/a');
  const totals = (label: string, x: typeof t) =>
    `<tr><th>${esc(label)}</th><td>${money(x.asTraded)}</td><td>${money(x.withRiskd)}</td><td>${worst(x.worstDay.asTraded)} / ${worst(x.worstDay.withRiskd)}</td><td>${money(-x.maxDrawdown.asTraded)} / ${money(-x.maxDrawdown.withRiskd)}</td><td>${x.daysLimitHit}</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>riskd replay: ${esc(r.account)}</title>
<style>${css}
body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top}td.n{text-align:right;white-space:nowrap}.note{color:#555}</style>
</head><body>
<h1>riskd replay: ${esc(r.account)}</h1>
<p>${esc(new Date(r.since).toISOString())} to ${esc(new Date(r.until).toISOString())}, trading days in ${esc(tz)}. P&amp;L is net of fees.</p>
<div id="chart"></div>
<h2>Totals</h2>
<table><tr><th></th><th>as traded</th><th>with riskd</th><th>worst day (as traded / with riskd)</th><th>max drawdown</th><th>days a limit was hit</th></tr>
${totals('this rule set', t)}${r.compare ? totals(`compared: ${r.compare.label}`, r.compare.totals) : ''}</table>
<h2>Per trading day</h2>
<table><tr><th>day</th><th>trades</th><th>as traded</th><th>with riskd</th>${r.compare ? `<th>${esc(r.compare.label)}</th>` : ''}<th>what riskd did</th></tr>
${rows}</table>
<h2>Approximated</h2><ul class="note">${r.approximations.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
<script>${js}</script>
<script>
const data = ${scriptJson([xs, ...ys])};
const series = ${scriptJson(series)};
const el = document.getElementById('chart');
window.replayChart = new uPlot({ title: 'Equity curve (cumulative net P&L)', width: Math.min(1100, window.innerWidth - 48), height: 380,
  series: [{}, ...series], axes: [{}, { size: 70, values: (u, v) => v.map((x) => (x < 0 ? '-$' : '$') + Math.abs(x).toLocaleString('en-US')) }] }, data, el);
</script>
</body></html>
`;
}
