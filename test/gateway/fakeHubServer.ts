// A minimal SignalR JSON-protocol server over `ws` for hub-client tests: handshake, invocation completions,
// server-pushed events, and forced drops. Records every invocation and the upgrade request's auth header.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const RS = '\u001e';

export interface Invocation {
  hub: string;
  target: string;
  args: unknown[];
}

export interface FakeHubServer {
  url: string;
  invocations: Invocation[];
  upgrades: { path: string; authorization: string | undefined }[];
  /** Pushes an event to every client connected to the hub. */
  send(hub: 'user' | 'market', target: string, ...args: unknown[]): void;
  /** Terminates every socket of the hub without a close frame (network drop). */
  drop(hub: 'user' | 'market'): void;
  /** Refuse (HTTP 401) new upgrades while true. */
  refuse: boolean;
  /** Refuse (HTTP 401) upgrades whose Authorization header this returns false for. */
  acceptAuth: (authorization: string | undefined) => boolean;
  /** While true, invocation completions are held back (the server is "still working") until releaseCompletions. */
  holdCompletions: boolean;
  releaseCompletions(): void;
  clients(hub: 'user' | 'market'): number;
  close(): Promise<void>;
}

export async function startFakeHubServer(): Promise<FakeHubServer> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const sockets = { user: new Set<WebSocket>(), market: new Set<WebSocket>() };
  const held: (() => void)[] = [];
  const state: FakeHubServer = {
    url: '',
    invocations: [],
    upgrades: [],
    refuse: false,
    acceptAuth: () => true,
    holdCompletions: false,
    releaseCompletions() {
      state.holdCompletions = false;
      for (const complete of held.splice(0)) complete();
    },
    send(hub, target, ...args) {
      for (const ws of sockets[hub]) ws.send(JSON.stringify({ type: 1, target, arguments: args }) + RS);
    },
    drop(hub) {
      for (const ws of sockets[hub]) ws.terminate();
    },
    clients: (hub) => sockets[hub].size,
    close: () =>
      new Promise((resolve) => {
        for (const set of Object.values(sockets)) for (const ws of set) ws.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    state.upgrades.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const hub = path === '/hubs/user' ? 'user' : path === '/hubs/market' ? 'market' : undefined;
    if (!hub || state.refuse || !state.acceptAuth(req.headers.authorization)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets[hub].add(ws);
      ws.on('close', () => sockets[hub].delete(ws));
      let handshaken = false;
      ws.on('message', (buf) => {
        for (const frame of buf.toString().split(RS).filter(Boolean)) {
          const msg = JSON.parse(frame) as { type?: number; invocationId?: string; target?: string; arguments?: unknown[] };
          if (!handshaken) {
            handshaken = true;
            ws.send('{}' + RS);
            continue;
          }
          if (msg.type === 1) {
            state.invocations.push({ hub, target: msg.target ?? '', args: msg.arguments ?? [] });
            if (msg.invocationId !== undefined) {
              const complete = () => ws.send(JSON.stringify({ type: 3, invocationId: msg.invocationId, result: null }) + RS);
              if (state.holdCompletions) held.push(complete);
              else complete();
            }
          } else if (msg.type === 6) {
            ws.send(JSON.stringify({ type: 6 }) + RS);
          }
        }
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return state;
}
