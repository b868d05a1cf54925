// The trader dashboard. Everything but the feed is the status snapshot the control WebSocket pushes (/ws:
// `status` every second and as soon as something changes): the limits in force with used vs limit and their
// words, each lock in words with any pending delayed unlock, the trading-day zone, "rate limited". The page
// derives no limit of its own. The feed in words comes from /api/feed, fetched on connect and on every
// `enforcement` event. Countdowns tick locally against the server's clock (offset taken from each status).
// Plain browser JavaScript, no build step, nothing loaded from anywhere but this riskd.
'use strict';

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const state = {
  status: null, // last status snapshot
  offset: 0, // server clock - browser clock (ms)
  receivedAt: 0,
  feed: null, // last /api/feed
  selected: null, // account id
  seenFeed: new Set(), // feed lines already shown: lines that arrive later flash
  feedShown: false,
  staleShown: false, // the banner says the numbers are old
};
const STALE_MS = 5000;
const isStale = () => state.receivedAt > 0 && Date.now() - state.receivedAt > STALE_MS;

// ---- words and numbers ---------------------------------------------------------------------------------------

const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const money = (v) => (v === null || v === undefined ? '–' : (v < 0 ? '-$' : '$') + MONEY.format(Math.abs(Math.round(v * 100) / 100)));
const signed = (v) => (v === null || v === undefined ? '–' : (v > 0 ? '+' : '') + money(v));
const tone = (v) => (v < 0 ? 'neg' : v > 0 ? 'pos' : '');
const serverNow = () => Date.now() + state.offset;

const fmtCache = new Map();
function fmt(tz, opts, locale = 'en-GB') {
  const key = locale + tz + JSON.stringify(opts);
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: tz, hourCycle: 'h23', ...opts });
    fmtCache.set(key, f);
  }
  return f;
}
// en-US names the American zones (CST, EST); elsewhere it gives an offset (GMT+1), which is still a label.
const zoneName = (tz, at) => fmt(tz, { timeZoneName: 'short' }, 'en-US').formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? tz;
const dayOf = (tz, at) => fmt(tz, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
/** "17:00 CST", or "Mon 08:30 CST" when not today in that zone. */
function clock(at, tz, withSeconds = false) {
  const t = fmt(tz, { hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}) }).format(at);
  const day = dayOf(tz, at) === dayOf(tz, serverNow()) ? '' : fmt(tz, { weekday: 'short' }).format(at) + ' ';
  return `${day}${t} ${zoneName(tz, at)}`;
}
/** mm:ss, or h:mm:ss from an hour up. */
function countdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const LOCK_TITLE = {
  until_reset: 'Locked for the rest of the trading day',
  until_session: 'Outside your trading hours',
  until_can_trade: 'Locked: the broker is blocking trading',
  cooldown: 'Cooling off',
  symbol: 'Symbol blocked',
};
/** The lock's reason; the broker's switch has its own words (its recorded reason names the API field). */
const reasonWords = (l) => (l.kind === 'until_can_trade' ? 'Your broker has switched trading off for this account.' : l.reason);
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

// ---- data ----------------------------------------------------------------------------------------------------

const account = () => state.status?.accounts.find((a) => a.id === state.selected) ?? state.status?.accounts[0] ?? null;
const feedOf = (id) => state.feed?.accounts.find((a) => a.id === id)?.feed ?? null;
const accountLocks = (a) => a.locks.filter((l) => l.kind !== 'symbol');

/** The lock the banner leads with: one released by a condition, else the one that lasts longest. */
function mainLock(locks) {
  return [...locks].sort((x, y) => (x.until === null ? Infinity : x.until) - (y.until === null ? Infinity : y.until)).pop() ?? null;
}

/** Colour of a limit: by the share used (as `riskd watch` colours it), or its alarm for rules without a number. */
function level(l) {
  if (l.ratio !== null) return l.ratio >= 1 ? 'over' : l.ratio >= 0.8 ? 'near' : l.ratio >= 0.5 ? 'warn' : 'ok';
  return l.alarm === null ? 'plain' : l.alarm ? 'over' : 'ok';
}

// ---- rendering -----------------------------------------------------------------------------------------------

function renderAccounts() {
  const nav = $('accounts');
  const accounts = state.status?.accounts ?? [];
  nav.replaceChildren(
    ...accounts.map((a) => {
      const b = el('button', a.id === account()?.id ? 'on' : '');
      b.type = 'button';
      b.dataset.account = String(a.id);
      b.title = `${a.name} (${a.id})`;
      b.append(el('span', `dot${accountLocks(a).length ? ' locked' : ''}`), a.name);
      b.onclick = () => {
        state.selected = a.id;
        location.hash = String(a.id);
        render();
      };
      return b;
    }),
  );
}

