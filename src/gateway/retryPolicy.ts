// SignalR automatic-reconnect delays: 0, 2, 10, 30, 60 s, then 60 s forever (or until maxAttempts, after which
// the library gives up, fires onclose, and the hub restarts the connection itself).
import type { IRetryPolicy, RetryContext } from '@microsoft/signalr';

export const DEFAULT_RECONNECT_DELAYS_MS: readonly number[] = [0, 2_000, 10_000, 30_000, 60_000];

export function delayFor(delays: readonly number[], attempt: number): number {
  if (delays.length === 0) return 0;
  return delays[Math.min(attempt, delays.length - 1)] as number;
}

export function reconnectPolicy(delays: readonly number[] = DEFAULT_RECONNECT_DELAYS_MS, maxAttempts = Infinity): IRetryPolicy {
  return {
    nextRetryDelayInMilliseconds(ctx: RetryContext): number | null {
      if (ctx.previousRetryCount >= maxAttempts) return null;
      return delayFor(delays, ctx.previousRetryCount);
    },
  };
}
