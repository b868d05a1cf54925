// Connection lifecycle for one credential:
//   idle → authenticating → connecting → subscribing → reconciling → live
// with `reconnecting` (the SignalR library is retrying on its own), `backoff` (we retry after an exponential,
// capped delay computed from context) and `failed` (credentials that no retry can fix).
// While live the token is refreshed on a timer (`live.refreshing`).
//
// PURE: no SignalR, HTTP, SQLite or clock here. All I/O enters through the named actors (login, connectHubs,
// subscribe, reconcile, refreshToken) and the time-dependent delays, which the runtime supplies with
// `.provide()` (src/gateway/connection.ts). Never persisted: after a restart the daemon starts `idle`.
import { assign, fromPromise, setup } from 'xstate';
import { backoffDelayMs, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from './backoff.ts';

export type HubName = 'user' | 'market';

export interface ConnectionInput {
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

export interface ConnectionContext {
  /** Consecutive failed attempts since the connection was last live (drives the back-off). */
  attempt: number;
  /** The next attempt must start with a fresh login (login failed, or the session was revoked). */
  needsLogin: boolean;
  /** Hubs the library is currently reconnecting. */
  lostHubs: HubName[];
  lastError: string | null;
  tokenExpiresAt: number | null;
  backoffBaseMs: number;
  backoffCapMs: number;
}

export type ConnectionEvent =
  | { type: 'connection.start' }
  | { type: 'connection.stop' }
  | { type: 'connection.retry' }
  | { type: 'hub.lost'; hub: HubName; error?: string }
  | { type: 'hub.restored'; hub: HubName }
  | { type: 'hub.closed'; hub: HubName; error?: string }
  | { type: 'token.invalid'; reason: string };

export interface TokenGrant {
  expiresAt: number;
}

/** An actor failure that no retry can fix carries `fatal: true` (e.g. AuthError for a revoked key). */
const isFatalError = (error: unknown): boolean => (error as { fatal?: unknown } | null)?.fatal === true;
const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const notProvided = (name: string) => fromPromise<never>(async () => {
  throw new Error(`connection actor '${name}' was not provided`);
});

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actors: {
    login: fromPromise<TokenGrant>(async () => {
      throw new Error("connection actor 'login' was not provided");
    }),
    refreshToken: fromPromise<TokenGrant>(async () => {
      throw new Error("connection actor 'refreshToken' was not provided");
    }),
    connectHubs: notProvided('connectHubs'),
    subscribe: notProvided('subscribe'),
    reconcile: notProvided('reconcile'),
  },
  guards: {
    fatal: ({ event }) => isFatalError((event as { error?: unknown }).error),
    needsLogin: ({ context }) => context.needsLogin,
    lastLostHub: ({ context, event }) =>
      event.type === 'hub.restored' && context.lostHubs.every((h) => h === event.hub),
  },
  delays: {
    backoff: ({ context }) => backoffDelayMs(context.attempt, context.backoffBaseMs, context.backoffCapMs),
    // Provided by the runtime from the token's expiry (it needs a clock); the default re-checks every 30 min.
    tokenRefresh: () => 30 * 60_000,
    refreshRetry: () => 60_000,
    // The library retries forever; after this long we tear down and rebuild the connections ourselves.
    reconnectGiveUp: () => 5 * 60_000,
  },
  actions: {
    recordFailure: assign({
      attempt: ({ context }) => context.attempt + 1,
      lastError: ({ event }) => describeError((event as { error?: unknown }).error ?? (event as { reason?: unknown }).reason ?? event.type),
    }),
    recordHubFailure: assign({
      attempt: ({ context }) => context.attempt + 1,
      lastError: ({ event }) => ('hub' in event ? `${event.hub} hub closed${'error' in event && event.error ? `: ${event.error}` : ''}` : event.type),
      lostHubs: () => [],
    }),
    requireLogin: assign({ needsLogin: true }),
    storeToken: assign({
      needsLogin: false,
      tokenExpiresAt: ({ context, event }) => (event as { output?: TokenGrant }).output?.expiresAt ?? context.tokenExpiresAt,
    }),
    markLost: assign({
      lostHubs: ({ context, event }) =>
        event.type === 'hub.lost' && !context.lostHubs.includes(event.hub) ? [...context.lostHubs, event.hub] : context.lostHubs,
    }),
    markRestored: assign({
      lostHubs: ({ context, event }) => (event.type === 'hub.restored' ? context.lostHubs.filter((h) => h !== event.hub) : context.lostHubs),
    }),
    forgetHubs: assign({ lostHubs: () => [] }),
    resetFailures: assign({ attempt: 0, lastError: null, lostHubs: () => [] }),
    revokeSession: assign({ needsLogin: true, lostHubs: () => [], lastError: ({ event }) => (event.type === 'token.invalid' ? `session invalid: ${event.reason}` : null) }),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    attempt: 0,
    needsLogin: true,
    lostHubs: [],
    lastError: null,
    tokenExpiresAt: null,
    backoffBaseMs: input?.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
    backoffCapMs: input?.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS,
  }),
  initial: 'idle',
  on: {
    'connection.stop': { target: '.idle', actions: 'forgetHubs' },
  },
  states: {
    idle: {
      on: { 'connection.start': { target: 'authenticating', actions: 'resetFailures' } },
    },
    authenticating: {
      invoke: {
        id: 'login',
        src: 'login',
        onDone: { target: 'connecting', actions: 'storeToken' },
        onError: [
          { guard: 'fatal', target: 'failed', actions: 'recordFailure' },
          { target: 'backoff', actions: ['recordFailure', 'requireLogin'] },
        ],
      },
    },
    connecting: {
      invoke: {
        id: 'connectHubs',
        src: 'connectHubs',
        onDone: { target: 'subscribing', actions: 'forgetHubs' },
        onError: { target: 'backoff', actions: 'recordFailure' },
      },
      on: { 'token.invalid': { target: 'authenticating', actions: 'revokeSession' } },
    },
    subscribing: {
      invoke: {
        id: 'subscribe',
        src: 'subscribe',
        onDone: { target: 'reconciling' },
        onError: { target: 'backoff', actions: 'recordFailure' },
      },
      on: {
        'hub.lost': { target: 'reconnecting', actions: 'markLost' },
        'hub.closed': { target: 'backoff', actions: 'recordHubFailure' },
        'token.invalid': { target: 'authenticating', actions: 'revokeSession' },
      },
    },
    reconciling: {
      invoke: {
        id: 'reconcile',
        src: 'reconcile',
        onDone: { target: 'live', actions: 'resetFailures' },
        onError: { target: 'backoff', actions: 'recordFailure' },
      },
      on: {
        'hub.lost': { target: 'reconnecting', actions: 'markLost' },
        'hub.closed': { target: 'backoff', actions: 'recordHubFailure' },
        'token.invalid': { target: 'authenticating', actions: 'revokeSession' },
      },
    },
    live: {
      initial: 'steady',
      on: {
        'hub.lost': { target: 'reconnecting', actions: 'markLost' },
        'hub.closed': { target: 'backoff', actions: 'recordHubFailure' },
        'token.invalid': { target: 'authenticating', actions: 'revokeSession' },
      },
      states: {
        steady: {
          after: { tokenRefresh: { target: 'refreshing' } },
        },
        refreshing: {
          invoke: {
            id: 'refreshToken',
            src: 'refreshToken',
            onDone: { target: 'steady', actions: 'storeToken' },
            onError: [
              { guard: 'fatal', target: '#connection.failed', actions: 'recordFailure' },
              // The current token is still valid for a while: keep the hubs up and try again shortly.
              { target: 'refreshFailed', actions: 'recordFailure' },
            ],
          },
        },
        refreshFailed: {
          after: { refreshRetry: { target: 'refreshing' } },
        },
      },
    },
    reconnecting: {
      after: { reconnectGiveUp: { target: 'backoff', actions: 'recordHubFailure' } },
      on: {
        'hub.lost': { actions: 'markLost' },
        'hub.restored': [
          // Both hubs back: the server forgot every subscription and replays nothing, so subscribe and reconcile.
          { guard: 'lastLostHub', target: 'subscribing', actions: 'markRestored' },
          { actions: 'markRestored' },
        ],
        'hub.closed': { target: 'backoff', actions: 'recordHubFailure' },
        'token.invalid': { target: 'authenticating', actions: 'revokeSession' },
      },
    },
    backoff: {
      after: {
        backoff: [{ guard: 'needsLogin', target: 'authenticating' }, { target: 'connecting' }],
      },
    },
    failed: {
      on: { 'connection.retry': { target: 'authenticating', actions: 'resetFailures' } },
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;
export type ConnectionStateValue = 'idle' | 'authenticating' | 'connecting' | 'subscribing' | 'reconciling' | 'reconnecting' | 'backoff' | 'failed' | { live: 'steady' | 'refreshing' | 'refreshFailed' };
