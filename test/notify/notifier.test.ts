// The webhook notifier against a real local HTTP receiver: formats, retries, timeouts, the bounded queue,
// never blocking the caller, and no secret (bot token in the URL) in any log line.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Notifier } from '../../src/notify/notifier.ts';
import { attachNotifier, type EventSource } from '../../src/notify/daemonEvents.ts';
import type { Notification } from '../../src/notify/format.ts';
import type { DaemonListeners } from '../../src/runtime/daemon.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { WebhookConfig } from '../../src/config/types.ts';

interface Hit {
  path: string;
  body: Record<string, unknown>;
}

type Reply = (hit: Hit, n: number) => { status: number; delayMs?: number; headers?: Record<string, string> };

let servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  servers = [];
});

async function receiver(reply: Reply = () => ({ status: 204 })): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const hit = { path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> };
      hits.push(hit);
      const r = reply(hit, hits.length);
      setTimeout(() => res.writeHead(r.status, r.headers).end(), r.delayMs ?? 0);
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, hits };
}

function memoryLogger() {
  const lines: string[] = [];
  const sink = { write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WritableStream;
  return { logger: createLogger({ level: 'debug', terminal: sink }), lines };
}

const note = (over: Partial<Notification> = {}): Notification => ({
  event: 'lock',
  at: Date.UTC(2026, 10, 24, 15, 0),
  account: 'PRAC-1',
  title: '🔒 PRAC-1 locked by RULE-003',
  text: 'locked until the 17:00 CT reset: Daily loss $510.00 reached your $500.00 limit',
  data: { rule: 'RULE-003' },
  ...over,
});

const hook = (type: 'json' | 'discord', url: string, events?: WebhookConfig['events']): WebhookConfig =>
  ({ type, url, events: events ?? ['lock', 'unlock', 'enforcement', 'breach', 'connection', 'daemon'] }) as WebhookConfig;

describe('Notifier', () => {
  it('posts each type in its own shape, only for the events a webhook asked for', async () => {
    const r = await receiver();
    const { logger } = memoryLogger();
    const n = new Notifier({
      logger,
      webhooks: [
        hook('json', `${r.url}/json`),
        hook('discord', `${r.url}/discord`, ['enforcement']),
        { type: 'telegram', url: `${r.url}/bot1:SECRET/sendMessage`, chat_id: '77', events: ['lock'] } as WebhookConfig,
      ],
    });
    n.notify(note());
    await n.idle();
    const byPath = Object.fromEntries(r.hits.map((h) => [h.path.split('/')[1], h.body]));
    expect(byPath['json']).toMatchObject({ source: 'riskd', event: 'lock', account: 'PRAC-1', at: '2026-11-24T15:00:00.000Z', data: { rule: 'RULE-003' } });
    expect(byPath['bot1:SECRET']).toEqual({ chat_id: '77', text: `${note().title}\n${note().text}`, disable_web_page_preview: true });
    expect(byPath['discord']).toBeUndefined(); // discord wants enforcement only
    expect(n.stats()).toMatchObject({ sent: 2, failed: 0 });
  });

  it('retries 5xx and 429 (honouring Retry-After), gives up on other 4xx, and logs no URL secret', async () => {
    const r = await receiver((hit, i) => (hit.path.startsWith('/bad') ? { status: 400 } : i <= 2 ? { status: i === 1 ? 503 : 429, headers: { 'retry-after': '0' } } : { status: 200 }));
    const { logger, lines } = memoryLogger();
    const n = new Notifier({ logger, retryDelaysMs: [10, 10, 10], webhooks: [hook('json', `${r.url}/ok`)] });
    n.notify(note());
    await n.idle();
    expect(r.hits.map((h) => h.path)).toEqual(['/ok', '/ok', '/ok']);
    expect(n.stats()).toMatchObject({ sent: 1, failed: 0 });

    const bad = new Notifier({ logger, retryDelaysMs: [10, 10], webhooks: [{ type: 'telegram', url: `${r.url}/bad/botTOKEN-XYZ/sendMessage`, chat_id: '1', events: ['lock'] } as WebhookConfig] });
    bad.notify(note());
    await bad.idle();
    expect(r.hits.filter((h) => h.path.startsWith('/bad'))).toHaveLength(1);
    expect(bad.stats().failed).toBe(1);
    expect(lines.join('')).toContain('HTTP 400');
    expect(lines.join('')).not.toContain('TOKEN-XYZ');
  });

  it('a hanging webhook times out and never blocks notify(); other webhooks are not held up', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 5_000 }));
    const fast = await receiver();
    const { logger, lines } = memoryLogger();
    const n = new Notifier({ logger, timeoutMs: 1_000, retryDelaysMs: [10], webhooks: [hook('json', `${slow.url}/slow`), hook('json', `${fast.url}/fast`)] });
    for (let i = 0; i < 10; i++) n.notify(note());
    // notify() only queued: nothing has reached either receiver yet, and everything is accounted for.
    expect(slow.hits.length + fast.hits.length).toBe(0);
    expect(n.stats().queued + 2).toBe(20); // one per webhook already taken off its queue for sending
    await expect.poll(() => fast.hits.length, { timeout: 5_000 }).toBe(10);
    expect(slow.hits.length).toBeLessThanOrEqual(2); // still stuck on the first one (and maybe its retry)
    await expect.poll(() => lines.join(''), { timeout: 5_000 }).toContain('timed out after 1000 ms');
    await n.close(100);
  });

  it('a full queue drops the oldest notifications, counted', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 50 }));
    const { logger } = memoryLogger();
    const n = new Notifier({ logger, maxQueue: 3, webhooks: [hook('json', r.url)] });
    for (let i = 0; i < 10; i++) n.notify(note({ title: `n${i}` }));
    await n.idle();
    // The first went out at once; of the 9 queued behind it only the newest 3 were kept.
    expect(r.hits.map((h) => h.body['title'])).toEqual(['n0', 'n7', 'n8', 'n9']);
    expect(n.stats()).toMatchObject({ sent: 4, dropped: 6 });
  });
});

