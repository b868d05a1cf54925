// One JSON POST to the gateway: waits for a rate-budget slot, sends with a hard timeout, and decodes the body.
// Status-code policy (401/429/5xx) belongs to the callers; this file only reports what happened. The token
// travels in the Authorization header only, never in a URL, a log line or an error message.
import type { Priority, RateBudget } from './rateBudget.ts';
import { GatewayHttpError, GatewayTimeoutError } from './errors.ts';

export interface HttpDeps {
  baseUrl: string;
  fetch: typeof fetch;
  budget: RateBudget;
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

export async function postJson(deps: HttpDeps, path: string, body: unknown, opts: PostOptions): Promise<RawResponse> {
  await deps.budget.acquire(opts.priority);
  opts.onBudgetGranted?.();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  let text: string;
  try {
    res = await deps.fetch(new URL(path, deps.baseUrl), {
      method: 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw transportError(path, err, opts, deps.baseUrl);
  }
  return { status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), body: decode(text) };
}

function decode(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A failure before any response; the message names the host (never the token), so a typo in api_url shows. */
function transportError(path: string, err: unknown, opts: PostOptions, baseUrl: string): Error {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new GatewayTimeoutError(path, opts.timeoutMs, opts.mutation);
  // Connection refused means the request never left this machine: not ambiguous even for a mutation.
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code;
  const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  const why = code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  let host = baseUrl;
  try {
    host = new URL(baseUrl).host;
  } catch {
    // keep the configured text
  }
  const detail = `${why} reaching ${host}`;
  return new GatewayHttpError(path, undefined, detail, opts.mutation && !refused, { cause: err });
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const secs = Number(header.trim());
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
