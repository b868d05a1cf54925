import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateBudget, RateBudgetClosedError, type Priority } from '../../src/gateway/rateBudget.ts';

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

function track(budget: RateBudget, p: Priority, log: string[], name: string) {
  return budget.acquire(p).then(() => log.push(name));
}

describe('RateBudget', () => {
  it('tryAcquire takes a free slot at once, but never ahead of a waiter of the same or a higher priority', async () => {
    const budget = new RateBudget({ limit: 2, windowMs: 1_000, enforceReserve: 1 });
    expect(budget.tryAcquire('poll')).toBe(true);
    expect(budget.tryAcquire('poll')).toBe(false); // the reserve slot is enforcement's
    const log: string[] = [];
    void track(budget, 'reconcile', log, 'reconcile'); // waits: only the reserve is left
    await vi.advanceTimersByTimeAsync(0);
    expect(budget.tryAcquire('reconcile')).toBe(false); // FIFO: behind the queued reconcile
    expect(budget.tryAcquire('enforce')).toBe(true); // enforcement jumps ahead of lower priorities
    expect(budget.tryAcquire('enforce')).toBe(false); // window full
    expect(budget.stats().granted).toEqual({ enforce: 1, reconcile: 0, poll: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['reconcile']);
  });

  it('grants at most `limit` requests inside any sliding window', async () => {
    const budget = new RateBudget({ limit: 200, windowMs: 60_000, enforceReserve: 0 });
    const granted: number[] = [];
    for (let i = 0; i < 250; i++) void budget.acquire('poll').then(() => granted.push(Date.now()));
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(200);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(granted).toHaveLength(200);
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).toHaveLength(250);
    // Sliding-window invariant over every grant.
    for (let i = 200; i < granted.length; i++) expect(granted[i]! - granted[i - 200]!).toBeGreaterThanOrEqual(60_000);
  });

  it('sliding, not fixed: slots free up one by one as old grants age out', async () => {
    const budget = new RateBudget({ limit: 3, windowMs: 1_000, enforceReserve: 0 });
    const at: number[] = [];
    for (let i = 0; i < 3; i++) {
      void budget.acquire('poll').then(() => at.push(Date.now()));
      await vi.advanceTimersByTimeAsync(100);
    }
    void budget.acquire('poll').then(() => at.push(Date.now()));
    void budget.acquire('poll').then(() => at.push(Date.now()));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(at.map((t) => t - 1_000_000)).toEqual([0, 100, 200, 1000, 1100]);
  });

  it('enforcement goes ahead of reconcile and poll when the window frees up', async () => {
    const budget = new RateBudget({ limit: 2, windowMs: 1_000, enforceReserve: 0 });
    const log: string[] = [];
    await budget.acquire('poll');
    await budget.acquire('poll');
    const all = [track(budget, 'poll', log, 'poll1'), track(budget, 'reconcile', log, 'rec1'), track(budget, 'enforce', log, 'enf1'), track(budget, 'enforce', log, 'enf2'), track(budget, 'reconcile', log, 'rec2')];
    expect(budget.stats().queued).toEqual({ enforce: 2, reconcile: 2, poll: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['enf1', 'enf2']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['enf1', 'enf2', 'rec1', 'rec2']);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(all);
    expect(log).toEqual(['enf1', 'enf2', 'rec1', 'rec2', 'poll1']);
    expect(budget.stats().granted).toEqual({ enforce: 2, reconcile: 2, poll: 3 });
  });

  it('with an expiry margin, a slot is reused only that much after the window', async () => {
    const budget = new RateBudget({ limit: 1, windowMs: 1_000, enforceReserve: 0, expiryMarginMs: 250 });
    const at: number[] = [];
    for (let i = 0; i < 2; i++) void budget.acquire('enforce').then(() => at.push(Date.now() - 1_000_000));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(at).toEqual([0, 1_250]);
  });

  it('says "rate limited" while an enforcement call waits for a slot, and for 5 s after', async () => {
    const budget = new RateBudget({ limit: 2, windowMs: 10_000, enforceReserve: 0 });
    await budget.acquire('enforce');
    await budget.acquire('reconcile');
    expect(budget.stats().rateLimited).toBe(false); // full, but nobody waits
    const third = budget.acquire('enforce');
    expect(budget.stats().rateLimited).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    await third;
    expect(budget.stats().rateLimited).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(budget.stats().rateLimited).toBe(false);
    budget.noteRateLimited(1_000);
    expect(budget.stats().rateLimited).toBe(true); // the gateway said 429
  });

  it('keeps a reserve that only enforcement may use', async () => {
    const budget = new RateBudget({ limit: 5, windowMs: 1_000, enforceReserve: 2 });
    const log: string[] = [];
    for (let i = 0; i < 4; i++) void track(budget, 'reconcile', log, `r${i}`);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['r0', 'r1', 'r2']);
    void track(budget, 'enforce', log, 'e0');
    void track(budget, 'enforce', log, 'e1');
    void track(budget, 'enforce', log, 'e2');
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['r0', 'r1', 'r2', 'e0', 'e1']);
    expect(budget.stats().inWindow).toBe(5);
  });

  it('after a 429, holds reads for Retry-After but lets enforcement through', async () => {
    const budget = new RateBudget({ limit: 10, windowMs: 1_000, enforceReserve: 0 });
    const log: string[] = [];
    budget.noteRateLimited(5_000);
    void track(budget, 'reconcile', log, 'rec');
    void track(budget, 'enforce', log, 'enf');
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['enf']);
    expect(budget.stats().backoffUntil).toBe(1_005_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(log).toEqual(['enf']);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['enf', 'rec']);
    expect(budget.stats()).toMatchObject({ rateLimitedResponses: 1, backoffUntil: null, maxWaitMs: 5_000 });
  });

  it('close() rejects waiters', async () => {
    const budget = new RateBudget({ limit: 1, windowMs: 1_000 });
    await budget.acquire('enforce');
    const p = budget.acquire('enforce');
    budget.close();
    await expect(p).rejects.toBeInstanceOf(RateBudgetClosedError);
    await expect(budget.acquire('poll')).rejects.toBeInstanceOf(RateBudgetClosedError);
  });
});
