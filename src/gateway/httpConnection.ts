// One kept-alive HTTP/1.1 connection of the socket transport (socketTransport.ts): a raw TCP or TLS socket with
// Nagle off that carries one request at a time. The request arrives already serialized and is written with one
// synchronous socket.write; answers are parsed by http-parser-js (status line, headers, content-length or
// chunked bodies, keep-alive). Failures keep the socket's own error (its `code`: ECONNREFUSED, ECONNRESET, ...)
// because http.ts decides from it whether a mutation may have executed.
import net from 'node:net';
import tls from 'node:tls';
import { HTTPParser } from 'http-parser-js';
import type { TransportResponse } from './transport.ts';

export interface Origin {
  secure: boolean;
  /** Without IPv6 brackets. */
  host: string;
  port: number;
  /** Extra trusted certificates (tests with a self-signed server); the system's CAs otherwise. */
  ca?: string | Buffer;
}

/** What the pool hears from a connection. */
export interface ConnectionEvents {
  /** The answer is complete and the server keeps the connection open: it may carry the next request. */
  idle(conn: HttpConnection): void;
  /** The socket closed (server close, error, timeout, retirement); the connection is unusable. */
  gone(conn: HttpConnection): void;
  /** A TLS session ticket, to resume the next connection's handshake. */
  session?(session: Buffer): void;
}

interface InFlight {
  resolve(res: TransportResponse): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
  status: number;
  retryAfter: string | null;
  keepAlive: boolean;
  body: Buffer[];
}

/**
 * The parser waits for a new status line with nothing buffered. http-parser-js keeps its state in plain fields
 * (`state`, `line`) that its .d.ts does not declare; the version is pinned in package.json.
 */
function atMessageStart(parser: InstanceType<typeof HTTPParser>): boolean {
  const p = parser as unknown as { state: string; line: string };
  return p.state === 'RESPONSE_LINE' && p.line === '';
}

export class HttpConnection {
  private readonly socket: net.Socket;
  private readonly parser = new HTTPParser(HTTPParser.RESPONSE);
  private inFlight: InFlight | undefined;
  /** A 1xx answer is being parsed: the real one follows it. */
  private informational = false;
  /** When the socket connected (0 while connecting). */
  connectedAt = 0;

  constructor(origin: Origin, session: Buffer | undefined, private readonly events: ConnectionEvents) {
    const socket = origin.secure
      ? tls.connect({ host: origin.host, port: origin.port, ...(net.isIP(origin.host) ? {} : { servername: origin.host }), ...(origin.ca ? { ca: origin.ca } : {}), ...(session ? { session } : {}) })
      : net.connect({ host: origin.host, port: origin.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once(origin.secure ? 'secureConnect' : 'connect', () => (this.connectedAt = Date.now()));
    if (origin.secure) socket.on('session', (s: Buffer) => events.session?.(s));
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.closed());
    const parser = this.parser;
    parser[HTTPParser.kOnHeadersComplete] = (info) => this.headers(info.statusCode, info.headers, info.shouldKeepAlive);
    parser[HTTPParser.kOnBody] = (chunk) => void this.inFlight?.body.push(chunk);
    parser[HTTPParser.kOnMessageComplete] = () => this.complete();
  }

  /** False once the socket is destroyed or the server ended it ('close' follows a little later). */
  get usable(): boolean {
    const s = this.socket;
    return !s.destroyed && s.writable && !s.readableEnded;
  }

  /**
   * Writes the request now (buffered by node until the socket connects) and resolves with the whole answer.
   * The write comes first: what follows (ref, the timeout's timer, ~50 us when cold) runs after it left.
   */
  send(request: string, timeoutMs: number): Promise<TransportResponse> {
    const socket = this.socket;
    socket.write(request);
    socket.ref(); // a request in flight keeps the process alive
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs);
      this.inFlight = { resolve, reject, timer, status: 0, retryAfter: null, keepAlive: false, body: [] };
    });
  }

  /** Idle connections must not keep the process alive. */
  unref(): void {
    this.socket.unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    if (!this.inFlight) return void this.socket.destroy(); // bytes nobody asked for: the stream can no longer be trusted
    const r = this.parser.execute(chunk);
    if (r instanceof Error) return this.fail(r);
    // Bytes after a complete answer in the same read (a partial line the parser holds): the next request's answer
    // would be read behind them, so the connection goes.
    if (!this.inFlight && !atMessageStart(this.parser)) this.socket.destroy();
  }

  private headers(status: number, headers: string[], keepAlive: boolean): void {
    const f = this.inFlight;
    if (!f) return void this.socket.destroy(); // a second answer to one request
    if (status < 200) return void (this.informational = true);
    f.status = status;
    f.keepAlive = keepAlive;
    for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === 'retry-after') f.retryAfter ??= headers[i + 1]!;
  }

  private complete(): void {
    if (this.informational) return void (this.informational = false);
    const f = this.inFlight;
    if (!f) return;
    this.inFlight = undefined;
    clearTimeout(f.timer);
    f.resolve({ status: f.status, retryAfter: f.retryAfter, text: f.body.length === 1 ? f.body[0]!.toString('utf8') : Buffer.concat(f.body).toString('utf8') });
    if (f.keepAlive) this.events.idle(this);
    else this.socket.destroy(); // Connection: close, or HTTP/1.0
  }

  /** The request fails with `err` (its code kept) and the socket goes: its stream position is lost. */
  private fail(err: Error): void {
    const f = this.inFlight;
    this.socket.destroy();
    if (!f) return;
    this.inFlight = undefined;
    clearTimeout(f.timer);
    f.reject(err);
  }

  private closed(): void {
    if (this.inFlight) this.parser.finish(); // an answer without a length ends with the connection
    if (this.inFlight) this.fail(Object.assign(new Error('socket hang up: the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
    this.events.gone(this);
  }
}
