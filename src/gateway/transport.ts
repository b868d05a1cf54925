// How a REST request travels. The default is node:http on kept-alive Agents with Nagle off: on a warm socket
// the request is written on the next tick, ahead of every microtask and timer. Measured against the two
// alternatives (bench/latency-process.ts, bench/RESULTS.md "Close to the floor"): global fetch wraps the body
// in a web stream and writes it several turns later; undici's request() waits for the check phase on a reused
// idle socket (its idle-socket validation), i.e. behind whatever I/O the loop polls first.
// An injected fetch (tests, fakes) still works through fetchTransport.
import http from 'node:http';
import https from 'node:https';

export interface TransportRequest {
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
  /** The answer (headers and body) must arrive within this long. */
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  retryAfter: string | null;
  text: string;
}

export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

let shared: Transport | undefined;

/** The process-wide transport: one Agent per scheme, so auth, reads and enforcement share warm connections. */
export function defaultTransport(): Transport {
  return (shared ??= nodeHttpTransport());
}

/**
 * Sockets stay open between requests; TCP_NODELAY: a request is one write. An idle socket is dropped after 4 s
 * (undici's default too), before a server's own idle close (Node's http server: 5 s) can race a request written
 * onto it: a reset there would make a mutation ambiguous.
 */
const AGENT_OPTIONS = { keepAlive: true, noDelay: true, timeout: 4_000 } as const;

export interface Agents {
  'http:': http.Agent;
  'https:': https.Agent;
}

export function keptAliveAgents(): Agents {
  return { 'http:': new http.Agent(AGENT_OPTIONS), 'https:': new https.Agent(AGENT_OPTIONS) };
}

export function nodeHttpTransport(agents: Agents = keptAliveAgents()): Transport {
  return (req) =>
    new Promise((resolve, reject) => {
      const secure = req.url.protocol === 'https:';
      const headers = { ...req.headers, 'content-length': String(req.body === undefined ? 0 : Buffer.byteLength(req.body)) };
      const r = (secure ? https : http).request(req.url, { method: 'POST', headers, agent: agents[secure ? 'https:' : 'http:'] });
      const timer = setTimeout(() => r.destroy(Object.assign(new Error(`no answer within ${req.timeoutMs} ms`), { name: 'TimeoutError' })), req.timeoutMs);
      r.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      r.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, retryAfter: header(res.headers['retry-after']), text });
        });
      });
      r.end(req.body);
    });
}

function header(v: string | string[] | undefined): string | null {
  return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
}

export function fetchTransport(fetchImpl: typeof fetch): Transport {
  return async (req) => {
    const res = await fetchImpl(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
  };
}
