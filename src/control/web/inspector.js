// riskd inspector page: statecharts with live active states, the transitions timeline, snapshot context,
// locks with countdowns and the dashboard's numbers. Plain browser JavaScript, no build step, no CDN: every
// request goes to the riskd that served this page (JSON endpoints + one Server-Sent Events stream).
'use strict';

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
/** Escaped, with a line-break opportunity after each dot (long ids wrap on a phone). */
const escDots = (s) => esc(s).replace(/\./g, '.<wbr>');
const money = (v) => (v === null || v === undefined ? '–' : (v < 0 ? '-$' : '$') + Math.abs(v).toFixed(2));
const signCls = (v) => (v < 0 ? 'neg' : v > 0 ? 'pos' : '');
const pad = (n, w = 2) => String(n).padStart(w, '0');
const fmtCache = new Map();
function fmt(opts, locale = 'en-GB') {
  const tz = state.view?.timezone ?? 'UTC';
  const key = locale + tz + JSON.stringify(opts);
  if (!fmtCache.has(key)) fmtCache.set(key, new Intl.DateTimeFormat(locale, { timeZone: tz, hourCycle: 'h23', ...opts }));
  return fmtCache.get(key);
}
const zoneName = (ms) => fmt({ timeZoneName: 'short' }, 'en-US').formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
const dayOf = (ms) => fmt({ year: 'numeric', month: 'short', day: 'numeric' }).format(ms);
/** "17:00:00.123 CST", with the date in front when it is not today (all in the account's trading-day zone). */
const time = (ms, { millis = false } = {}) => {
  if (ms === null || ms === undefined) return '–';
  const t = fmt({ hour: '2-digit', minute: '2-digit', second: '2-digit', ...(millis ? { fractionalSecondDigits: 3 } : {}) }).format(ms);
  const day = dayOf(ms) === dayOf(Date.now() + state.offset) ? '' : `${dayOf(ms)} `;
  return `${day}${t} ${zoneName(ms)}`;
};
/** A datetime-local value ("2026-12-03T08:30:00") read as wall-clock time in the trading-day zone -> epoch ms. */
function zonedToEpoch(local) {
  const [d, t = '00:00:00'] = local.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi, se = 0] = t.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, da, h, mi, se);
  const offsetAt = (ms) => {
    const p = Object.fromEntries(fmt({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - ms;
  };
  const guess = wall - offsetAt(wall);
  return wall - offsetAt(guess); // the offset at the instant itself (differs near a DST change)
}
const countdown = (ms) => {
  if (ms <= 0) return 'due';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s % 60)}s` : `${m}m ${pad(s % 60)}s`;
};

const SHOW_ROWS = 50; // the timeline shows the newest 50 matching rows: the page stays short
const KEEP_ROWS = 500;

const state = {
  machines: {}, // name -> { machineId, svg, states }
  accounts: [],
  current: null, // account id
  view: null,
  rows: [], // timeline rows, newest first (up to KEEP_ROWS)
  replaying: false, // a since/until replay is shown: live rows are not mixed in
  offset: 0, // server clock - browser clock (ms)
  connection: null,
};

async function getJson(url) {
  const r = await fetch(url, { cache: 'no-store' });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || `${url}: HTTP ${r.status}`);
  return body;
}

/** "session.inside,lockout.locked" -> Set of state ids with their ancestors (see src/control/inspector/stateText.ts). */
function idsOf(machineId, text) {
  const ids = new Set([machineId]);
  for (const leaf of String(text || '').split(',').filter(Boolean)) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) ids.add(`${machineId}.${parts.slice(0, i).join('.')}`);
  }
  return ids;
}

function highlight(container, machineId, text) {
  const ids = idsOf(machineId, text);
  const active = [];
  for (const g of container.querySelectorAll('g.state')) {
    const on = text !== null && ids.has(g.getAttribute('data-state'));
    g.classList.toggle('active', on);
    if (on) active.push(g.getAttribute('data-state'));
  }
  container.setAttribute('data-active', active.join(' '));
  const now = container.querySelector('h3 .now');
  if (now) now.dataset.text = text ? `now: ${text.split(',').join(' · ')}` : '';
}

function chartTitle(view, m) {
  if (m.machine === 'account') return `account ${view.name}`;
  if (m.machine === 'action') return `enforcement ${m.context && m.context.kind ? m.context.kind : 'action'} (audit row ${m.actorId.slice(7)})`;
  return `position ${m.actorId.slice(4)}`;
}

/** One chart per actor: the account root, each position child, each enforcement action in flight, and the gateway connection. */
function ensureCharts(view) {
  const wanted = [
    ...view.machines.map((m) => ({ key: m.actorId, name: m.machine, title: chartTitle(view, m) })),
    { key: 'connection', name: 'connection', title: 'gateway connection' },
  ];
  const box = $('charts');
  const have = [...box.children].map((c) => c.getAttribute('data-actor'));
  if (have.join('|') === wanted.map((w) => w.key).join('|')) return;
  box.innerHTML = '';
  for (const w of wanted) {
    const m = state.machines[w.name];
    const div = document.createElement('div');
    div.className = 'chart';
    div.setAttribute('data-actor', w.key);
    div.setAttribute('data-machine', w.name);
    div.innerHTML = `<h3>${esc(w.title)} <span class="now"></span><button type="button" class="zoom">actual size</button></h3><div class="chart-body">${m ? m.svg : '<p class="muted">no diagram</p>'}</div>`;
    // Charts are scaled to the page width; "actual size" shows one at full size, scrolling inside its box.
    div.querySelector('.zoom').addEventListener('click', (e) => {
      const on = div.classList.toggle('zoomed');
      e.target.textContent = on ? 'fit to width' : 'actual size';
    });
    box.appendChild(div);
  }
  if (state.connection !== null) highlightConnection();
}

function highlightConnection() {
  const c = document.querySelector('.chart[data-actor="connection"]');
  if (c && state.machines.connection) highlight(c, state.machines.connection.machineId, state.connection);
}

function renderView(view) {
  state.view = view;
  state.offset = view.now - Date.now();
  ensureCharts(view);
  for (const m of view.machines) {
    const c = document.querySelector(`.chart[data-actor="${CSS.escape(m.actorId)}"]`);
    if (c) highlight(c, state.machines[m.machine].machineId, m.stateText);
  }
  const s = view.status || {};
  $('zone').textContent = `times in ${view.timezone} (${zoneName(view.now)}), the trading-day zone`;
  for (const id of ['sinceZone', 'untilZone']) $(id).textContent = zoneName(view.now);
  $('summary').className = 'kv';
  $('summary').innerHTML = [
    ['broker allows trading', s.canTrade === null || s.canTrade === undefined ? '–' : s.canTrade ? 'yes' : '<b class="neg">no</b>'],
    ['riskd lock', (s.locks || []).some((l) => l.kind !== 'symbol') ? '<b class="neg">locked</b>' : 'none'],
    ['balance', money(s.balance)],
    ['realized', `<b class="${signCls(s.realized)}">${money(s.realized)}</b>`],
    ['unrealized', `<b class="${signCls(s.unrealized)}">${money(s.unrealized)}</b>`],
    ['net', `<b class="${signCls(s.net)}">${money(s.net)}</b>`],
    ['open contracts', esc(s.openContracts ?? 0)],
    ['working orders', esc(s.workingOrders ?? 0)],
    ['entries today', esc(s.entriesToday ?? 0)],
    ['consecutive losses', esc(s.consecutiveLosses ?? 0)],
    ['session', esc(s.session?.phase ?? '–')],
  ].map(([k, v]) => `<span>${esc(k)}: ${v}</span>`).join('');
  $('positions').tBodies[0].innerHTML = (s.positions || []).map((p) =>
    `<tr><td>${esc(p.symbol || p.contractId)}</td><td>${esc(p.side)}</td><td class="num">${esc(p.size)}</td><td class="num">${esc(p.averagePrice)}</td><td class="num">${esc(p.mark ?? '–')}</td><td class="num ${signCls(p.unrealized)}">${money(p.unrealized)}</td></tr>`,
  ).join('') || '<tr><td colspan="6" class="muted">flat</td></tr>';
  $('locks').tBodies[0].innerHTML = (s.locks || []).map((l) =>
    `<tr data-lock="${esc(l.id)}" class="${l.flattenOnSet ? 'hard' : ''}"><td>${esc(l.rule)}</td><td class="opt">${esc(l.kind)}${l.symbol ? ` ${esc(l.symbol)}` : ''}</td><td class="wrap">${esc(l.reason)}</td><td class="time opt">${time(l.since)}</td><td class="${l.until === null ? 'wrap' : 'time'}">${l.until === null ? esc(l.releaseCondition || 'on its condition') : time(l.until)}</td><td class="remaining num" data-until="${l.until ?? ''}"></td></tr>`,
  ).join('') || '<tr><td colspan="6" class="muted">no locks</td></tr>';
  tickLocks();
  // The same list as the dashboard's gauges and `riskd status`: the snapshot's limits in force, in words.
  $('limits').innerHTML = (s.limits || []).map((l) => `<span class="${l.locked || (l.ratio ?? 0) >= 1 || l.alarm ? 'neg' : ''}">${esc(l.label)}: ${esc(l.text)} <small>${esc(l.rule)}</small></span>`).join(' · ') || 'no rule is enabled';
  $('context').textContent = JSON.stringify(Object.fromEntries(view.machines.map((m) => [m.actorId, { value: m.value, status: m.status, context: m.context }])), null, 2);
}

/** Lock countdowns, and the account chart's title: its current states and the nearest lock deadline. */
function tickLocks() {
  const now = Date.now() + state.offset;
  let next = null;
  for (const td of document.querySelectorAll('#locks td.remaining')) {
    const until = td.getAttribute('data-until');
    td.textContent = until ? countdown(Number(until) - now) : '–';
    if (until && (next === null || Number(until) < next)) next = Number(until);
  }
  for (const span of document.querySelectorAll('.chart h3 .now')) {
    const lock = span.closest('.chart').getAttribute('data-actor') === 'account' && next !== null ? ` · lock ends in <b>${countdown(next - now)}</b>` : '';
    span.innerHTML = esc(span.dataset.text || '') + lock;
  }
}

/** from → to of a transition, region by region, only the regions that changed ("lockout.unlocked → lockout.locked"). */
function changeHtml(from, to) {
  if (from === to) return `<span class="same" title="${esc(to)}">no change</span>`;
  const region = (leaf) => (leaf.includes('.') ? leaf.slice(0, leaf.indexOf('.')) : '');
  const f = from ? from.split(',') : [];
  const t = to ? to.split(',') : [];
  const parts = [];
  for (const r of new Set([...f, ...t].map(region))) {
    const a = f.filter((x) => region(x) === r).join(', ');
    const b = t.filter((x) => region(x) === r).join(', ');
    if (a !== b) parts.push(`<span class="from">${escDots(a || '(start)')}</span><span class="arrow">→</span><span class="to">${escDots(b || '(stopped)')}</span>`);
  }
  return parts.join('<br>');
}

function renderTimeline(newKey) {
  const f = $('filterText').value.trim().toLowerCase();
  const changesOnly = $('changesOnly').checked;
  const rows = state.rows.filter((r) => (!changesOnly || r.from !== r.to) && (!f || `${r.actorId} ${r.event} ${r.from} ${r.to}`.toLowerCase().includes(f)));
  $('timeline').tBodies[0].innerHTML = rows.slice(0, SHOW_ROWS).map((r) =>
    `<tr class="${r === newKey ? 'new' : ''}" data-event="${esc(r.event)}"><td class="time">${time(r.at, { millis: true })}</td><td>${escDots(r.actorId)}</td><td>${escDots(r.event)}</td><td class="change">${changeHtml(r.from, r.to)}</td></tr>`,
  ).join('') || '<tr><td colspan="4" class="muted">no transitions</td></tr>';
  $('timelineNote').textContent = rows.length > SHOW_ROWS ? `newest ${SHOW_ROWS} of ${rows.length}${rows.length >= KEEP_ROWS ? '+' : ''}: narrow with the filter or replay a time range` : `${rows.length} row${rows.length === 1 ? '' : 's'}`;
}

async function loadTimeline() {
  const q = new URLSearchParams({ account: String(state.current), limit: String(KEEP_ROWS) });
  const since = $('since').value;
  const until = $('until').value;
  state.replaying = Boolean(since || until);
  if (since) q.set('since', String(zonedToEpoch(since)));
  if (until) q.set('until', String(zonedToEpoch(until)));
  q.set('order', 'desc');
  const body = await getJson(`/api/inspector/transitions?${q}`);
  state.rows = body.transitions;
  renderTimeline();
}

async function selectAccount(id) {
  state.current = id;
  location.hash = `account=${id}`;
  $('charts').innerHTML = '';
  renderView(await getJson(`/api/inspector/accounts/${id}`));
  await loadTimeline();
}

function connect() {
  const es = new EventSource('/api/inspector/stream');
  es.onopen = () => { $('live').textContent = 'live'; $('live').className = 'badge on'; };
  es.onerror = () => { $('live').textContent = 'reconnecting…'; $('live').className = 'badge off'; };
  es.addEventListener('account', (m) => {
    const view = JSON.parse(m.data);
    if (view.id === state.current) renderView(view);
  });
  es.addEventListener('connection', (m) => {
    state.connection = JSON.parse(m.data).state;
    highlightConnection();
  });
  es.addEventListener('transition', (m) => {
    const r = JSON.parse(m.data);
    if (r.accountId !== state.current || state.replaying) return;
    state.rows.unshift(r);
    if (state.rows.length > KEEP_ROWS) state.rows.length = KEEP_ROWS;
    renderTimeline(r);
  });
}

async function init() {
  const m = await getJson('/api/inspector/machines');
  for (const x of m.machines) state.machines[x.name] = x;
  const a = await getJson('/api/inspector/accounts');
  state.accounts = a.accounts;
  state.connection = a.connection.state;
  $('account').innerHTML = a.accounts.map((x) => `<option value="${x.id}">${esc(x.name)} (${x.id})</option>`).join('');
  const fromHash = Number((/account=(\d+)/.exec(location.hash) || [])[1]);
  const first = a.accounts.some((x) => x.id === fromHash) ? fromHash : a.accounts[0]?.id;
  $('account').addEventListener('change', () => void selectAccount(Number($('account').value)));
  $('filterText').addEventListener('input', () => renderTimeline());
  $('changesOnly').addEventListener('change', () => renderTimeline());
  $('filter').addEventListener('submit', (e) => { e.preventDefault(); void loadTimeline(); });
  if (first !== undefined) {
    $('account').value = String(first);
    await selectAccount(first);
  } else {
    $('summary').textContent = 'no accounts watched';
  }
  connect();
  setInterval(tickLocks, 250);
  document.body.setAttribute('data-ready', 'true');
}

init().catch((err) => {
  $('summary').textContent = `inspector failed to load: ${err.message}`;
  document.body.setAttribute('data-ready', 'error');
});
