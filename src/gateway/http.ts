// One JSON POST to the gateway: takes a rate-budget slot, sends with a hard timeout, and decodes the body.
// Status-code policy (401/429/5xx) belongs to the callers; this file only reports what happened. The token
// travels in the Authorization header only, never in a URL, a log line or an error message.
//
// Latency: when a slot is free the request is handed to the transport in the caller's own turn (no await before
// it), and the default transport (socketTransport.ts) writes it to a kept-alive socket inside that call. An
// enforcement decided while a store transaction is open leaves as soon as that transaction ends (`gate`), before
// the next hub frame. The URL of each path is resolved once (cold URL parsing costs microseconds per request).
import type { Priority, RateBudget } from './rateBudget.ts';
import { GatewayHttpError, GatewayTimeoutError } from './errors.ts';
import { fetchTransport, type Transport } from './transport.ts';
import { defaultTransport } from './socketTransport.ts';

/** Decides when a ready request may leave: the daemon holds requests made inside a store transaction until it ends. */
export type SendGate = (send: () => void) => void;

export interface HttpDeps {
  baseUrl: string;
  /** How requests travel; default: HTTP/1.1 on kept-alive raw sockets with Nagle off (socketTransport.ts). */
  transport: Transport;
  budget: RateBudget;
  gate?: SendGate;
}

/** The transport given, else one for `fetch` when one is injected (tests, fakes), else the process-wide default. */
export function transportFor(o: { transport?: Transport | undefined; fetch?: typeof fetch | undefined }): Transport {
  return o.transport ?? (o.fetch ? fetchTransport(o.fetch) : defaultTransport());
}

export interface PostOptions {
  token?: string;
  timeoutMs: number;
  priority: Priority;
  /** Mutations mark timeouts/transport failures ambiguous: the request may have executed. */
  mutation: boolean;
  onBudgetGranted?: () => void;
}

export interface RawResponse {
  status: number;
  retryAfterMs?: number;
  /** Decoded JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

export function postJson(deps: HttpDeps, path: string, body: unknown, opts: PostOptions): Promise<RawResponse> {
  if (deps.budget.tryAcquire(opts.priority)) return send(deps, path, body, opts);
  return deps.budget.acquire(opts.priority).then(() => send(deps, path, body, opts));
}

function send(deps: HttpDeps, path: string, body: unknown, opts: PostOptions): Promise<RawResponse> {
  opts.onBudgetGranted?.();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const req = { url: urlOf(deps.baseUrl, path), headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: opts.timeoutMs };
  const go = () => deps.transport(req);
  const sent = deps.gate ? new Promise<Awaited<ReturnType<Transport>>>((resolve, reject) => deps.gate!(() => go().then(resolve, reject))) : go();
  return sent.then(
    (res) => ({ status: res.status, retryAfterMs: parseRetryAfter(res.retryAfter), body: decode(res.text) }),
    (err: unknown) => {
      throw transportError(path, err, opts, deps.baseUrl);
    },
  );
}

/** Resolved URLs by base URL and path: both come from config and code, a handful per process. */
const urls = new Map<string, Map<string, URL>>();

function urlOf(baseUrl: string, path: string): URL {
  let byPath = urls.get(baseUrl);
  if (!byPath) urls.set(baseUrl, (byPath = new Map()));
  let url = byPath.get(path);
  if (!url) byPath.set(path, (url = new URL(path, baseUrl)));
  return url;
}

function decode(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const TIMEOUT_ERRORS = new Set(['TimeoutError', 'AbortError', 'HeadersTimeoutError', 'BodyTimeoutError']);
/** The request never left this machine: not ambiguous even for a mutation (the last two: a header refused). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN']);

/** A failure before any response; the message names the host (never the token), so a typo in api_url shows. */
function transportError(path: string, err: unknown, opts: PostOptions, baseUrl: string | URL): Error {
  const e = err as { name?: string; code?: string; cause?: { code?: string } } | null;
  const code = e?.code ?? e?.cause?.code;
  if (TIMEOUT_ERRORS.has(e?.name ?? '') && code !== 'UND_ERR_CONNECT_TIMEOUT') return new GatewayTimeoutError(path, opts.timeoutMs, opts.mutation);
  const detail = `${code ?? (err instanceof Error ? err.message : String(err))} reaching ${hostOf(baseUrl)}`;
  return new GatewayHttpError(path, undefined, detail, opts.mutation && !NOT_SENT_CODES.has(code ?? ''), { cause: err });
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const secs = Number(header.trim());
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function hostOf(baseUrl: string | URL): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return String(baseUrl);
  }
}
