import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createActor, setup, type InspectionEvent } from 'xstate';
import { startLiveInspector, type LiveInspector } from '../../src/control/inspector/liveInspect.ts';
import { sanitize } from '../../src/control/inspector/sanitize.ts';
import type { Logger } from '../../src/log/logger.ts';

const logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, child: () => logger } as unknown as Logger;
let live: LiveInspector | undefined;
afterEach(async () => {
  await live?.stop();
  live = undefined;
});

const toggle = setup({ types: { context: {} as { apiToken: string; n: number } } }).createMachine({
  id: 'toggle',
  context: { apiToken: 'S3CR3T-token-value', n: 0 },
  initial: 'off',
  states: { off: { on: { FLIP: 'on' } }, on: { on: { FLIP: 'off' } } },
});

describe('--inspect live relay', () => {
  it('listens on 127.0.0.1 only and relays sanitized Stately inspection events to a receiver', async () => {
    const listeners = new Set<(id: number, e: InspectionEvent) => void>();
    const early = createActor(toggle).start(); // running before the relay: announced with @xstate.actor
    live = await startLiveInspector((fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    }, logger, { actors: () => [early] });
    expect(live.relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const received: { type: string; snapshot?: { context?: unknown }; event?: { type?: string } }[] = [];
    const receiver = new WebSocket(live.relay.url);
    receiver.on('message', (d) => received.push(JSON.parse(String(d))));
    await new Promise((r) => receiver.once('open', r));
    const actor = createActor(toggle, { inspect: (e) => listeners.forEach((fn) => fn(7, e)) }).start();
    actor.send({ type: 'FLIP' });
    const deadline = Date.now() + 10_000;
    while (!received.some((m) => m.type === '@xstate.snapshot' && m.event?.type === 'FLIP') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    receiver.close();
    actor.stop();
    early.stop();
    expect(received.filter((m) => m.type === '@xstate.actor' && (m as { sessionId?: string }).sessionId === early.sessionId)).toHaveLength(1);
    expect(received.map((m) => m.type)).toEqual(expect.arrayContaining(['@xstate.actor', '@xstate.event', '@xstate.snapshot']));
    const text = JSON.stringify(received);
    expect(text).not.toContain("S3CR3T");
    expect(text).toContain('[redacted]');
  });
});

describe('sanitize', () => {
  it('redacts credential-named keys at any depth and reduces actor refs to their id', () => {
    const ref = { id: 'pos:X', send: () => {}, getSnapshot: () => ({}) };
    expect(sanitize({ a: { password: 'p', api_key: 'k', Authorization: 'Bearer x', ok: 1 }, child: ref, list: [{ token: 't' }] })).toEqual({
      a: { password: '[redacted]', api_key: '[redacted]', Authorization: '[redacted]', ok: 1 },
      child: { actor: 'pos:X' },
      list: [{ token: '[redacted]' }],
    });
  });
});
