// The local control server: HTTP (status JSON, the trader dashboard at /, routes others register) and a
// WebSocket at /ws (status pushes, enforcement and lock events, commands). Bound to 127.0.0.1 only, and every
// request from a non-loopback address, for a foreign Host (DNS rebinding) or from a foreign web page (Origin)
// is refused: a page on the internet must not be able to drive or even read riskd through the trader's browser.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import type { Logger } from '../log/logger.ts';
import type { Daemon } from '../runtime/daemon.ts';
import type { LoadedConfig } from '../config/types.ts';
import { AdminAuth } from './adminAuth.ts';
import { handleCommand, type CommandContext } from './commands.ts';
import { statusSnapshot } from './statusSnapshot.ts';
import { dashboardRoutes } from './dashboard/routes.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface ControlServerOptions {
  daemon: Daemon;
  logger: Logger;
  /** accounts.yaml control.port; 0 picks a free port (tests). */
  port: number;
  loadConfig: () => LoadedConfig;
  /** How often status is pushed to WebSocket clients (ms). Default 1000. */
  statusIntervalMs?: number;
  now?: () => number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const MAX_MESSAGE_BYTES = 64 * 1024;

export function isLoopbackAddress(addr: string | undefined): boolean {
  return addr !== undefined && LOOPBACK.has(addr);
}

export class ControlServer {
  readonly auth: AdminAuth;
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly routes = new Map<string, RouteHandler>();
  private readonly prefixRoutes: { method: string; prefix: string; handler: RouteHandler }[] = [];
  private readonly ctx: CommandContext;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pushSoon: ReturnType<typeof setTimeout> | undefined;
  private offDaemon: (() => void) | undefined;
  private offEmitted: (() => void) | undefined;
  private boundPort = 0;

  constructor(private readonly opts: ControlServerOptions) {
    this.auth = new AdminAuth(opts.daemon.store.meta, opts.now ? { now: opts.now } : {});
    this.ctx = { daemon: opts.daemon, auth: this.auth, logger: opts.logger, loadConfig: opts.loadConfig, ...(opts.now ? { now: opts.now } : {}) };
    this.http = http.createServer((req, res) => void this.onRequest(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    this.http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const why = this.refusal(req);
      if (why || url.pathname !== '/ws') {
        socket.write(`HTTP/1.1 ${why ? '403 Forbidden' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onClient(ws));
    });
    this.registerRoute('GET', '/api/status', (_req, res) => sendJson(res, 200, statusSnapshot(this.opts.daemon)));
    for (const [method, path, handler] of dashboardRoutes(opts.daemon)) this.registerRoute(method, path, handler);
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  /**
   * Adds an HTTP route (read-only pages and assets: the inspector, the dashboard). A path ending in "/*"
   * matches everything below it. Requests reach handlers only after the loopback checks.
   */
  registerRoute(method: string, path: string, handler: RouteHandler): void {
    if (path.endsWith('/*')) this.prefixRoutes.push({ method: method.toUpperCase(), prefix: path.slice(0, -1), handler });
    else this.routes.set(`${method.toUpperCase()} ${path}`, handler);
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, '127.0.0.1', () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.http.address() as AddressInfo).port;
    this.offDaemon = this.opts.daemon.addListener({
      onEnforcement: (row) => {
        this.broadcast({ type: 'enforcement', data: row });
        this.schedulePush();
      },
      onLock: (change) => {
        this.broadcast({ type: 'lock', data: change });
        this.schedulePush();
      },
      onHubStatus: () => this.schedulePush(),
    });
    // A delayed admin unlock changes no lock until it takes effect, but the snapshot shows it as pending at once.
    this.offEmitted = this.opts.daemon.supervisor.onEmitted((e) => {
      if (e.type === 'unlock.requested' && e.outcome === 'scheduled') this.schedulePush();
    });
    this.timer = setInterval(() => this.pushStatus(), this.opts.statusIntervalMs ?? 1000);
    this.timer.unref();
    this.opts.daemon.store.meta.set('control.port', String(this.boundPort));
    this.opts.logger.info('control server listening', { url: `http://127.0.0.1:${this.boundPort}/` });
    return this.boundPort;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.pushSoon) clearTimeout(this.pushSoon);
    this.offDaemon?.();
    this.offEmitted?.();
    for (const ws of this.wss.clients) ws.close(1001, 'riskd stopping');
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Why a request must be refused (null: allowed). */
  private refusal(req: IncomingMessage): string | null {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return `remote address ${req.socket.remoteAddress ?? '?'} is not loopback`;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host && !['127.0.0.1', 'localhost', '[::1]'].includes(host.toLowerCase())) return `Host ${host} is not loopback`;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let o: URL;
      try {
        o = new URL(origin);
      } catch {
        return 'unparseable Origin';
      }
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(o.hostname) || o.port !== String(this.boundPort)) return `Origin ${origin} is not this server`;
    }
    return null;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const why = this.refusal(req);
    if (why) {
      this.opts.logger.warn('control request refused', { why });
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: riskd control is loopback-only\n');
      if (!isLoopbackAddress(req.socket.remoteAddress)) req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.boundPort}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const handler =
      this.routes.get(`${method} ${url.pathname}`) ??
      this.prefixRoutes.find((r) => r.method === method && url.pathname.startsWith(r.prefix))?.handler;
    if (!handler) {
      sendJson(res, 404, { error: `no route ${method} ${url.pathname}` });
      return;
    }
    try {
      await handler(req, res, url);
    } catch (err) {
      this.opts.logger.error('control route failed', { path: url.pathname, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    }
  }

  private onClient(ws: WebSocket): void {
    send(ws, { type: 'status', data: statusSnapshot(this.opts.daemon) });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send(ws, { id: null, ok: false, code: 'bad_message', error: 'commands are JSON text frames' });
        return;
      }
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        send(ws, { id: null, ok: false, code: 'bad_message', error: 'not JSON: send {id, cmd, args, token?}' });
        return;
      }
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
        send(ws, { id: null, ok: false, code: 'bad_message', error: 'expected an object {id, cmd, args, token?}' });
        return;
      }
      void handleCommand(msg, this.ctx).then(
        (reply) => send(ws, reply),
        (err) => send(ws, { id: (msg as { id?: unknown }).id ?? null, ok: false, code: 'internal', error: String(err) }),
      );
    });
    ws.on('error', () => ws.terminate());
  }

  private schedulePush(): void {
    if (this.pushSoon) return;
    this.pushSoon = setTimeout(() => {
      this.pushSoon = undefined;
      this.pushStatus();
    }, 50);
  }

  private pushStatus(): void {
    if (this.wss.clients.size === 0) return;
    const phase = this.opts.daemon.phase;
    if (phase === 'stopping' || phase === 'stopped') return; // the store may be closed
    try {
      this.broadcast({ type: 'status', data: statusSnapshot(this.opts.daemon) });
    } catch (err) {
      this.opts.logger.warn('status push failed', { error: String(err) });
    }
  }

  private broadcast(msg: unknown): void {
    const text = JSON.stringify(msg);
    for (const ws of this.wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }
}

function send(ws: WebSocket, msg: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
