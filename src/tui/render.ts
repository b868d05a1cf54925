// The dashboard as text: renderScreen(model, { width, height, now, view }) returns exactly `height` lines of exactly `width`
// columns (colour codes aside). Pure: the same input always gives the same screen, so layout, colours and
// countdowns are unit-tested without a terminal. Countdowns are computed from absolute deadlines and `now`.
import { fit, paint, spread, type Colour } from './ansi.ts';
import { percent, thresholdColour } from './format.ts';
import { ago, clock, clockSeconds, countdown, money, moneyLimit, outcomeWords } from '../format/plain.ts';
import { share, timeLeft } from '../control/ruleLimits.ts';
import { INITIAL_VIEW, type HubHealth, type ViewState, type WatchAccount, type WatchModel } from './model.ts';

export interface ScreenSize {
  width: number;
  height: number;
  now: number;
  /** ANSI colours (default true; false for NO_COLOR). */
  color?: boolean;
  /** Selected account, scroll, help (default: first account, newest enforcement, no help). */
  view?: ViewState;
}

/** A block of lines that may be shortened (to `min` lines, the last saying how many were left out). */
interface Section {
  lines: string[];
  min: number;
  /** Lower gives up lines first. */
  priority: number;
}

export const KEY_HINT = '←/→ account  ↑/↓ scroll  ? help  q quit';

export const HELP_LINES = [
  'riskd watch — a read-only view of riskd (it never changes anything).',
  '',
  '  ←/→ or Tab / Shift+Tab   switch account',
  '  ↑/↓, PgUp/PgDn           scroll the enforcement list',
  '  ?                        show or hide this help',
  '  q, Ctrl+C                quit',
  '',
  'Gauges: share of each limit in force in riskd used — green < 50 %, yellow < 80 %, red ≥ 80 % or breached.',
  'Locks count down to their deadline (mm:ss, h:mm:ss); others wait for their release condition.',
  'When the daemon does not answer, the last saved state is read from SQLite (read-only) and the',
  'daemon is retried every few seconds. To unlock or reload, use `npx riskd admin`.',
];

export function renderScreen(model: WatchModel, size: ScreenSize): string[] {
  const { width, height, now } = size;
  const view = size.view ?? INITIAL_VIEW;
  const c = size.color ?? true;
  const p = (t: string, col: Colour) => paint(t, col, c);
  const account = model.accounts[Math.min(view.selected, model.accounts.length - 1)];
  const top: string[] = [header(model, account?.zone ?? 'UTC', now, width, p), ...banner(model, now, width, p)];
  if (model.accounts.length > 0) top.push(tabs(model, view.selected, p));

  let body: string[];
  if (view.help) body = HELP_LINES;
  else if (!account) body = [model.daemon === 'connecting' ? 'Connecting to riskd…' : 'No account known yet.'];
  else body = accountBody(model, account, view, width, Math.max(0, height - top.length), now, p);
  return [...top, ...body].slice(0, height).concat(Array(Math.max(0, height - top.length - body.length)).fill('')).map((l) => fit(l, width));
}

type Painter = (t: string, col: Colour) => string;

function header(m: WatchModel, zone: string, now: number, width: number, p: Painter): string {
  const state =
    m.daemon === 'live'
      ? p(`LIVE${m.phase && m.phase !== 'live' ? ` ${m.phase}` : ''}${m.health && m.health !== 'ok' ? ` (${m.health})` : ''}`, m.health === 'ok' ? 'green' : 'yellow')
      : m.daemon === 'down'
        ? p('DAEMON DOWN', 'red')
        : p('connecting', 'yellow');
  const up = m.daemon === 'live' && m.startedAt !== null ? ` · up ${ago(now - m.startedAt)}` : '';
  return spread(`${p('riskd watch', 'bold')} · ${state}${up} · ${clockSeconds(now, zone)}`, p(KEY_HINT, 'dim'), width);
}

function banner(m: WatchModel, now: number, width: number, p: Painter): string[] {
  if (m.daemon === 'down') {
    // The whole sentence, wrapped over as many red lines as the path needs: it must never be cut off.
    const text = `DAEMON DOWN — showing last known state from ${m.dataFile} (read-only)`;
    const lines: string[] = [];
    for (let i = 0; i < text.length; i += width - 2) lines.push(p(fit(` ${text.slice(i, i + width - 2)}`, width), 'redBanner'));
    const when = m.dataAt !== null ? ` · read ${ago(now - m.dataAt)} ago` : '';
    lines.push(p(`Nothing is being enforced. Retrying the daemon… ${m.downReason ?? ''}${when}`, 'yellow'));
    return lines;
  }
  if (m.daemon === 'live' && m.problems.length > 0) return [p(`! ${m.problems.join('; ')}`, 'yellow')];
  return [];
}

