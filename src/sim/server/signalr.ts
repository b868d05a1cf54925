// The ASP.NET Core SignalR JSON hub protocol over WebSocket, server side:
//  - POST {hub}/negotiate?negotiateVersion=1 -> connectionId/connectionToken, WebSockets only;
//  - WebSocket upgrade at {hub} (with ?id=<connectionToken> after negotiate, or directly = skipNegotiation);
//  - auth: `Authorization: Bearer` on the upgrade or `access_token` query; otherwise HTTP 401;
//  - handshake {"protocol":"json","version":1}\x1e -> {}\x1e; records end with \x1e, several per frame;
//  - invocations -> completions (error for unknown methods / bad arguments); server events; pings both ways.
// Subscriptions live on the connection: a dropped connection forgets them (no replay, like the real one).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearer, type TokenIssuer } from '../auth.ts';
import type { HubFaultInjector, HubFaultState } from '../faults.ts';
import type { HubName, SimHubFrame } from '../types.ts';

const RS = '\x1e';

/** A hub method failed: the completion carries this message as `error`. */
export class HubError extends Error {}

export type HubMethod = (conn: HubConnection, args: unknown[]) => void;

export interface HubServerDeps {
  name: HubName;
  tokens: TokenIssuer;
  keepAliveMs: number;
  clientTimeoutMs: number;
  faults: HubFaultInjector;
  /** performance.now() until which every hub sends nothing (stallHubs). */
  stalledUntil: () => number;
  onFrame: (f: SimHubFrame) => void;
  methods: Record<string, HubMethod>;
  /** Close a connection (SignalR close with an error) once the token it connected with expires. */
  closeOnTokenExpiry: boolean;
}

const id = (): string => randomBytes(16).toString('base64url');

export class HubConnection {
  readonly subs = new Set<string>();
  handshaken = false;
  lastReceived = performance.now();
  readonly faultState: HubFaultState = { held: null, heldTimer: null };
  private readonly stallQueue: { text: string; kind: SimHubFrame['kind']; target?: string }[] = [];
  private stallTimer: NodeJS.Timeout | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    private readonly hub: HubServer,
    private readonly token: string | null,
  ) {
    this.timer = setInterval(() => this.tick(), Math.min(hub.deps.keepAliveMs, 1000));
    this.timer.unref();
    this.lastPing = performance.now();
  }

  private lastPing: number;

  /** Writes one record (JSON text without the separator); honours stalls. */
  write(text: string, kind: SimHubFrame['kind'], target?: string): void {
    const until = this.hub.deps.stalledUntil();
    if (performance.now() < until) {
      if (kind === 'ping') return; // a stalled server sends nothing, not even pings
      this.stallQueue.push(target !== undefined ? { text, kind, target } : { text, kind });
      if (!this.stallTimer) {
        this.stallTimer = setTimeout(() => this.flushStall(), Math.max(1, until - performance.now()));
        this.stallTimer.unref();
      }
      return;
    }
    if (this.stallQueue.length > 0) this.flushStall(); // frames held by a stall go first, in order
    this.raw(text, kind, target);
  }

  /** Sends a server event through the hub fault injector. */
  event(target: string, args: unknown[]): void {
    const text = JSON.stringify({ type: 1, target, arguments: args });
    this.hub.deps.faults.route(this.faultState, text, (texts) => {
      for (const t of texts) this.write(t, 'event', target);
    });
  }

  private flushStall(): void {
    const until = this.hub.deps.stalledUntil();
    if (performance.now() < until) {
      this.stallTimer = setTimeout(() => this.flushStall(), Math.max(1, until - performance.now()));
      this.stallTimer.unref();
      return;
    }
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    const q = this.stallQueue.splice(0);
    for (const f of q) this.raw(f.text, f.kind, f.target);
  }

  private raw(text: string, kind: SimHubFrame['kind'], target?: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text + RS);
    const f: SimHubFrame = { hub: this.hub.deps.name, connectionId: this.id, at: performance.now(), wallAt: Date.now(), kind, text };
    if (target !== undefined) f.target = target;
    this.hub.deps.onFrame(f);
  }

  private tick(): void {
    const now = performance.now();
    if (now - this.lastReceived > this.hub.deps.clientTimeoutMs) {
      // The client went silent (no pings): close like ASP.NET's client timeout does.
      this.raw(JSON.stringify({ type: 7, error: 'Connection closed with an error. Client timeout elapsed.', allowReconnect: true }), 'close');
      this.ws.close();
      return;
    }
    if (this.hub.deps.closeOnTokenExpiry && this.hub.deps.tokens.state(this.token) !== 'valid') {
      this.raw(JSON.stringify({ type: 7, error: 'Connection closed with an error. The access token expired.' }), 'close');
      this.ws.close();
      return;
    }
    if (this.handshaken && now - this.lastPing >= this.hub.deps.keepAliveMs) {
      this.lastPing = now;
      this.write('{"type":6}', 'ping');
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    if (this.faultState.heldTimer) clearTimeout(this.faultState.heldTimer);
  }
}

