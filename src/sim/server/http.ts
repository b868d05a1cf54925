// The gateway's HTTP face on node:http: REST `POST /api/...` (JSON), `GET /api/Status/ping`,
// hub negotiate and WebSocket upgrades. Order of checks per REST call: route -> body -> bearer (401)
// -> rate limit (429 + Retry-After) -> injected fault -> handler. Every call lands in the request log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { bearer, type TokenIssuer } from '../auth.ts';
import type { SimEngine } from '../engine/engine.ts';
import type { RestFaultInjector } from '../faults.ts';
import { redact, type RequestLog } from '../requestLog.ts';
import { BadRequest, validationProblem, type RestReply, type Route } from '../rest/common.ts';
import type { SimRequest } from '../types.ts';
import type { SlidingWindowLimiter } from './rateLimit.ts';
import type { HubServer } from './signalr.ts';

export interface HttpDeps {
  engine: SimEngine;
  tokens: TokenIssuer;
  credentials: { userName: string; apiKey: string };
  liveData: boolean;
  routes: Route[];
  limiter: SlidingWindowLimiter;
  barsLimiter: SlidingWindowLimiter;
  faults: RestFaultInjector;
  log: RequestLog;
  hubs: { user: HubServer; market: HubServer };
}

const MAX_BODY = 1 << 20;

export class GatewayHttpServer {
  readonly server: Server;
  private readonly routes = new Map<string, Route>();
  private readonly sockets = new Set<Socket>();
  private readonly hangs = new Set<NodeJS.Timeout>();

  constructor(private readonly d: HttpDeps) {
    for (const r of d.routes) this.routes.set(r.path.toLowerCase(), r);
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Length': '0' }).end();
        process.emitWarning(`sim: request ${req.url ?? ''} failed: ${(e as Error).message}`);
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://sim');
      const hub = this.hubFor(url.pathname);
      if (!hub) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      hub.upgrade(req, socket, head, url);
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const a = this.server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const t of this.hangs) clearTimeout(t);
    this.hangs.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private hubFor(pathname: string): HubServer | undefined {
    const p = pathname.toLowerCase().replace(/\/+$/, '');
    if (p === '/hubs/user') return this.d.hubs.user;
    if (p === '/hubs/market') return this.d.hubs.market;
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    const negotiate = /^(\/hubs\/(?:user|market))\/negotiate\/?$/i.exec(url.pathname);
    if (negotiate) {
      const hub = this.hubFor(negotiate[1] ?? '');
      if (method !== 'POST' || !hub) return void res.writeHead(405, { 'Content-Length': '0' }).end();
      await drain(req);
      return hub.negotiate(req, res, url);
    }
    if (!url.pathname.toLowerCase().startsWith('/api/')) return void res.writeHead(404, { 'Content-Length': '0' }).end();
    await this.rest(req, res, url, method);
  }

  private async rest(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const at = performance.now();
    const wallAt = Date.now();
    const path = url.pathname;
    const entry = (status: number, body: unknown, response: unknown, extra?: Partial<SimRequest>): SimRequest => ({
      seq: this.d.log.nextSeq(),
      at,
      wallAt,
      doneAt: performance.now(),
      method,
      path,
      body: redact(body),
      status,
      response: redact(response),
      ...extra,
    });
    const send = (reply: RestReply, body: unknown, extra?: Partial<SimRequest>): void => {
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(text), ...reply.headers };
      if (text) headers['Content-Type'] = 'application/json; charset=utf-8';
      res.writeHead(reply.status, headers).end(text);
      this.d.log.add(entry(reply.status, body, reply.body ?? null, extra));
    };

    if (path.toLowerCase() === '/api/status/ping' && method === 'GET') return send({ status: 200, body: 'pong' }, null);
    const route = this.routes.get(path.toLowerCase().replace(/\/+$/, ''));
    if (!route) return send({ status: 404 }, null);
    if (route.method !== method) return send({ status: 405, headers: { Allow: route.method } }, null);

    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return send({ status: 413 }, null);
    }
    let body: Record<string, unknown> = {};
    if (!route.bodyless) {
      // ASP.NET [FromBody] binding: JSON content type required (415), and a body (400).
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!(type === 'application/json' || type === 'text/json' || /^application\/[\w.+-]*\+json$/.test(type))) {
        return send({ status: 415, body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.16', title: 'Unsupported Media Type', status: 415 } }, raw);
      }
      if (raw.trim() === '') return send(validationProblem('', 'A non-empty request body is required.', path), raw);
    }
    if (raw.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be a JSON object');
        body = parsed as Record<string, unknown>;
      } catch (e) {
        return send(validationProblem('$', `The JSON value could not be converted: ${(e as Error).message}`, path), raw);
      }
    }

    const token = bearer(req.headers.authorization);
    if (route.auth && this.d.tokens.state(token) !== 'valid') return send({ status: 401 }, body);

    const limiter = route.limiter === 'bars' ? this.d.barsLimiter : this.d.limiter;
    const budget = limiter.take(token ?? `ip:${req.socket.remoteAddress ?? '?'}`);
    if (!budget.ok) return send({ status: 429, headers: { 'Retry-After': String(budget.retryAfterSec) } }, body);

    const ctx = { engine: this.d.engine, tokens: this.d.tokens, credentials: this.d.credentials, token, path, liveData: this.d.liveData };
    const run = (): RestReply => {
      try {
        return route.handler(body, ctx);
      } catch (e) {
        if (e instanceof BadRequest) return validationProblem(e.field, e.problem, path);
        throw e;
      }
    };

    const fault = this.d.faults.decide(path);
    if (fault === '429') return send({ status: 429, headers: { 'Retry-After': '1' } }, body, { fault });
    if (fault === '500') return send({ status: 500 }, body, { fault });
    if (fault === 'timeout') {
      // Hang past any client timeout. With timeoutExecutes the mutation HAS happened: the caller
      // cannot know, which is exactly the ambiguity riskd must reconcile.
      const executed = this.d.faults.timeoutExecutes;
      const result = executed ? run() : null;
      this.d.log.add(entry(0, body, result?.body ?? null, { fault, executed }));
      const t = setTimeout(() => {
        this.hangs.delete(t);
        req.socket.destroy();
      }, this.d.faults.hangMs);
      this.hangs.add(t);
      return;
    }
    send(run(), body);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function drain(req: IncomingMessage): Promise<void> {
  await readBody(req).catch(() => '');
}
