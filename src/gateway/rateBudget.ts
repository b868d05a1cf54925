// One sliding-window request budget shared by every REST call (200 requests / 60 s on ProjectX). Callers wait
// for a slot in priority order: enforcement first, then reconciliation, then periodic polls. A few slots are
// held back for enforcement so a reconcile storm can never starve a flatten.

export type Priority = 'enforce' | 'reconcile' | 'poll';
const PRIORITY_ORDER: readonly Priority[] = ['enforce', 'reconcile', 'poll'];

export interface RateBudgetOptions {
  limit?: number; // requests per window (200)
  windowMs?: number; // 60_000
  /** Slots only 'enforce' may use (default 10). */
  enforceReserve?: number;
  /**
   * A grant leaves the window this much later than windowMs (default 0). The gateway counts a request when it
   * arrives, a little after the grant; a request that arrives faster than the one whose slot it reuses would
   * still find that one in the gateway's window and be answered 429.
   */
  expiryMarginMs?: number;
  now?: () => number;
}

export interface RateBudgetStats {
  limit: number;
  windowMs: number;
  inWindow: number;
  queued: Record<Priority, number>;
  granted: Record<Priority, number>;
  rateLimitedResponses: number;
  /** Epoch ms until which reads are held after a 429, or null. */
  backoffUntil: number | null;
  maxWaitMs: number;
  /**
   * "Rate limited": an enforcement call is waiting for a slot or had to within the last RATE_LIMITED_HOLD_MS, or
   * the gateway answered 429 and reads are held back. Status pages and the dashboard show it.
   */
  rateLimited: boolean;
}

/** How long "rate limited" stays on after an enforcement call last had to wait: long enough for a status poll. */
export const RATE_LIMITED_HOLD_MS = 5_000;

