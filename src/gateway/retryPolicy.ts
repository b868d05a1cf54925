// SignalR automatic-reconnect delays: 0, 2, 10, 30, 60 s, then 60 s forever (or until maxAttempts, after which
// the library gives up, fires onclose, and the hub restarts the connection itself).
import type { IRetryPolicy, RetryContext } from '@microsoft/signalr';

export const DEFAULT_RECONNECT_DELAYS_MS: readonly number[] = [0, 2_000, 10_000, 30_000, 60_000];

export function delayFor(delays: readonly number[], attempt: number): number {
  if (delays.length === 0) return 0;
  return delays[Math.min(attempt, delays.length - 1)] as number;
}

export function reconnectPolicy(
  delays: readonly number[] = DEFAULT_RECONNECT_DELAYS_MS,
  maxAttempts = Infinity,
  /** Sees why each attempt failed (e.g. to log in again after a 401 on the WebSocket upgrade). */
  onRetry?: (reason: Error) => void,
): IRetryPolicy {
  return {
    nextRetryDelayInMilliseconds(ctx: RetryContext): number | null {
      if (ctx.previousRetryCount > 0) onRetry?.(ctx.retryReason);
      if (ctx.previousRetryCount >= maxAttempts) return null;
      return delayFor(delays, ctx.previousRetryCount);
    },
  };
}

/**
 * The (re)connect may have failed because the server refused our token. With skipNegotiation the Node client
 * hides the upgrade's HTTP 401 behind a generic "WebSocket failed to connect ..." error, so that message counts
 * too: a fresh login is one cheap request, while a revoked token would otherwise fail every attempt forever.
 */
export function mayBeUnauthorized(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /\b401\b|unauthori[sz]ed|WebSocket failed to connect/i.test(msg);
}
