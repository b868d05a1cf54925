// The inspector's HTTP surface, mounted on the control server (all GET, read-only, loopback-only by the
// server's own checks):
//   GET /inspector                        the page (src/control/web/inspector.html)
//   GET /inspector/assets/<file>          its script and stylesheet (a fixed list, no path from the URL)
//   GET /api/inspector/machines           every machine's diagram: SVG, Mermaid, state ids
//   GET /api/inspector/accounts           the watched accounts and the connection machine's state
//   GET /api/inspector/accounts/:id       snapshot values + context, dashboard numbers, locks, limits
//   GET /api/inspector/transitions?account&since&until&event&actor&limit&order   the audit trail
//   GET /api/inspector/stream             Server-Sent Events: `account` views on every state change (≤ 10/s per
//                                         account) and each second, `transition` rows as they are recorded
// Live updates use SSE on the same server because the control server's WebSocket upgrade serves /ws only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InspectionEvent } from 'xstate';
import { MACHINE_NAMES, graphOf, renderDiagram } from './diagram.ts';
import { allNodes } from './graph.ts';
import type { RecordedTransition } from './recorder.ts';
import type { InspectorSource } from './source.ts';
import { queryTransitions, type TransitionQuery } from './transitionQuery.ts';
import { staticSite } from '../staticSite.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const ASSETS: Record<string, string> = {
  'inspector.js': 'text/javascript; charset=utf-8',
  'inspector.css': 'text/css; charset=utf-8',
};
// Everything the page loads comes from this server; the policy makes the browser refuse anything else.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export class BadQuery extends Error {}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function intParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw new BadQuery(`query parameter "${name}" must be an integer (epoch ms or id), got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

/** Parses ?account&since&until&event&actor&limit&order; since/until also accept ISO-8601 instants. */
export function parseTransitionQuery(url: URL): TransitionQuery {
  const time = (name: string): number | undefined => {
    const raw = url.searchParams.get(name);
    if (raw === null || raw === '') return undefined;
    if (/^\d+$/.test(raw)) return Number(raw);
    const t = Date.parse(raw);
    if (Number.isNaN(t)) throw new BadQuery(`query parameter "${name}" must be epoch ms or an ISO-8601 instant, got "${raw.slice(0, 40)}"`);
    return t;
  };
  const order = url.searchParams.get('order');
  if (order !== null && order !== 'asc' && order !== 'desc') throw new BadQuery(`query parameter "order" must be asc or desc, got "${order.slice(0, 20)}"`);
  const q: TransitionQuery = {};
  const accountId = intParam(url, 'account');
  const limit = intParam(url, 'limit');
  const since = time('since');
  const until = time('until');
  const event = url.searchParams.get('event');
  const actor = url.searchParams.get('actor');
  if (accountId !== undefined) q.accountId = accountId;
  if (limit !== undefined) q.limit = limit;
  if (since !== undefined) q.since = since;
  if (until !== undefined) q.until = until;
  if (event) q.event = event;
  if (actor) q.actorId = actor;
  if (order) q.order = order;
  return q;
}

export interface InspectorRoutesOptions {
  source: InspectorSource;
  /** Live transition rows (the recorder's onTransition). */
  onTransition?: (fn: (r: RecordedTransition) => void) => () => void;
  /** Live inspection events, to push account views as soon as a machine moves (supervisor.onInspect). */
  onInspect?: (fn: (accountId: number, e: InspectionEvent) => void) => () => void;
  /** Periodic push of every account view (ms). Default 1000. */
  statusIntervalMs?: number;
}

export interface InspectorRoutes {
  /** [method, path, handler] to register; paths ending in "/*" are prefixes. */
  routes: [string, string, Handler][];
  /** One handler for everything above (standalone use and tests). Returns false when the path is not ours. */
  handle(req: IncomingMessage, res: ServerResponse, url?: URL): boolean;
  close(): void;
}

