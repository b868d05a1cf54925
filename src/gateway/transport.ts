// What a REST transport is: one POST out, its status, Retry-After and body back. The default one is
// socketTransport.ts (HTTP/1.1 over kept-alive raw sockets, the request written in one synchronous write; at the
// simulator riskd's p50 went from 2.3-4.4 ms on node:http to 1.9-2.4 ms, bench/RESULTS.md "A synchronous write").
// An injected fetch (tests, fakes) works through fetchTransport. Global fetch is not the default: it wraps the body
// in a web stream and writes it several turns later (bench/RESULTS.md, "Close to the floor").

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
