// Webhook notifications (accounts.yaml `notifications.webhooks`). `notify` only appends to a bounded queue
// per webhook and returns at once: delivery (with a timeout and a few retries) happens later, one request at a
// time per webhook, so a slow or dead webhook can never delay enforcement or the other webhooks. A full queue
// drops its oldest entry. URLs are never logged (a Telegram URL carries the bot token).
import type { WebhookConfig } from '../config/types.ts';
import type { Logger } from '../log/logger.ts';
import { webhookBody, webhookLabel, type Notification } from './format.ts';

export interface NotifierOptions {
  webhooks: readonly WebhookConfig[];
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  /** Per request. Default 5 s. */
  timeoutMs?: number;
  /** Waits before each retry; its length is the number of retries. Default 1 s, 5 s, 15 s. */
  retryDelaysMs?: readonly number[];
  /** Per webhook. Default 100. */
  maxQueue?: number;
}

export interface NotifierStats {
  sent: number;
  failed: number;
  dropped: number;
  queued: number;
}

interface Target {
  hook: WebhookConfig;
  label: string;
  queue: Notification[];
  running: boolean;
}

export class Notifier {
  private readonly targets: Target[];
  private readonly fetch: typeof globalThis.fetch;
  private readonly counts = { sent: 0, failed: 0, dropped: 0 };
  private closed = false;
  /** Aborts requests still in flight when close() gives up waiting (so shutdown is not held by a dead webhook). */
  private readonly abandon = new AbortController();
  private readonly sleeps = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly opts: NotifierOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.targets = opts.webhooks.map((hook, i) => ({ hook, label: webhookLabel(hook, i), queue: [], running: false }));
    for (const t of this.targets) opts.logger.addSecret(t.hook.url);
  }

  get enabled(): boolean {
    return this.targets.length > 0;
  }

  /** Queues a notification for every webhook that wants this event. Never throws, never waits. */
  notify(n: Notification): void {
    if (this.closed) return;
    for (const t of this.targets) {
      if (!t.hook.events.includes(n.event)) continue;
      if (t.queue.length >= (this.opts.maxQueue ?? 100)) {
        t.queue.shift();
        this.counts.dropped++;
        this.opts.logger.warn('notification queue full: oldest dropped', { webhook: t.label });
      }
      t.queue.push(n);
      if (!t.running) void this.drain(t);
    }
  }

  stats(): NotifierStats {
    return { ...this.counts, queued: this.targets.reduce((s, t) => s + t.queue.length, 0) };
  }

  /** Resolves when every queue is empty and nothing is in flight (tests, shutdown). */
  idle(): Promise<void> {
    if (this.targets.every((t) => !t.running && t.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /** Stops accepting; gives queued notifications up to `graceMs` to go out, then abandons the rest. */
  async close(graceMs = 2_000): Promise<void> {
    this.closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.resolve();
    }
    for (const t of this.targets) t.queue.length = 0;
    this.abandon.abort();
  }

  private async drain(t: Target): Promise<void> {
    t.running = true;
    try {
      while (t.queue.length > 0) {
        const n = t.queue.shift()!;
        await this.deliver(t, n);
      }
    } finally {
      t.running = false;
      if (this.targets.every((x) => !x.running && x.queue.length === 0)) {
        for (const w of this.idleWaiters) w();
        this.idleWaiters.clear();
      }
    }
  }

  private async deliver(t: Target, n: Notification): Promise<void> {
    const delays = this.opts.retryDelaysMs ?? [1_000, 5_000, 15_000];
    const body = JSON.stringify(webhookBody(t.hook, n));
    for (let attempt = 0; ; attempt++) {
      const r = await this.post(t, body);
      if (r.ok) {
        this.counts.sent++;
        return;
      }
      const giveUp = !r.retry || attempt >= delays.length || this.abandon.signal.aborted || (this.closed && attempt > 0);
      if (giveUp) {
        this.counts.failed++;
        this.opts.logger.warn('notification not delivered', { webhook: t.label, event: n.event, attempts: attempt + 1, why: r.why });
        return;
      }
      await this.sleep(Math.max(delays[attempt]!, r.retryAfterMs ?? 0));
    }
  }

  private async post(t: Target, body: string): Promise<{ ok: true } | { ok: false; retry: boolean; why: string; retryAfterMs?: number }> {
    try {
      const res = await this.fetch(t.hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'riskd' },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs ?? 5_000), this.abandon.signal]),
      });
      await res.arrayBuffer().catch(() => undefined); // free the connection
      if (res.ok) return { ok: true };
      const retryAfter = Number(res.headers.get('retry-after'));
      return {
        ok: false,
        retry: res.status === 429 || res.status >= 500,
        why: `HTTP ${res.status}`,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: Math.min(retryAfter * 1000, 60_000) } : {}),
      };
    } catch (err) {
      // Only the error's name/code: some fetch errors quote the URL.
      const e = err as { name?: string; cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? `timed out after ${this.opts.timeoutMs ?? 5_000} ms` : `${e.name ?? 'Error'}${e.cause?.code ? ` ${e.cause.code}` : ''}`;
      return { ok: false, retry: true, why };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const s = { timer: setTimeout(() => (this.sleeps.delete(s), resolve()), ms), resolve };
      this.sleeps.add(s);
    });
  }
}