describe('daemon events -> notifications', () => {
  function fakeSource() {
    let l: DaemonListeners = {};
    const src: EventSource = { addListener: (x) => ((l = x), () => (l = {})), accountName: (id) => `ACC-${id}`, zoneOf: () => 'America/Chicago', now: () => 1 };
    return { src, fire: () => l };
  }

  it('one enforcement notification per action phase (sent, failed), locks and unlocks, connection loss/recovery', async () => {
    const sent: Notification[] = [];
    const notifier = { notify: (n: Notification) => sent.push(n) } as unknown as Notifier;
    const { src, fire } = fakeSource();
    attachNotifier(notifier, src);
    const row = { id: 5, accountId: 9, rule: 'RULE-001', intent: '{"type":"reduce","accountId":9,"contractId":"CON.F.US.MNQ.Z26","size":1}', reason: 'too many', numbers: '{}', triggerAt: 1, contractId: 'CON.F.US.MNQ.Z26' };
    for (const status of ['pending', 'sent', 'confirmed'] as const) fire().onEnforcement!({ ...row, status });
    fire().onEnforcement!({ ...row, id: 6, status: 'failed', outcome: 'refused by the gateway' });
    const lock = { id: 'L1', kind: 'until_reset' as const, rule: 'RULE-003' as const, reason: 'daily loss', symbol: null, since: 1, until: null, releaseCondition: 'reset', flattenOnSet: true };
    fire().onLock!({ type: 'lock.set', accountId: 9, lock });
    fire().onLock!({ type: 'lock.released', accountId: 9, lock, how: 'trading-day reset' });
    const hub = { hub: 'user' as const, lastEventAt: null, connectedAt: null, reconnects: 0, restarts: 0 };
    fire().onHubStatus!({ ...hub, hub: 'market', state: 'connected' }); // attached while live: not news
    fire().onHubStatus!({ ...hub, state: 'reconnecting' }); // the first report seen may already be the loss
    fire().onHubStatus!({ ...hub, state: 'disconnected' });
    fire().onHubStatus!({ ...hub, state: 'connected', reconnects: 1 });
    expect(sent.map((n) => `${n.event}:${n.title}`)).toEqual([
      'breach:🚨 ACC-9: RULE-001 breached',
      'enforcement:🛑 ACC-9 (RULE-001): closed 1 MNQ: too many',
      'enforcement:⚠️ ACC-9: riskd could not act on RULE-001',
      'lock:🔒 ACC-9 locked by RULE-003',
      'unlock:🔓 ACC-9 lock released',
      'connection:📡 riskd lost the user hub',
      'connection:📡 riskd user hub connected again',
    ]);
    expect(sent.find((n) => n.event === 'lock')!.text).toBe('locked until the trading-day reset: daily loss');
    for (const n of sent) expect(`${n.title} ${n.text}`).not.toMatch(/until_reset|CON\.F\.|\$-/); // no internal kinds, contract ids or "$-"
  });

  it('a breach posts once with its rule, numbers and sentence: not per repeat, not per retry; a new breach posts again', async () => {
    const r = await receiver();
    const { logger } = memoryLogger();
    const notifier = new Notifier({ logger, webhooks: [hook('json', `${r.url}/json`, ['breach'])] });
    const { src, fire } = fakeSource();
    attachNotifier(notifier, src);
    const base = {
      accountId: 9,
      rule: 'RULE-001',
      intent: '{"type":"reduce","accountId":9,"contractId":"CON.F.US.MNQ.Z26","size":1}',
      reason: 'Open contracts 3 exceed your limit of 2',
      numbers: '{"limit":2,"value":3,"symbol":"MNQ"}',
      triggerAt: 1,
      contractId: 'CON.F.US.MNQ.Z26',
    };
    fire().onEnforcement!({ ...base, id: 1, status: 'pending' });
    fire().onEnforcement!({ ...base, id: 1, status: 'sent' });
    // The same breach re-evaluated on every quote while the action is in flight: absorbed rows, no news.
    for (let id = 2; id < 20; id++) fire().onEnforcement!({ ...base, id, status: 'skipped', outcome: 'absorbed' });
    fire().onEnforcement!({ ...base, id: 1, status: 'failed', outcome: 'gave up after 3 attempts' });
    fire().onEnforcement!({ ...base, id: 20, status: 'pending' }); // the retry of the same breach
    fire().onEnforcement!({ ...base, id: 20, status: 'confirmed' });
    fire().onEnforcement!({ ...base, id: 21, status: 'pending', numbers: '{"limit":2,"value":4,"symbol":"MNQ"}', reason: 'Open contracts 4 exceed your limit of 2' });
    await notifier.idle();
    expect(r.hits.map((h) => h.body)).toEqual([
      expect.objectContaining({ event: 'breach', account: 'ACC-9', title: '🚨 ACC-9: RULE-001 breached', text: 'Open contracts 3 exceed your limit of 2', data: expect.objectContaining({ rule: 'RULE-001', numbers: { limit: 2, value: 3, symbol: 'MNQ' } }) }),
      expect.objectContaining({ event: 'breach', text: 'Open contracts 4 exceed your limit of 2', data: expect.objectContaining({ numbers: { limit: 2, value: 4, symbol: 'MNQ' } }) }),
    ]);
  });
});