export class HubServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  /** connectionToken -> connectionId, from negotiate until the WebSocket arrives. */
  private readonly negotiated = new Map<string, { connectionId: string; expiresAt: number }>();
  readonly connections = new Set<HubConnection>();

  constructor(readonly deps: HubServerDeps) {}

  private tokenFrom(req: IncomingMessage, url: URL): string | null {
    return bearer(req.headers.authorization) ?? url.searchParams.get('access_token');
  }

  negotiate(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (this.deps.tokens.state(this.tokenFrom(req, url)) !== 'valid') {
      res.writeHead(401, { 'Content-Length': '0' }).end();
      return;
    }
    const version = Number(url.searchParams.get('negotiateVersion') ?? '0');
    const connectionId = id();
    const connectionToken = version >= 1 ? id() : connectionId;
    this.negotiated.set(connectionToken, { connectionId, expiresAt: performance.now() + 60_000 });
    const body: Record<string, unknown> = {
      negotiateVersion: version >= 1 ? 1 : 0,
      connectionId,
      availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
    };
    if (version >= 1) body.connectionToken = connectionToken;
    const text = JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const reject = (status: number, reason: string): void => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    const bearerToken = this.tokenFrom(req, url);
    if (this.deps.tokens.state(bearerToken) !== 'valid') return reject(401, 'Unauthorized');
    let connectionId: string;
    const token = url.searchParams.get('id');
    if (token !== null) {
      const n = this.negotiated.get(token);
      this.negotiated.delete(token);
      if (!n || n.expiresAt < performance.now()) return reject(404, 'Not Found'); // "No Connection with that ID"
      connectionId = n.connectionId;
    } else {
      connectionId = id(); // skipNegotiation
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(connectionId, ws, bearerToken));
  }

  private accept(connectionId: string, ws: WebSocket, token: string | null): void {
    const conn = new HubConnection(connectionId, ws, this, token);
    this.connections.add(conn);
    ws.on('message', (data, isBinary) => {
      conn.lastReceived = performance.now();
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data);
      this.receive(conn, text);
    });
    ws.on('close', () => {
      conn.dispose();
      this.connections.delete(conn);
    });
    ws.on('error', () => ws.terminate());
  }

  private receive(conn: HubConnection, text: string): void {
    for (const record of text.split(RS)) {
      if (record.trim() === '') continue;
      let msg: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(record);
        if (!parsed || typeof parsed !== 'object') throw new Error('record is not a JSON object');
        msg = parsed as Record<string, unknown>;
      } catch (e) {
        conn.write(JSON.stringify({ type: 7, error: `Connection closed with an error. InvalidDataException: ${(e as Error).message}` }), 'close');
        conn.ws.close();
        return;
      }
      if (!conn.handshaken) {
        if (msg.protocol !== 'json') {
          conn.write(JSON.stringify({ error: `The protocol '${String(msg.protocol)}' is not supported.` }), 'handshake');
          conn.ws.close();
          return;
        }
        conn.handshaken = true;
        conn.write('{}', 'handshake');
        continue;
      }
      this.dispatch(conn, msg);
    }
  }

  private dispatch(conn: HubConnection, msg: Record<string, unknown>): void {
    const invocationId = typeof msg.invocationId === 'string' ? msg.invocationId : undefined;
    const complete = (error?: string): void => {
      if (invocationId === undefined) return;
      conn.write(JSON.stringify(error === undefined ? { type: 3, invocationId, result: null } : { type: 3, invocationId, error }), 'completion');
    };
    switch (msg.type) {
      case 1: {
        const target = String(msg.target);
        const method = this.deps.methods[target];
        if (!method) return complete(`Failed to invoke '${target}' due to an error on the server. HubException: Method does not exist.`);
        try {
          method(conn, Array.isArray(msg.arguments) ? msg.arguments : []);
          complete();
        } catch (e) {
          complete(`Failed to invoke '${target}' due to an error on the server. ${(e as Error).message}`);
        }
        return;
      }
      case 4:
        return complete('Streaming is not supported by this hub.');
      case 6:
        return; // client keep-alive
      case 7:
        conn.ws.close();
        return;
      default:
        return;
    }
  }

  /** Sends an event to every connection whose subscriptions include `sub` (or to all when sub is null). */
  broadcast(sub: string | null, target: string, args: unknown[]): void {
    for (const c of this.connections) {
      if (c.handshaken && (sub === null || c.subs.has(sub))) c.event(target, args);
    }
  }

  /** Writes raw text (malformed payload injection) to every handshaken connection, bypassing faults. */
  rawText(text: string): void {
    for (const c of this.connections) if (c.handshaken) c.write(text, 'raw');
  }

  /** Graceful server close: a type 7 Close record (with error text), then the WebSocket close. */
  closeAll(error: string | null, allowReconnect: boolean): void {
    const msg: Record<string, unknown> = { type: 7 };
    if (error !== null) msg.error = error;
    if (allowReconnect) msg.allowReconnect = true;
    for (const c of this.connections) {
      c.write(JSON.stringify(msg), 'close');
      c.ws.close();
    }
  }

  /** Abrupt drop: TCP torn down without a SignalR close message. */
  dropAll(): void {
    for (const c of this.connections) c.ws.terminate();
  }

  close(): void {
    this.dropAll();
    this.wss.close();
  }
}

/** Argument checking that answers like ASP.NET's binder does. */
export function expectArgs(args: unknown[], kinds: ('number' | 'string')[]): void {
  if (args.length !== kinds.length) {
    throw new HubError(`InvalidDataException: Invocation provides ${args.length} argument(s) but target expects ${kinds.length}.`);
  }
  kinds.forEach((k, i) => {
    const a = args[i];
    const good = k === 'number' ? typeof a === 'number' && Number.isInteger(a) : typeof a === 'string';
    if (!good) {
      throw new HubError('InvalidDataException: Error binding arguments. Make sure that the types of the provided values match the types of the hub method being invoked.');
    }
  });
}
