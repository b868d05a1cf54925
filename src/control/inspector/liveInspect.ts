// `riskd start --inspect`: every inspection event of every account actor system is sent with
// @statelyai/inspect's createWebSocketInspector to a WebSocket relay, for any Stately-protocol receiver
// (createWebSocketReceiver, a Stately inspector bridge) to watch live.
// The relay is our own, bound to 127.0.0.1: @statelyai/inspect/server's createInspectorServer calls
// listen(port) without a host (all interfaces, verified in its dist/server.mjs) and its page iframes the online
// https://stately.ai/inspect. It keeps the same protocol: JSON text frames relayed to every other client, the
// last 200 replayed to a newcomer. Contexts and events are sanitized (no tokens, keys or passwords).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { createWebSocketInspector } from '@statelyai/inspect';
import type { Logger } from '../../log/logger.ts';
import { sanitize } from './sanitize.ts';

const BUFFER = 200;

export interface InspectRelay {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** A loopback-only relay with the Stately inspect server's protocol. */
export async function startInspectRelay(port = 0): Promise<InspectRelay> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('riskd inspection relay (loopback only). Connect a Stately WebSocket receiver to this address; riskd\'s own offline inspector page is /inspector on the control port.\n');
  });
  const wss = new WebSocketServer({ server, maxPayload: 4 * 1024 * 1024 });
  const buffer: string[] = [];
  wss.on('connection', (ws, req) => {
    const addr = req.socket.remoteAddress;
    if (addr !== '127.0.0.1' && addr !== '::1' && addr !== '::ffff:127.0.0.1') {
      ws.terminate();
      return;
    }
    for (const msg of buffer) ws.send(msg);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const msg = String(data);
      buffer.push(msg);
      if (buffer.length > BUFFER) buffer.shift();
      for (const c of wss.clients) if (c !== ws && c.readyState === WebSocket.OPEN) c.send(msg);
    });
    ws.on('error', () => ws.terminate());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `ws://127.0.0.1:${bound}`,
    stop: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface LiveInspector {
  relay: InspectRelay;
  stop(): Promise<void>;
}

/** Starts the relay and feeds it every inspection event `onInspect` delivers. */
export async function startLiveInspector(
  onInspect: (fn: (accountId: number, e: InspectionEvent) => void) => () => void,
  logger: Logger,
  opts: { port?: number; actors?: () => AnyActorRef[] } = {},
): Promise<LiveInspector> {
  const relay = await startInspectRelay(opts.port ?? 0);
  const inspector = createWebSocketInspector({
    url: relay.url,
    autoStart: true,
    sanitizeContext: (ctx) => sanitize(ctx) as typeof ctx,
    sanitizeEvent: (ev) => sanitize(ev) as typeof ev,
    // sanitizeContext does not reach `@xstate.actor`'s `definition` (the machine config as JSON), which holds
    // any literal initial context: sanitize that too.
    serialize: (e) => {
      if (e.type !== '@xstate.actor' || typeof e.definition !== 'string') return e;
      try {
        return { ...e, definition: JSON.stringify(sanitize(JSON.parse(e.definition))) };
      } catch {
        return { ...e, definition: undefined };
      }
    },
  });
  // Actors that started before the relay are announced, or a receiver would not know them.
  for (const ref of opts.actors?.() ?? []) inspector.actor(ref, ref.getSnapshot());
  const off = onInspect((_id, e) => inspector.inspect.next?.(e));
  logger.info('live inspection relay listening (loopback only)', { url: relay.url });
  return {
    relay,
    stop: async () => {
      off();
      inspector.stop();
      await relay.stop();
    },
  };
}
