// How the executor reads a failed gateway call. It keys on the fields every GatewayCallError carries
// (src/gateway/errors.ts: `ambiguous`, `errorCode`, `gatewayMessage`, `httpStatus`) rather than on classes, so
// any error shape is handled: anything that is not a clear business refusal counts as "outcome unknown".
// Error codes are per endpoint (projectx-api.md §3.4/§3.5): the same number means different things.

export type Endpoint =
  | 'Position/closeContract'
  | 'Position/partialCloseContract'
  | 'Order/cancel'
  | 'Order/modify'
  | 'Order/place';

export type Refusal =
  /** The thing to act on no longer exists: the goal is already met (closeContract 2, partial 2, cancel 2). */
  | 'already-gone'
  /** The account refuses this mutation by policy: live or follower accounts (cancel 6, partial 9). */
  | 'account-refuses'
  /** partialCloseContract 5: size is not less than the position (the position shrank): close it instead. */
  | 'invalid-size'
  /** Any other business refusal (market closed, rejected, ...): retrying would only be refused again. */
  | 'rejected';

export type CallFailure =
  | { kind: 'unknown'; detail: string; /** from a 429's Retry-After */ retryAfterMs?: number }
  | { kind: 'refused'; refusal: Refusal; errorCode: number; detail: string };

interface ErrorFields {
  name?: unknown;
  message?: unknown;
  ambiguous?: unknown;
  errorCode?: unknown;
  gatewayMessage?: unknown;
  httpStatus?: unknown;
  retryAfterMs?: unknown;
}

const LIVE_REFUSAL = /live accounts? not supported|follower accounts? cannot/i;

export function classifyFailure(endpoint: Endpoint, err: unknown): CallFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorFields;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const gatewayMessage = typeof e.gatewayMessage === 'string' ? e.gatewayMessage : null;
  const httpStatus = typeof e.httpStatus === 'number' ? e.httpStatus : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  // A business refusal is an HTTP-200 envelope with success:false: an error code and not ambiguous.
  // AuthError also carries an errorCode, but a login code: the mutation never ran, so it is not a refusal.
  const isRefusal =
    name !== 'AuthError' &&
    typeof e.errorCode === 'number' &&
    e.ambiguous !== true &&
    (httpStatus === undefined || httpStatus === 200);
  if (!isRefusal) {
    const retryAfterMs = typeof e.retryAfterMs === 'number' ? e.retryAfterMs : undefined;
    return {
      kind: 'unknown',
      detail: `${name}${httpStatus ? ` HTTP ${httpStatus}` : ''}: ${message}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  const code = e.errorCode as number;
  const detail = `${endpoint} errorCode ${code}${gatewayMessage ? ` "${gatewayMessage}"` : ''}`;
  const refused = (refusal: Refusal): CallFailure => ({ kind: 'refused', refusal, errorCode: code, detail });
  if (gatewayMessage && LIVE_REFUSAL.test(gatewayMessage)) return refused('account-refuses');
  switch (endpoint) {
    case 'Position/closeContract':
      return refused(code === 2 ? 'already-gone' : 'rejected');
    case 'Position/partialCloseContract':
      if (code === 2) return refused('already-gone');
      if (code === 5) return refused('invalid-size');
      if (code === 9) return refused('account-refuses');
      return refused('rejected');
    case 'Order/cancel':
      if (code === 2) return refused('already-gone');
      if (code === 6) return refused('account-refuses');
      return refused('rejected');
    case 'Order/modify':
      return refused(code === 2 ? 'already-gone' : 'rejected');
    case 'Order/place':
      return refused('rejected');
  }
}