export function createInspectorRoutes(opts: InspectorRoutesOptions): InspectorRoutes {
  const { source } = opts;
  const clients = new Set<ServerResponse>();
  const dirty = new Set<number>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  const site = staticSite('inspector.html', ASSETS, CSP);
  let machinesJson: string | undefined;

  const sse = (event: string, data: unknown): void => {
    if (clients.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.write(frame);
  };
  const pushAccount = (id: number): void => {
    const view = source.account(id);
    if (view) sse('account', view);
  };
  const pushAll = (): void => {
    if (clients.size === 0) return;
    try {
      for (const a of source.accounts()) pushAccount(a.id);
      sse('connection', { state: source.connectionState() });
    } catch {
      // the daemon is stopping (store closed); the next tick or the page's reconnect recovers
    }
  };
  const offTransition = opts.onTransition?.((r) => sse('transition', r));
  const offInspect = opts.onInspect?.((id, e) => {
    if (e.type !== '@xstate.snapshot' || clients.size === 0) return;
    dirty.add(id);
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      const ids = [...dirty];
      dirty.clear();
      try {
        for (const a of ids) pushAccount(a);
      } catch {
        // see pushAll
      }
    }, 100);
  });
  const ticker = setInterval(pushAll, opts.statusIntervalMs ?? 1000);
  ticker.unref();

  const page: Handler = (_req, res) => site.page(res);
  const assets: Handler = (_req, res, url) => {
    const name = url.pathname.slice('/inspector/assets/'.length);
    if (!site.asset(res, name)) sendJson(res, 404, { error: `no inspector asset "${name.slice(0, 60)}"` });
  };
  const machines: Handler = (_req, res) => {
    machinesJson ??= JSON.stringify({
      machines: MACHINE_NAMES.map((name) => {
        const g = graphOf(name);
        return { name, machineId: g.machineId, states: allNodes(g.root).map((n) => n.id), svg: renderDiagram(name, 'svg'), mermaid: renderDiagram(name, 'mermaid') };
      }),
    });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(machinesJson);
  };
  const accounts: Handler = (_req, res, url) => {
    const rest = url.pathname.slice('/api/inspector/accounts'.length);
    if (rest === '' || rest === '/') return sendJson(res, 200, { accounts: source.accounts(), connection: { state: source.connectionState() } });
    const raw = decodeURIComponent(rest.slice(1));
    const byName = source.accounts().filter((a) => a.name === raw);
    const id = /^\d+$/.test(raw) ? Number(raw) : byName.length === 1 ? byName[0]!.id : undefined;
    const view = id === undefined ? undefined : source.account(id);
    if (!view) return sendJson(res, 404, { error: `account "${raw.slice(0, 60)}" is not watched by this riskd` });
    sendJson(res, 200, view);
  };
  const transitions: Handler = (_req, res, url) => {
    let q: TransitionQuery;
    try {
      q = parseTransitionQuery(url);
    } catch (err) {
      if (err instanceof BadQuery) return sendJson(res, 400, { error: err.message });
      throw err;
    }
    sendJson(res, 200, { query: q, transitions: queryTransitions(source.db(), q) });
  };
  const stream: Handler = (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    try {
      for (const a of source.accounts()) {
        const view = source.account(a.id);
        if (view) res.write(`event: account\ndata: ${JSON.stringify(view)}\n\n`);
      }
      res.write(`event: connection\ndata: ${JSON.stringify({ state: source.connectionState() })}\n\n`);
    } catch {
      // first views are best effort; the ticker follows
    }
  };

  const routes: [string, string, Handler][] = [
    ['GET', '/inspector', page],
    ['GET', '/inspector/assets/*', assets],
    ['GET', '/api/inspector/machines', machines],
    ['GET', '/api/inspector/accounts', accounts],
    ['GET', '/api/inspector/accounts/*', accounts],
    ['GET', '/api/inspector/transitions', transitions],
    ['GET', '/api/inspector/stream', stream],
  ];

  return {
    routes,
    handle(req, res, url = new URL(req.url ?? '/', 'http://127.0.0.1')) {
      if ((req.method ?? 'GET').toUpperCase() !== 'GET') return false;
      const hit = routes.find(([, path]) => (path.endsWith('/*') ? url.pathname.startsWith(path.slice(0, -1)) : url.pathname === path));
      if (!hit) return false;
      hit[2](req, res, url);
      return true;
    },
    close() {
      clearInterval(ticker);
      if (flushTimer) clearTimeout(flushTimer);
      offTransition?.();
      offInspect?.();
      for (const c of clients) c.end();
      clients.clear();
    },
  };
}