function tabs(m: WatchModel, selected: number, p: Painter): string {
  return m.accounts
    .map((a, i) => {
      const mark = a.locks.some((l) => l.kind !== 'symbol') ? ' LOCKED' : '';
      const label = ` ${a.name}${mark} `;
      return i === selected ? p(label, 'inverse') : mark ? p(label, 'red') : label;
    })
    .join(' ');
}

function accountBody(m: WatchModel, a: WatchAccount, view: ViewState, width: number, height: number, now: number, p: Painter): string[] {
  const sections: Section[] = [];
  sections.push({ lines: [pnlLine(m, a, p)], min: 1, priority: 9 });
  sections.push({ lines: lockLines(a, now, p), min: 2, priority: 8 });
  sections.push({ lines: positionLines(a, p), min: 2, priority: 5 });
  const rules = ruleLines(a, width, now, p);
  if (rules.length > 0) sections.push({ lines: rules, min: 2, priority: 6 });
  const refuses = a.gatewayRefuses.map((n) => `${p('BROKER', 'bold')} ${p(n, 'yellow')}`);
  sections.push({ lines: [sessionLine(a, now, p), healthLine(m, now, p), ...refuses], min: 2, priority: 7 });

  // The enforcement list takes what is left, but always gets its title and a couple of rows.
  const enfMin = Math.min(3, 1 + a.enforcement.length || 2);
  let budget = height - enfMin;
  const total = () => sections.reduce((n, s) => n + s.lines.length, 0);
  for (const s of [...sections].sort((x, y) => x.priority - y.priority)) {
    const over = total() - budget;
    if (over <= 0) break;
    const keep = Math.max(s.min, s.lines.length - over);
    if (keep < s.lines.length) {
      const dropped = s.lines.length - keep + 1;
      s.lines = [...s.lines.slice(0, keep - 1), p(`  … ${dropped} more (wider/taller terminal shows all)`, 'dim')];
    }
  }
  const out = sections.flatMap((s) => s.lines);
  budget = height - out.length;
  return [...out, ...enforcementLines(a, view.scroll, Math.max(1, budget), now, p)];
}

function pnlLine(m: WatchModel, a: WatchAccount, p: Painter): string {
  const signed = (v: number | null) => (v === null ? 'unknown' : p(money(v), v < 0 ? 'red' : v > 0 ? 'green' : 'dim'));
  const parts = [`${p('P&L', 'bold')} realized ${signed(a.realized)}`];
  parts.push(`unrealized ${a.unrealized === null && m.daemon !== 'live' ? p('unknown while down', 'dim') : signed(a.unrealized)}`);
  parts.push(`net ${signed(a.net)}`);
  const loss = a.limits.find((l) => l.key === 'daily_realized_loss');
  if (loss?.ratio != null) parts.push(`loss ${p(`${percent(loss.ratio)} of ${moneyLimit(loss.limit!)}`, thresholdColour(loss.ratio))}`);
  return parts.join('  ');
}

function lockLines(a: WatchAccount, now: number, p: Painter): string[] {
  if (a.locks.length === 0) return [`${p('LOCKS', 'bold')}  ${p('none: trading allowed', 'green')}`];
  const lines = [`${p('LOCKS', 'bold')}  ${p(`${a.locks.length} active`, 'red')}`];
  for (const l of a.locks) {
    const left = l.until !== null ? `  ${p(`${countdown(l.until - now)} left`, 'red')}` : '';
    const unlock = l.unlockAt !== null ? p(`  admin unlock at ${clock(l.unlockAt, a.zone ?? 'UTC', now)}`, 'yellow') : '';
    lines.push(`  ${p(l.rule, 'red')} ${l.description}${left}${unlock}  ${l.reason}`);
  }
  return lines;
}

function positionLines(a: WatchAccount, p: Painter): string[] {
  const wo = a.workingOrders === null ? '' : `   working orders ${a.workingOrders}`;
  if (a.positions.length === 0) return [`${p('POSITIONS', 'bold')}  flat${wo}`];
  const lines = [`${p('POSITIONS', 'bold')}  ${a.openContracts} contract${a.openContracts === 1 ? '' : 's'}${wo}`];
  for (const pos of a.positions) {
    const pnl = pos.unrealized === null ? p('-', 'dim') : p(money(pos.unrealized), pos.unrealized < 0 ? 'red' : 'green');
    const mark = pos.mark === null ? '-' : String(pos.mark);
    lines.push(`  ${pos.symbol.padEnd(6)} ${pos.side.padEnd(5)} ${String(pos.size).padStart(3)} @ ${pos.averagePrice}   mark ${mark}   ${pnl}`);
  }
  return lines;
}