function renderBanner(a) {
  const tz = a.zone;
  const banner = $('banner');
  const locks = accountLocks(a);
  const lead = mainLock(locks);
  const stale = isStale();
  state.staleShown = stale;
  banner.className = `banner ${lead ? 'locked' : stale ? 'stale' : 'open'}`;
  banner.dataset.locked = String(!!lead);
  $('bannerTitle').textContent = lead ? LOCK_TITLE[lead.kind] ?? 'Trading locked by riskd' : 'Trading allowed by riskd';
  $('bannerReason').textContent = lead ? reasonWords(lead) : stale ? 'riskd is not answering: the numbers below may be old.' : 'No riskd lock on this account.';
  const more = [];
  if (stale) more.push(el('div', 'warn', `Last news from riskd at ${clock(state.receivedAt + state.offset, tz, true)}.`));
  if (lead) more.push(el('div', '', `${cap(lead.description)}.`));
  for (const l of locks) if (l !== lead) more.push(el('div', '', `Also locked: ${reasonWords(l)} (${l.description})`));
  for (const l of a.locks) if (l.kind === 'symbol') more.push(el('div', '', `${cap(l.description)}: ${l.reason}`));
  for (const l of a.locks) {
    if (l.unlockAt === null) continue;
    const line = el('div', 'pending');
    line.dataset.effectiveAt = String(l.unlockAt);
    line.dataset.text = `Unlock requested for "${reasonWords(l)}": takes effect at ${clock(l.unlockAt, tz)}, in `;
    more.push(line);
  }
  $('bannerMore').replaceChildren(...more);
  const cd = $('countdown');
  cd.hidden = !(lead && lead.until !== null);
  cd.dataset.until = lead && lead.until !== null ? String(lead.until) : '';
  $('countdownLabel').textContent = lead && lead.until !== null ? `left · until ${clock(lead.until, tz)}` : lead ? 'no set end' : '';
}

function chip(k, v, cls) {
  const c = el('span', `chip ${cls}`);
  c.append(el('span', 'k', k), el('span', 'v', v));
  return c;
}

function renderChips(a) {
  const tz = a.zone;
  const s = state.status;
  const chips = [];
  const broker = a.canTrade === null ? chip('Broker', 'not known yet', 'warn') : a.canTrade ? chip('Broker', 'allows trading', 'good') : chip('Broker', 'blocks trading', 'bad');
  broker.id = 'chipBroker';
  const lock = accountLocks(a).length ? chip('riskd', 'locked', 'bad') : chip('riskd', 'no lock', 'good');
  lock.id = 'chipRiskd';
  chips.push(broker, lock);
  // A live or follower account: what its broker refuses and what riskd does instead.
  for (const note of a.gatewayRefuses ?? []) chips.push(chip('Broker', note, 'warn'));
  const ses = a.session;
  if (ses?.phase === 'inside') chips.push(chip('Session', ses.windowEnd ? `open until ${clock(ses.windowEnd, tz)}` : 'open', 'good'));
  else if (ses?.phase === 'outside') chips.push(chip('Session', ses.nextOpen ? `closed, opens ${clock(ses.nextOpen, tz)}` : 'closed', 'bad'));
  if (a.tradingDay) chips.push(chip('Trading day', `${a.tradingDay.id}, resets ${clock(a.tradingDay.nextResetAt, tz)}`, ''));
  if (s.rest.rateLimited) {
    // The broker's request budget is spent: riskd's closes and cancels wait for a slot.
    const rest = chip('Broker API', 'rate limited', 'bad');
    rest.id = 'chipRest';
    rest.title = `${s.rest.inWindow} of ${s.rest.limit} requests in the last ${Math.round(s.rest.windowMs / 1000)} s: enforcement waits for a free slot`;
    chips.push(rest);
  }
  const problems = s.problems.filter((p) => !(s.rest.rateLimited && p.startsWith('REST rate limited')));
  if (problems.length > 0) chips.push(chip('Data', problems.join('; '), 'warn'));
  else chips.push(chip('Data', 'live', 'good'));
  $('chips').replaceChildren(...chips);
}

/** One row per enabled rule, straight from the snapshot: a bar where the rule has a number to fill up. */
function renderGauges(a) {
  const rows = a.limits.map((l) => {
    const r = el('div', `gauge ${level(l)}${l.locked ? ' locked' : ''}`);
    r.dataset.rule = l.rule;
    const row = el('div', 'row');
    const label = el('span', 'label', cap(l.label));
    label.append(el('span', 'rule', l.rule));
    const val = el('span', 'val', l.text);
    if (l.until !== null) {
      const left = el('span', 'of left');
      left.dataset.until = String(l.until);
      val.append(left);
    }
    row.append(label, val);
    r.append(row);
    if (l.ratio !== null) {
      const bar = el('div', 'bar');
      const fill = el('span');
      fill.style.width = `${Math.min(100, Math.max(l.used > 0 ? 2 : 0, l.ratio * 100))}%`;
      bar.append(fill);
      r.append(bar);
    }
    return r;
  });
  if (rows.length === 0) rows.push(el('div', 'none', 'No rule is enabled for this account.'));
  $('gauges').replaceChildren(...rows);
}

