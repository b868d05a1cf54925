import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { backoffDelayMs, connectionMachine } from '../../../machines/connection/index.ts';

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
afterEach(() => vi.useRealTimers());

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('backoffDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelayMs(a, 1_000, 30_000))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffDelayMs(0, 1_000, 30_000)).toBe(1_000);
    expect(backoffDelayMs(10_000, 1_000, 60_000)).toBe(60_000);
  });
});

describe('connection machine scenarios', () => {
  it('retries a failing gateway with growing delays computed from context, then goes live and resets', async () => {
    let loginCalls = 0;
    const loginAt: number[] = [];
    const start = Date.now();
    const actor = createActor(connectionMachine.provide({
      actors: {
        login: fromPromise(async () => {
          loginAt.push(Date.now() - start);
          if (++loginCalls <= 3) throw new Error('ECONNREFUSED');
          return { expiresAt: start + 86_400_000 };
        }),
        connectHubs: fromPromise(async () => undefined as never),
        subscribe: fromPromise(async () => undefined as never),
        reconcile: fromPromise(async () => undefined as never),
      },
    }), { input: { backoffBaseMs: 1_000, backoffCapMs: 3_000 } }).start();
    actor.send({ type: 'connection.start' });
    await flush();
    expect(actor.getSnapshot().value).toBe('backoff');
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersToNextTimerAsync();
      await flush();
    }
    expect(loginAt).toEqual([0, 1_000, 3_000, 6_000]); // 1 s, 2 s, then capped at 3 s
    expect(actor.getSnapshot().value).toEqual({ live: 'steady' });
    expect(actor.getSnapshot().context).toMatchObject({ attempt: 0, lastError: null, needsLogin: false, tokenExpiresAt: start + 86_400_000 });
  });

  it('invalid credentials fail without retry until told to retry', async () => {
    const login = vi.fn(async (): Promise<{ expiresAt: number }> => {
      throw Object.assign(new Error('ProjectX login failed (InvalidCredentials)'), { fatal: true });
    });
    const actor = createActor(connectionMachine.provide({ actors: { login: fromPromise(login) } }), { input: {} }).start();
    actor.send({ type: 'connection.start' });
    await flush();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.lastError).toMatch(/InvalidCredentials/);
    expect(login).toHaveBeenCalledTimes(1);
    actor.send({ type: 'connection.retry' });
    await flush();
    expect(login).toHaveBeenCalledTimes(2);
  });

  it('after the library reconnects both hubs it re-subscribes and re-reconciles before going live again', async () => {
    const calls: string[] = [];
    const step = (name: string) => fromPromise(async () => {
      calls.push(name);
      return { expiresAt: Date.now() + 86_400_000 };
    });
    const actor = createActor(connectionMachine.provide({
      actors: { login: step('login'), connectHubs: step('connectHubs') as never, subscribe: step('subscribe') as never, reconcile: step('reconcile') as never },
    }), { input: {} }).start();
    actor.send({ type: 'connection.start' });
    await flush();
    expect(calls).toEqual(['login', 'connectHubs', 'subscribe', 'reconcile']);
    actor.send({ type: 'hub.lost', hub: 'user' });
    actor.send({ type: 'hub.lost', hub: 'market' });
    actor.send({ type: 'hub.restored', hub: 'user' });
    expect(actor.getSnapshot().value).toBe('reconnecting');
    actor.send({ type: 'hub.restored', hub: 'market' });
    await flush();
    expect(calls).toEqual(['login', 'connectHubs', 'subscribe', 'reconcile', 'subscribe', 'reconcile']);
    expect(actor.getSnapshot().value).toEqual({ live: 'steady' });
  });

  it('refreshes the token on the provided delay while live, and keeps the hubs up when a refresh fails', async () => {
    let refreshes = 0;
    const actor = createActor(connectionMachine.provide({
      actors: {
        login: fromPromise(async () => ({ expiresAt: 1 })),
        connectHubs: fromPromise(async () => undefined as never),
        subscribe: fromPromise(async () => undefined as never),
        reconcile: fromPromise(async () => undefined as never),
        refreshToken: fromPromise(async () => {
          if (++refreshes === 1) throw new Error('validate timed out');
          return { expiresAt: 2 };
        }),
      },
      delays: { tokenRefresh: 10_000, refreshRetry: 1_000 },
    }), { input: {} }).start();
    actor.send({ type: 'connection.start' });
    await flush();
    await vi.advanceTimersByTimeAsync(10_000);
    await flush();
    expect(actor.getSnapshot().value).toEqual({ live: 'refreshFailed' });
    await vi.advanceTimersByTimeAsync(1_000);
    await flush();
    expect(actor.getSnapshot().value).toEqual({ live: 'steady' });
    expect(actor.getSnapshot().context.tokenExpiresAt).toBe(2);
  });
});
