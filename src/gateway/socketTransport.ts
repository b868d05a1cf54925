// The default REST transport: HTTP/1.1 over kept-alive raw sockets (node:net, node:tls for https) with Nagle
// off. A request is serialized into one string and written with one socket.write inside the call, synchronously:
// no Agent, no ClientRequest, no next tick.
//
// Why: side by side at the simulator (hub frame -> request received, p50), a signalr client writing a pre-built
// request on a raw socket took 0.27-0.31 ms, the same client with node:http on a kept-alive Agent 0.91-1.05 ms,
// with undici 7's Client.request 0.95-0.98 ms. A cold node:http request (one every 400 ms) spent 0.37-0.40 ms
// between http.request() and its socket write, over dozens of cold functions (ClientRequest, agent.addRequest,
// _storeHeader, header checks, the next-tick socket assignment), and the write waited for the next tick, behind
// the rest of the hub event's synchronous processing. Here, cold, the call takes ~0.17 ms up to the moment
// socket.write returns, ~0.11 ms of it the write itself (a string: Buffer.from + write was no faster). riskd's p50
// at the simulator (bench/latency-process.ts, bench/RESULTS.md "A synchronous write") went from 2.3-4.4 ms
// (1.3-2.6x the naive signalr + fetch peer) to 1.9-2.4 ms (1.2-1.55x); paired runs: -0.26 to -0.29 ms.
//
// Answers are parsed by http-parser-js (httpConnection.ts); connections are pooled per origin (originPool.ts).
import type { Transport, TransportRequest } from './transport.ts';
import type { Origin } from './httpConnection.ts';
import { OriginPool } from './originPool.ts';

export interface SocketTransportOptions {
  /** An idle connection is retired (and, if it was the origin's last, replaced) after this long; default 4 s. */
  idleMs?: number;
  /** Extra trusted CA certificates, for a test server's self-signed certificate; the system's CAs otherwise. */
  ca?: string | Buffer;
}

/** A Transport that holds sockets: close() destroys the idle ones and stops keeping a warm one. */
export type SocketTransport = Transport & { close(): void };

const DEFAULT_IDLE_MS = 4_000;

export function socketTransport(opts: SocketTransportOptions = {}): SocketTransport {
  const pools = new Map<string, OriginPool>();
  let closed = false;
  const poolOf = (url: URL): OriginPool => {
    const key = url.protocol + url.host;
    let pool = pools.get(key);
    if (!pool) {
      pools.set(key, (pool = new OriginPool(originOf(url, opts.ca), opts.idleMs ?? DEFAULT_IDLE_MS)));
      if (closed) pool.close();
    }
    return pool;
  };
  const send: Transport = (req) => {
    let request: string, pool: OriginPool;
    try {
      request = serialize(req);
      pool = poolOf(req.url);
    } catch (err) {
      return Promise.reject(err); // a transport answers with a promise, never a throw
    }
    return pool.send(request, req.timeoutMs);
  };
  const close = () => {
    closed = true;
    for (const pool of pools.values()) pool.close();
  };
  return Object.assign(send, { close });
}

let shared: SocketTransport | undefined;

/** The process-wide transport of clients built without one (tests, tools); the daemon's gateway stack owns its own. */
export function defaultTransport(): Transport {
  return (shared ??= socketTransport());
}

function originOf(url: URL, ca: string | Buffer | undefined): Origin {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') throw new Error(`unsupported protocol ${url.protocol} in ${url.host}: http or https only`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { secure, host, port: url.port ? Number(url.port) : secure ? 443 : 80, ...(ca ? { ca } : {}) };
}

/** RFC 9110 token: what a header name may hold. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** CR, LF and other controls (node:http's own check): a value holding them could inject headers. */
const NOT_IN_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** The request line, Host, the caller's headers, Content-Length and the body, as one string. */
function serialize(req: TransportRequest): string {
  const url = req.url;
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  const headers = req.headers;
  for (const name in headers) {
    const value = headers[name]!;
    // Neither message quotes what was refused: a header value (or a name mixed up with one) can be the token.
    if (!TOKEN.test(name)) throw Object.assign(new Error('an HTTP header name holds a character HTTP does not allow'), { code: 'ERR_INVALID_HTTP_TOKEN' });
    if (NOT_IN_VALUE.test(value)) throw Object.assign(new Error(`HTTP header ${name} holds CR, LF or another character HTTP does not allow`), { code: 'ERR_INVALID_CHAR' });
    head += `${name}: ${value}\r\n`;
  }
  const body = req.body ?? '';
  return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