function renderPnl(a) {
  const set = (id, v, f = money) => {
    const e = $(id);
    e.textContent = f(v);
    e.className = `v ${id === 'pnlNet' ? 'big ' : ''}${id === 'pnlBalance' ? '' : tone(v)}`;
  };
  set('pnlNet', a.net, signed);
  set('pnlRealized', a.realized, signed);
  set('pnlUnrealized', a.unrealized, signed);
  set('pnlBalance', a.balance);
  const body = $('positions').tBodies[0];
  if (a.positions.length === 0) {
    const tr = el('tr');
    const td = el('td', 'empty', 'No open positions.');
    td.colSpan = 6;
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...a.positions.map((p) => {
      const tr = el('tr');
      tr.dataset.contract = p.contractId;
      tr.append(
        el('td', '', p.symbol),
        el('td', `side-${p.side}`, p.side),
        el('td', 'num', String(p.size)),
        el('td', 'num opt', String(p.averagePrice)),
        el('td', 'num opt', p.mark === null || p.mark === undefined ? '–' : String(p.mark)),
        el('td', `num ${tone(p.unrealized)}`, signed(p.unrealized)),
      );
      return tr;
    }),
  );
}

function renderFeed(a) {
  const list = $('feed');
  const feed = feedOf(a.id) ?? [];
  if (feed.length === 0) {
    list.replaceChildren(el('li', 'empty', 'Nothing yet today. Every action riskd takes shows here, with why.'));
    return;
  }
  const tz = a.zone;
  const STATE = { working: 'in progress', done: 'done', failed: 'FAILED', skipped: 'not needed' };
  list.replaceChildren(
    ...feed.map((f) => {
      const key = `${f.id}:${f.at}`;
      const li = el('li', `state-${f.state}${state.feedShown && !state.seenFeed.has(key) ? ' fresh' : ''}`);
      li.dataset.rule = f.rule;
      const t = el('time', '', clock(f.at, tz, true));
      t.dateTime = new Date(f.at).toISOString();
      li.append(t, el('span', 'what', f.text), el('span', 'meta', `${f.rule} · ${STATE[f.state] ?? f.state}`));
      return li;
    }),
  );
  for (const f of feed) state.seenFeed.add(`${f.id}:${f.at}`);
  state.feedShown = true;
}

function render() {
  const a = account();
  if (!a) {
    $('bannerTitle').textContent = state.status ? 'No account is watched by this riskd' : 'Waiting for riskd…';
    return;
  }
  state.selected = a.id;
  renderAccounts();
  renderBanner(a);
  renderChips(a);
  renderGauges(a);
  renderPnl(a);
  renderFeed(a);
  $('zoneNote').textContent = `Times in ${a.zone} (${zoneName(a.zone, serverNow())}), the trading-day zone`;
  tick();
  if (state.feed && !document.body.dataset.ready) document.body.dataset.ready = 'true';
}

/** What changes every second without new data: countdowns and the clock. */
function tick() {
  const now = serverNow();
  const cd = $('countdown');
  if (cd.dataset.until) cd.textContent = countdown(Number(cd.dataset.until) - now);
  for (const p of document.querySelectorAll('#bannerMore .pending[data-effective-at]')) p.textContent = p.dataset.text + countdown(Number(p.dataset.effectiveAt) - now);
  for (const e of document.querySelectorAll('#gauges .left[data-until]')) e.textContent = Number(e.dataset.until) > now ? ` · ${countdown(Number(e.dataset.until) - now)} left` : '';
  const tz = account()?.zone;
  if (tz) $('clock').textContent = clock(now, tz, true);
  if (state.status && isStale() !== state.staleShown) render();
}

// ---- transport -----------------------------------------------------------------------------------------------

// One feed request at a time: a burst of enforcement events (a row per step of each action) asks once more
// after the request in flight instead of once per event.
let feedLoading = false;
let feedStale = false;
async function loadFeed() {
  if (feedLoading) {
    feedStale = true;
    return;
  }
  feedLoading = true;
  try {
    const r = await fetch('/api/feed', { cache: 'no-store' });
    if (r.ok) {
      state.feed = await r.json();
      render();
    }
  } catch {
    // the socket's state shows the outage
  } finally {
    feedLoading = false;
    if (feedStale) {
      feedStale = false;
      void loadFeed();
    }
  }
}

function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  ws.onopen = () => {
    $('link').textContent = 'live';
    $('link').className = 'link on';
    void loadFeed();
  };
  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.type === 'status') {
      state.status = msg.data;
      state.receivedAt = Date.now();
      state.offset = msg.data.now - Date.now();
      if (state.selected === null && /^#\d+$/.test(location.hash)) state.selected = Number(location.hash.slice(1));
      render();
    } else if (msg.type === 'enforcement') {
      void loadFeed();
    }
  };
  ws.onclose = () => {
    $('link').textContent = 'reconnecting';
    $('link').className = 'link off';
    setTimeout(connect, 1000);
  };
}

connect();
setInterval(tick, 250);
