// Sliding-window request budget per caller (token), like the gateway's 200 requests / 60 s.
import type { SimRateLimit } from '../types.ts';

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: SimRateLimit,
    private readonly now: () => number,
  ) {}

  /** Counts the call if it fits; otherwise returns the seconds until a slot frees (Retry-After). */
  take(key: string): { ok: true } | { ok: false; retryAfterSec: number } {
    const t = this.now();
    const from = t - this.limit.windowMs;
    const list = (this.hits.get(key) ?? []).filter((x) => x > from);
    if (list.length >= this.limit.max) {
      this.hits.set(key, list);
      const oldest = list[0] ?? t;
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil((oldest + this.limit.windowMs - t) / 1000)) };
    }
    list.push(t);
    this.hits.set(key, list);
    return { ok: true };
  }
}
