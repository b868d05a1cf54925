// Exponential reconnect back-off, capped. Pure: the delay depends only on the attempt number.

export const DEFAULT_BACKOFF_BASE_MS = 1_000;
export const DEFAULT_BACKOFF_CAP_MS = 60_000;

/** attempt 1 -> base, 2 -> 2*base, 3 -> 4*base ... never above cap. */
export function backoffDelayMs(attempt: number, baseMs = DEFAULT_BACKOFF_BASE_MS, capMs = DEFAULT_BACKOFF_CAP_MS): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(capMs, baseMs * 2 ** Math.min(n - 1, 30));
}
