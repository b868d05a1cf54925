// The trader dashboard on the control server:
//   GET /                         the page (src/control/web/dashboard.html)
//   GET /assets/<file>            its script and stylesheet (a fixed list: no path from the URL reaches the disk)
//   GET /api/feed                 per account: the enforcement feed in words (newest first)
// Everything else the page shows (limits, locks in words, pending unlocks, the trading-day zone, "rate limited")
// is the status snapshot pushed on the control WebSocket (/ws): `status` each second and right after anything
// changes, `enforcement` as it happens (the page refetches the feed on it). Every asset is served from here: the
// page works offline.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Daemon } from '../../runtime/daemon.ts';
import { feedLine, type FeedLine } from './feedLine.ts';
import { staticSite } from '../staticSite.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const ASSETS: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const FEED_ROWS = 40;

export interface AccountFeed {
  id: number;
  /** Newest first; rows riskd skipped (already handled) are left out. */
  feed: FeedLine[];
}

export function feedView(daemon: Daemon): { accounts: AccountFeed[] } {
  const accounts = [...daemon.accounts.keys()].map((id): AccountFeed => {
    const rows = daemon.store.enforcement.list({ accountId: id, limit: FEED_ROWS * 3 });
    return { id, feed: rows.filter((r) => r.status !== 'skipped').slice(0, FEED_ROWS).map(feedLine) };
  });
  return { accounts };
}

export function dashboardRoutes(daemon: Daemon): [string, string, Handler][] {
  const site = staticSite('dashboard.html', ASSETS, CSP);
  const page: Handler = (_req, res) => site.page(res);
  const assets: Handler = (_req, res, url) => {
    const name = url.pathname.slice('/assets/'.length);
    if (!site.asset(res, name)) res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`no dashboard asset "${name.slice(0, 60)}"\n`);
  };
  const feed: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(feedView(daemon)));
  };
  return [
    ['GET', '/', page],
    ['GET', '/assets/*', assets],
    ['GET', '/api/feed', feed],
  ];
}
