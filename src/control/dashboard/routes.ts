// The trader dashboard on the control server:
//   GET /                         the page (src/control/web/dashboard.html)
//   GET /assets/<file>            its script and stylesheet (a fixed list: no path from the URL reaches the disk)
//   GET /api/dashboard            per account: the trading-day zone, the gauges' limits, a pending delayed
//                                 unlock and the enforcement feed in words
// Live numbers come from the control WebSocket (/ws): `status` each second, `enforcement` and `lock` as they
// happen (the page refetches /api/dashboard on those, and every 3 s). Everything is served from here: the page works offline.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PendingUnlock } from '../../../machines/account/types.ts';
import type { Daemon } from '../../runtime/daemon.ts';
import { feedLine, type FeedLine } from './feedLine.ts';
import { gaugeLimits, type GaugeLimit } from './gaugeLimits.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const WEB_DIR = new URL('../web/', import.meta.url);
const ASSETS: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const FEED_ROWS = 40;

export interface DashboardAccount {
  id: number;
  name: string;
  /** The trading-day zone: every time on the page is shown in it, labelled. */
  timezone: string;
  resetTime: string;
  limits: GaugeLimit[];
  pendingUnlocks: PendingUnlock[];
  /** Newest first; rows riskd skipped (already handled) are left out. */
  feed: FeedLine[];
}

export function dashboardView(daemon: Daemon): { now: number; accounts: DashboardAccount[] } {
  const accounts = [...daemon.accounts.values()].map((a): DashboardAccount => {
    const ctx = daemon.supervisor.get(a.id)?.actor.getSnapshot().context as { pendingUnlocks?: PendingUnlock[] } | undefined;
    const rows = daemon.store.enforcement.list({ accountId: a.id, limit: FEED_ROWS * 3 });
    return {
      id: a.id,
      name: a.name,
      timezone: a.config.trading_day.timezone,
      resetTime: a.config.trading_day.reset_time,
      limits: gaugeLimits(a.config.rules),
      pendingUnlocks: ctx?.pendingUnlocks ?? [],
      feed: rows.filter((r) => r.status !== 'skipped').slice(0, FEED_ROWS).map(feedLine),
    };
  });
  return { now: daemon.now(), accounts };
}

export function dashboardRoutes(daemon: Daemon): [string, string, Handler][] {
  const cache = new Map<string, string>();
  const asset = (name: string): string => {
    let text = cache.get(name);
    if (text === undefined) {
      text = readFileSync(new URL(name, WEB_DIR), 'utf8');
      cache.set(name, text);
    }
    return text;
  };
  const page: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': CSP });
    res.end(asset('dashboard.html'));
  };
  const assets: Handler = (_req, res, url) => {
    const name = url.pathname.slice('/assets/'.length);
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`no dashboard asset "${name.slice(0, 60)}"\n`);
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(asset(name));
  };
  const api: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(dashboardView(daemon)));
  };
  return [
    ['GET', '/', page],
    ['GET', '/assets/*', assets],
    ['GET', '/api/dashboard', api],
  ];
}