function ruleLines(a: WatchAccount, width: number, now: number, p: Painter): string[] {
  const gauges = a.limits;
  if (gauges.length === 0) return [`${p('RULES', 'bold')}  ${p('limits not known (this riskd has not saved them yet)', 'dim')}`];
  const cols = Math.max(1, Math.floor(width / 40));
  const cellWidth = Math.floor(width / cols);
  const cells = gauges.map((g) => {
    const id = g.rule.replace('RULE-', 'R');
    let colour: Colour = 'dim';
    let tail = '';
    if (g.ratio !== null) {
      colour = thresholdColour(g.ratio);
      tail = ` ${percent(g.ratio)}${g.ratio >= 1 ? '!' : ''}`;
    } else if (g.alarm !== null) colour = g.alarm ? 'red' : 'green';
    if (g.locked) {
      colour = 'red';
      tail += ' LOCK';
    }
    const left = timeLeft(g, now);
    const gaugeText = p(`${g.text}${left ? ` (${left})` : ''}${tail}`, colour);
    return fit(`${id} ${g.label.padEnd(13)} ${gaugeText}`, cellWidth - 1) + ' ';
  });
  const lines = [`${p('RULES', 'bold')}  used of the limit in force, % used`];
  for (let i = 0; i < cells.length; i += cols) lines.push(cells.slice(i, i + cols).join(''));
  return lines;
}

function sessionLine(a: WatchAccount, now: number, p: Painter): string {
  const s = a.session;
  let session = 'unknown';
  if (s) {
    if (s.phase === 'inside') session = `${p('open', 'green')}${s.windowEnd ? `, ends in ${countdown(s.windowEnd - now)}` : ''}`;
    else if (s.phase === 'outside') session = `${p('closed', 'red')}${s.nextOpen ? `, opens in ${countdown(s.nextOpen - now)}` : ''}`;
    else if (s.phase === 'disabled') session = 'no windows';
    else session = s.phase;
  }
  const day = a.tradingDay
    ? `day ${a.tradingDay.id}${a.tradingDay.nextResetAt ? ` resets in ${countdown(a.tradingDay.nextResetAt - now)}` : ''}`
    : 'trading day unknown';
  const canTrade = a.canTrade === null ? '' : ` · broker ${a.canTrade ? p('allows trading', 'green') : p('does NOT allow trading', 'red')}`;
  return `${p('SESSION', 'bold')} ${session} · ${day}${canTrade}`;
}

function healthLine(m: WatchModel, now: number, p: Painter): string {
  if (m.daemon !== 'live' || !m.hubs) return `${p('GATEWAY', 'bold')} ${p('unknown while the daemon is down', 'dim')}`;
  const hub = (name: string, h: HubHealth) => {
    const seen = h.lastEventAt !== null ? ` ${ago(now - h.lastEventAt)}` : '';
    return `${name} ${p(h.state, h.state === 'connected' ? 'green' : 'red')}${seen}${h.reconnects > 0 ? ` (${h.reconnects}x)` : ''}`;
  };
  let rest = '';
  if (m.rest) {
    const r = m.rest;
    const used = share(r.inWindow, r.limit);
    rest = ` · REST ${p(`${r.inWindow}/${r.limit}`, thresholdColour(used))} per ${Math.round(r.windowMs / 1000)}s, ${r.queued} queued`;
    if (r.backoffUntil !== null && r.backoffUntil > now) rest += p(` BACKOFF ${countdown(r.backoffUntil - now)}`, 'red');
    if (r.rateLimitedResponses > 0) rest += p(` 429s ${r.rateLimitedResponses}`, 'yellow');
    if (r.rateLimited) rest += p(' RATE LIMITED', 'red');
  }
  return `${p('GATEWAY', 'bold')} ${hub('user', m.hubs.user)} · ${hub('market', m.hubs.market)}${rest}`;
}

function enforcementLines(a: WatchAccount, scroll: number, rows: number, now: number, p: Painter): string[] {
  const list = a.enforcement;
  const shown = Math.max(0, rows - 1);
  const first = Math.max(0, Math.min(scroll, list.length - shown));
  const range = list.length === 0 ? 'none' : `${first + 1}-${Math.min(list.length, first + shown)} of ${list.length}, newest first`;
  const lines = [`${p('ENFORCEMENT', 'bold')}  ${range}`];
  for (const e of list.slice(first, first + shown)) {
    const st = p(outcomeWords(e.status).padEnd(11), e.status === 'failed' ? 'red' : e.status === 'confirmed' || e.status === 'reconciled' ? 'green' : 'yellow');
    lines.push(`  ${clockSeconds(e.at, a.zone ?? 'UTC')} ${p(e.rule, 'cyan')} ${st} ${ago(now - e.at)} ago  ${e.summary}`);
  }
  return lines.slice(0, rows);
}

/** The largest useful scroll offset for an account's enforcement list (keyboard handler clamps to it). */
export function maxScroll(a: WatchAccount | undefined): number {
  return a ? Math.max(0, a.enforcement.length - 1) : 0;
}