interface Waiter {
  priority: Priority;
  enqueuedAt: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class RateBudgetClosedError extends Error {
  constructor() {
    super('rate budget closed');
    this.name = 'RateBudgetClosedError';
  }
}

export class RateBudget {
  readonly limit: number;
  readonly windowMs: number;
  private readonly reserve: number;
  private readonly margin: number;
  private readonly now: () => number;
  private readonly sent: number[] = []; // grant times inside the window, oldest first
  private readonly queues: Record<Priority, Waiter[]> = { enforce: [], reconcile: [], poll: [] };
  private readonly granted: Record<Priority, number> = { enforce: 0, reconcile: 0, poll: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDue = Infinity;
  private backoffUntil = 0;
  private rateLimited = 0;
  private maxWaitMs = 0;
  /** Epoch ms an enforcement call last found the window full. */
  private enforceHeldAt = -Infinity;
  private closed = false;

  constructor(opts: RateBudgetOptions = {}) {
    this.limit = opts.limit ?? 200;
    this.windowMs = opts.windowMs ?? 60_000;
    this.reserve = Math.min(opts.enforceReserve ?? 10, Math.max(0, this.limit - 1));
    this.margin = opts.expiryMarginMs ?? 0;
    this.now = opts.now ?? Date.now;
  }

  /** Resolves when the caller may send one request (the slot is counted at that moment). */
  acquire(priority: Priority = 'reconcile'): Promise<void> {
    if (this.closed) return Promise.reject(new RateBudgetClosedError());
    return new Promise<void>((resolve, reject) => {
      this.queues[priority].push({ priority, enqueuedAt: this.now(), resolve, reject });
      this.pump();
    });
  }

  /**
   * Takes a slot now if one is free and nobody of the same or a higher priority waits (FIFO holds): the caller
   * may send in this very turn. False: use acquire().
   */
  tryAcquire(priority: Priority): boolean {
    if (this.closed) return false;
    for (const p of PRIORITY_ORDER) {
      if (this.queues[p].length > 0) return false;
      if (p === priority) break;
    }
    const now = this.now();
    this.expire(now);
    if (!this.mayGo(priority, now)) return false;
    this.sent.push(now);
    this.granted[priority]++;
    return true;
  }

  /**
   * The server answered 429: hold back reconcile/poll traffic until `retryAfterMs` (or `fallbackMs`) passes.
   * Enforcement is not held: it is rare, and a refused flatten is better learned now than later.
   */
  noteRateLimited(retryAfterMs: number | undefined, fallbackMs = 5_000): number {
    this.rateLimited++;
    const wait = retryAfterMs ?? fallbackMs;
    this.backoffUntil = Math.max(this.backoffUntil, this.now() + wait);
    this.pump();
    return wait;
  }

  stats(): RateBudgetStats {
    const now = this.now();
    this.expire(now);
    return {
      limit: this.limit,
      windowMs: this.windowMs,
      inWindow: this.sent.length,
      queued: { enforce: this.queues.enforce.length, reconcile: this.queues.reconcile.length, poll: this.queues.poll.length },
      granted: { ...this.granted },
      rateLimitedResponses: this.rateLimited,
      backoffUntil: this.backoffUntil > now ? this.backoffUntil : null,
      maxWaitMs: this.maxWaitMs,
      rateLimited: this.queues.enforce.length > 0 || now - this.enforceHeldAt < RATE_LIMITED_HOLD_MS || this.backoffUntil > now,
    };
  }

  /** Rejects every waiter and refuses new ones (shutdown). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const p of PRIORITY_ORDER) for (const w of this.queues[p].splice(0)) w.reject(new RateBudgetClosedError());
  }

  private expire(now: number): void {
    while (this.sent.length > 0 && (this.sent[0] as number) <= now - this.windowMs - this.margin) this.sent.shift();
  }

  private pump(): void {
    const now = this.now();
    this.expire(now);
    for (;;) {
      const next = this.nextWaiter(now);
      if (!next) break;
      const queue = this.queues[next.priority];
      queue.shift();
      this.sent.push(now);
      this.granted[next.priority]++;
      this.maxWaitMs = Math.max(this.maxWaitMs, now - next.enqueuedAt);
      if (next.priority === 'enforce' && now > next.enqueuedAt) this.enforceHeldAt = now;
      next.resolve();
    }
    if (this.queues.enforce.length > 0) this.enforceHeldAt = now;
    this.armTimer(now);
  }

  /** Highest-priority waiter allowed to go now, FIFO within a priority; nobody jumps ahead of a waiting head. */
  private nextWaiter(now: number): Waiter | undefined {
    for (const p of PRIORITY_ORDER) {
      const head = this.queues[p][0];
      if (head) return this.mayGo(p, now) ? head : undefined;
    }
    return undefined;
  }

  /** Enforcement may use the whole window; other traffic leaves the reserve free and waits out a 429 back-off. */
  private mayGo(p: Priority, now: number): boolean {
    if (p === 'enforce') return this.sent.length < this.limit;
    return now >= this.backoffUntil && this.sent.length < this.limit - this.reserve;
  }

  private armTimer(now: number): void {
    const waiting = PRIORITY_ORDER.some((p) => this.queues[p].length > 0);
    if (!waiting) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDue = Infinity;
      return;
    }
    // Earliest moment any waiter could go: when enough grants leave the window (and, for non-enforce traffic,
    // when a 429 back-off ends).
    let due = Infinity;
    for (const p of PRIORITY_ORDER) {
      if (this.queues[p].length === 0) continue;
      const capacity = p === 'enforce' ? this.limit : this.limit - this.reserve;
      const over = this.sent.length - capacity; // how many grants must expire first (>= 0 means full)
      let t = over >= 0 ? (this.sent[over] as number) + this.windowMs + this.margin : now;
      if (p !== 'enforce') t = Math.max(t, this.backoffUntil);
      due = Math.min(due, t);
    }
    due = Math.max(due, now + 1);
    if (this.timer && due >= this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.pump();
    }, due - now);
  }
}
