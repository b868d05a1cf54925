// Runtime side of the connection statechart: gives the pure machine its I/O (TokenManager, HubClient, a
// reconcile callback) through named actors and time-dependent delays, and feeds it hub status changes.
// One GatewayConnection per credential. Never persisted: every start begins at `idle`.
import { createActor, fromPromise, type Actor, type SnapshotFrom } from 'xstate';
import { connectionMachine, type ConnectionContext, type ConnectionEvent, type TokenGrant } from '../../machines/connection/index.ts';
import type { HubClient, HubName, HubStatus } from './hubs.ts';
import type { TokenManager } from './auth.ts';
import { silentLog, type GatewayLog } from './log.ts';

export interface ConnectionStatus {
  /** 'idle' | 'authenticating' | ... | 'live' | 'live.refreshing' ... */
  state: string;
  live: boolean;
  attempt: number;
  lastError: string | null;
  tokenExpiresAt: number | null;
  hubs: Record<HubName, HubStatus>;
}

export interface GatewayConnectionOptions {
  tokens: Pick<TokenManager, 'login' | 'refresh' | 'msUntilRefresh' | 'tokenInfo'>;
  hubs: Pick<HubClient, 'start' | 'ensureSubscribed' | 'stop' | 'status'>;
  /** REST reconciliation for the gap (positions, working orders, trades, accounts). Runs before `live`. */
  reconcile: () => Promise<void>;
  log?: GatewayLog;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  refreshRetryMs?: number;
  reconnectGiveUpMs?: number;
  onStatus?: (s: ConnectionStatus) => void;
}

type ConnectionActor = Actor<typeof connectionMachine>;

export class GatewayConnection {
  private actor: ConnectionActor | undefined;
  private readonly log: GatewayLog;
  private lastState = '';

  constructor(private readonly opts: GatewayConnectionOptions) {
    this.log = opts.log ?? silentLog;
  }

  start(): void {
    if (this.actor) return;
    const { tokens, hubs, reconcile } = this.opts;
    const grant = (): TokenGrant => ({ expiresAt: tokens.tokenInfo()?.expiresAt ?? 0 });
    const machine = connectionMachine.provide({
      actors: {
        login: fromPromise(async () => {
          await tokens.login();
          return grant();
        }),
        refreshToken: fromPromise(async () => {
          await tokens.refresh();
          return grant();
        }),
        connectHubs: fromPromise(async () => {
          await hubs.start();
          return undefined as never;
        }),
        subscribe: fromPromise(async () => {
          await hubs.ensureSubscribed();
          return undefined as never;
        }),
        reconcile: fromPromise(async () => {
          await reconcile();
          return undefined as never;
        }),
      },
      delays: {
        tokenRefresh: () => Math.min(tokens.msUntilRefresh(), 2_147_000_000),
        refreshRetry: () => this.opts.refreshRetryMs ?? 60_000,
        reconnectGiveUp: () => this.opts.reconnectGiveUpMs ?? 5 * 60_000,
      },
    });
    const input = { backoffBaseMs: this.opts.backoffBaseMs, backoffCapMs: this.opts.backoffCapMs };
    this.actor = createActor(machine, { input });
    this.actor.subscribe({
      next: (snap) => this.report(snap),
      error: (err) => this.log.error('connection machine crashed', { error: err instanceof Error ? err.message : String(err) }),
    });
    this.actor.start();
    this.actor.send({ type: 'connection.start' });
  }

  /** Feed for HubClient's onStatus. */
  onHubStatus(s: HubStatus): void {
    const ev: ConnectionEvent =
      s.state === 'reconnecting' ? { type: 'hub.lost', hub: s.hub, ...(s.lastError ? { error: s.lastError } : {}) }
      : s.state === 'connected' ? { type: 'hub.restored', hub: s.hub }
      : { type: 'hub.closed', hub: s.hub, ...(s.lastError ? { error: s.lastError } : {}) };
    this.actor?.send(ev);
    this.report();
  }

  /** The gateway revoked the session (e.g. repeated 401s): log in again and rebuild. */
  sessionRevoked(reason: string): void {
    this.actor?.send({ type: 'token.invalid', reason });
  }

  /** Leave `failed` (e.g. after the user fixed the API key). */
  retry(): void {
    this.actor?.send({ type: 'connection.retry' });
  }

  status(): ConnectionStatus {
    const snap = this.actor?.getSnapshot();
    const ctx: Partial<ConnectionContext> = snap?.context ?? {};
    const state = snap ? flatten(snap.value) : 'idle';
    return {
      state,
      live: state.startsWith('live'),
      attempt: ctx.attempt ?? 0,
      lastError: ctx.lastError ?? null,
      tokenExpiresAt: ctx.tokenExpiresAt ?? null,
      hubs: this.opts.hubs.status(),
    };
  }

  /** Resolves once the machine reaches `live`; rejects on `failed` or after timeoutMs. */
  waitUntilLive(timeoutMs = 30_000): Promise<void> {
    const actor = this.actor;
    if (!actor) return Promise.reject(new Error('connection not started'));
    return new Promise((resolve, reject) => {
      const check = (snap: SnapshotFrom<typeof connectionMachine>): boolean => {
        if (snap.matches('live')) return (resolve(), true);
        if (snap.matches('failed')) return (reject(new Error(`connection failed: ${snap.context.lastError ?? 'unknown'}`)), true);
        return false;
      };
      if (check(actor.getSnapshot())) return;
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(new Error(`connection not live within ${timeoutMs} ms (state ${flatten(actor.getSnapshot().value)})`));
      }, timeoutMs);
      const sub = actor.subscribe((snap) => {
        if (check(snap)) {
          clearTimeout(timer);
          sub.unsubscribe();
        }
      });
    });
  }

  async stop(): Promise<void> {
    this.actor?.send({ type: 'connection.stop' });
    this.actor?.stop();
    this.actor = undefined;
    await this.opts.hubs.stop();
  }

  private report(snap = this.actor?.getSnapshot()): void {
    if (!snap) return;
    const state = flatten(snap.value);
    if (state !== this.lastState) {
      this.log.info('gateway connection state', { from: this.lastState || null, to: state, attempt: snap.context.attempt, lastError: snap.context.lastError });
      this.lastState = state;
    }
    this.opts.onStatus?.(this.status());
  }
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value)[0] ?? ['?', undefined];
    return v === undefined ? k : `${k}.${flatten(v)}`;
  }
  return String(value);
}
