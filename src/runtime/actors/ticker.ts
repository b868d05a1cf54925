// Wall-clock ticker (xstate-notes §1.5 D): setTimeout runs on a monotonic clock, so sleeps, NTP steps and
// missed calendar boundaries are caught by sending `clock.tick { now }` every few seconds.
export interface Ticker {
  stop(): void;
}

export const DEFAULT_TICK_MS = 5_000;

export function startTicker(tick: (now: number) => void, opts: { intervalMs?: number; now?: () => number } = {}): Ticker {
  const now = opts.now ?? (() => Date.now());
  const timer = setInterval(() => tick(now()), opts.intervalMs ?? DEFAULT_TICK_MS);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
