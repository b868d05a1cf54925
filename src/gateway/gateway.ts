// Composition helper: one credential's complete gateway stack (rate budget, tokens, REST, hubs, connection
// machine) built from URLs and credentials. The runtime supplies the event sink and the reconcile callback.
import { TokenManager } from './auth.ts';
import { GatewayConnection, type ConnectionStatus } from './connection.ts';
import { HubClient, type HubStatus } from './hubs.ts';
import { silentLog, type GatewayLog } from './log.ts';
import type { GatewayEvent } from './models.ts';
import type { ParseFailure } from './parse/failure.ts';
import type { SendGate } from './http.ts';
import { RateBudget } from './rateBudget.ts';
import { ProjectXRest } from './rest.ts';
import { socketTransport } from './socketTransport.ts';

export interface GatewayStackOptions {
  apiUrl: string;
  userHubUrl: string;
  marketHubUrl: string;
  userName: string;
  apiKey: string;
  accountIds?: readonly number[];
  log?: GatewayLog;
  onEvent: (e: GatewayEvent) => void;
  onParseFailure?: (f: ParseFailure) => void;
  onStatus?: (s: ConnectionStatus) => void;
  /** Called with the REST client once hubs are subscribed; must reconcile state for the gap. */
  reconcile: (rest: ProjectXRest) => Promise<void>;
  isMarketOpen?: () => boolean;
  fetch?: typeof fetch;
  /** When a ready REST request may leave (the daemon: once the open store transaction ends). */
  gate?: SendGate;
  budget?: RateBudget;
  requestTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  reconnectDelaysMs?: readonly number[];
  serverTimeoutMs?: number;
  keepAliveMs?: number;
  /** Wall clock for event stamps (receivedAt) and hub liveness; the daemon's injected clock. Default Date.now. */
  now?: () => number;
}

export interface GatewayStack {
  budget: RateBudget;
  tokens: TokenManager;
  rest: ProjectXRest;
  hubs: HubClient;
  connection: GatewayConnection;
  /** Stops the connection, hubs, token timers and the rate budget, and closes the REST sockets. */
  close(): Promise<void>;
}

export function createGatewayStack(o: GatewayStackOptions): GatewayStack {
  const log = o.log ?? silentLog;
  const budget = o.budget ?? new RateBudget();
  // Auth and REST share the stack's own warm sockets (closed with the stack), unless a fetch is injected.
  const transport = o.fetch ? undefined : socketTransport();
  // The connection machine schedules refreshes, so the TokenManager's own timer stays off.
  const tokens = new TokenManager({ baseUrl: o.apiUrl, userName: o.userName, apiKey: o.apiKey, fetch: o.fetch, transport, gate: o.gate, budget, log, autoRefresh: false, timeoutMs: o.requestTimeoutMs });
  const rest = new ProjectXRest({ baseUrl: o.apiUrl, tokens, budget, fetch: o.fetch, transport, gate: o.gate, log, timeoutMs: o.requestTimeoutMs, onParseFailure: o.onParseFailure });
  let connection: GatewayConnection | undefined;
  const hubs = new HubClient({
    userHubUrl: o.userHubUrl,
    marketHubUrl: o.marketHubUrl,
    tokens,
    accountIds: o.accountIds,
    log,
    onEvent: o.onEvent,
    onParseFailure: o.onParseFailure,
    onStatus: (s: HubStatus) => connection?.onHubStatus(s),
    isMarketOpen: o.isMarketOpen,
    autoRestart: false, // the connection machine owns restarts (backoff → connecting)
    reconnectDelaysMs: o.reconnectDelaysMs,
    serverTimeoutMs: o.serverTimeoutMs,
    keepAliveMs: o.keepAliveMs,
    now: o.now,
  });
  connection = new GatewayConnection({
    tokens,
    hubs,
    reconcile: () => o.reconcile(rest),
    log,
    backoffBaseMs: o.backoffBaseMs,
    backoffCapMs: o.backoffCapMs,
    onStatus: o.onStatus,
  });
  return {
    budget, tokens, rest, hubs, connection,
    close: async () => {
      await connection?.stop();
      tokens.stop();
      budget.close();
      transport?.close();
    },
  };
}
