// GET / : a minimal read-only status page (polls /api/status every second). The full dashboard and the
// inspector live elsewhere (registered through ControlServer.registerRoute).
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>riskd status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
  .ok { color: #176b2c; } .degraded { color: #a15c00; } .down { color: #b00020; }
  section { border: 1px solid #ddd; border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
  table { border-collapse: collapse; } td, th { padding: 2px 10px 2px 0; text-align: left; }
  .neg { color: #b00020; } .pos { color: #176b2c; } small { color: #666; }
</style>
</head>
<body>
<h1>riskd <span id="health">…</span></h1>
<div id="meta"><small>loading…</small></div>
<div id="accounts"></div>
<script>
const money = (v) => v === null || v === undefined ? '–' : (v < 0 ? '-$' : '$') + Math.abs(v).toFixed(2);
const cls = (v) => v < 0 ? 'neg' : v > 0 ? 'pos' : '';
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const dur = (ms) => ms === null ? 'until its condition' : ms >= 3600000 ? (ms / 3600000).toFixed(1) + ' h' : ms >= 60000 ? Math.round(ms / 60000) + ' min' : Math.round(ms / 1000) + ' s';
async function refresh() {
  let s;
  try { s = await (await fetch('/api/status', { cache: 'no-store' })).json(); }
  catch { document.getElementById('health').textContent = 'unreachable'; document.getElementById('health').className = 'down'; return; }
  const h = document.getElementById('health');
  h.textContent = s.health; h.className = s.health;
  const hubs = s.hubs ? 'user hub ' + s.hubs.user.state + ', market hub ' + s.hubs.market.state : 'hubs not started';
  document.getElementById('meta').innerHTML = '<small>' + esc(s.phase) + ' · ' + esc(hubs) + ' · ' + new Date(s.now).toLocaleTimeString() +
    (s.problems.length ? ' · ' + esc(s.problems.join('; ')) : '') + '</small>';
  document.getElementById('accounts').innerHTML = s.accounts.map((a) => '<section><b>' + esc(a.name) + '</b> ' +
    (a.locks.length ? '<span class="down">LOCKED</span>' : '<span class="ok">open</span>') +
    '<table><tr><th>realized</th><th>unrealized</th><th>net</th><th>contracts</th><th>can trade</th></tr><tr>' +
    '<td class="' + cls(a.realized) + '">' + money(a.realized) + '</td><td class="' + cls(a.unrealized) + '">' + money(a.unrealized) +
    '</td><td class="' + cls(a.net) + '">' + money(a.net) + '</td><td>' + a.openContracts + '</td><td>' + a.canTrade + '</td></tr></table>' +
    a.positions.map((p) => '<div>' + esc(p.symbol) + ' ' + esc(p.side) + ' ' + p.size + ' @ ' + p.averagePrice + ' (' + money(p.unrealized) + ')</div>').join('') +
    a.locks.map((l) => '<div class="down">' + esc(l.rule) + ' ' + esc(l.kind) + (l.symbol ? ' ' + esc(l.symbol) : '') + ': ' + esc(l.reason) + ' — ' + dur(l.remainingMs) + '</div>').join('') +
    (a.lastEnforcement ? '<div><small>last enforcement: ' + esc(a.lastEnforcement.rule) + ' ' + esc(a.lastEnforcement.action) + ' ' + esc(a.lastEnforcement.status) + ' at ' + new Date(a.lastEnforcement.at).toLocaleTimeString() + '</small></div>' : '') +
    '</section>').join('');
}
refresh(); setInterval(refresh, 1000);
</script>
</body>
</html>
`;
