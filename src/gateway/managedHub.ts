// One SignalR connection kept alive: start, automatic reconnect with our policy, re-subscribe after every
// (re)connect (the server forgets subscriptions and replays nothing), and a self-restart after the library
// gives up. The token goes in the Authorization header through accessTokenFactory, never in the URL.
import { HttpTransportType, HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection, type ILogger } from '@microsoft/signalr';
import { NoHttpClient } from './noHttpClient.ts';
import { delayFor, mayBeUnauthorized, reconnectPolicy } from './retryPolicy.ts';
import type { GatewayLog } from './log.ts';

export type HubName = 'user' | 'market';
export type HubState = 'connected' | 'reconnecting' | 'disconnected';

export interface HubStatus {
  hub: HubName;
  state: HubState;
  /** Epoch ms of the last frame of any kind received on this hub. */
  lastEventAt: number | null;
  connectedAt: number | null;
  reconnects: number;
  restarts: number;
  lastError?: string;
}

export interface ManagedHubOptions {
  name: HubName;
  url: string;
  accessToken: () => string | Promise<string>;
  log: GatewayLog;
  reconnectDelaysMs: readonly number[];
  maxReconnectAttempts: number;
  /** Restart ourselves after the library gives up (default true). */
  autoRestart: boolean;
  serverTimeoutMs?: number;
  keepAliveMs?: number;
  handshakeTimeoutMs?: number;
  now: () => number;
  /** Invokes every subscription for the current desired set; called after each (re)connect. */
  subscribe: (hub: ManagedHub) => Promise<void>;
  onStatus: (s: HubStatus) => void;
  /** The server refused our token on (re)connect: get a fresh one before the next attempt. */
  onUnauthorized?: () => Promise<void>;
}

export class ManagedHub {
  readonly connection: HubConnection;
  private status: HubStatus;
  private stopping = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private restartAttempt = 0;
  /** Increments on every successful (re)connect; subscriptions are per epoch. */
  private epoch = 0;
  private subscribedEpoch = -1;
  private subscribing: Promise<void> | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly opts: ManagedHubOptions) {
    this.status = { hub: opts.name, state: 'disconnected', lastEventAt: null, connectedAt: null, reconnects: 0, restarts: 0 };
    this.connection = new HubConnectionBuilder()
      .withUrl(opts.url, {
        skipNegotiation: true,
        transport: HttpTransportType.WebSockets,
        httpClient: new NoHttpClient(),
        accessTokenFactory: opts.accessToken,
        timeout: opts.handshakeTimeoutMs ?? 10_000,
      })
      .withAutomaticReconnect(reconnectPolicy(opts.reconnectDelaysMs, opts.maxReconnectAttempts, (reason) => this.checkAuth(reason)))
      .configureLogging(signalrLogger(opts.log, opts.name))
      .build();
    if (opts.serverTimeoutMs !== undefined) this.connection.serverTimeoutInMilliseconds = opts.serverTimeoutMs;
    if (opts.keepAliveMs !== undefined) this.connection.keepAliveIntervalInMilliseconds = opts.keepAliveMs;

    this.connection.onreconnecting((err) => {
      this.status.reconnects++;
      this.set('reconnecting', err?.message);
    });
    this.connection.onreconnected(() => {
      this.epoch++;
      this.status.connectedAt = opts.now();
      this.set('connected');
      this.resubscribeOrRestart();
    });
    this.connection.onclose((err) => {
      this.set('disconnected', err?.message);
      if (!this.stopping && opts.autoRestart) this.scheduleRestart();
    });
  }

  get state(): HubState {
    return this.status.state;
  }

  snapshot(): HubStatus {
    return { ...this.status };
  }

  /** Note that a frame arrived (liveness and the dashboard). */
  touch(): void {
    this.status.lastEventAt = this.opts.now();
  }

  isSubscribed(): boolean {
    return this.status.state === 'connected' && this.subscribedEpoch === this.epoch;
  }

  /** Starts the connection if it is down, then subscribes. Rejects when the connection cannot be made. */
  async start(): Promise<void> {
    this.stopping = false;
    // Concurrent starters (restart timer, watchdog, connection machine) share one attempt.
    this.starting ??= this.connect().finally(() => {
      this.starting = undefined;
    });
    await this.starting;
    await this.ensureSubscribed();
  }

  private async connect(): Promise<void> {
    const state = this.connection.state;
    if (state === HubConnectionState.Connected) return;
    // Still inside the library's reconnect loop (or mid-stop): abandon it and start clean.
    if (state !== HubConnectionState.Disconnected) await this.connection.stop();
    try {
      await this.connection.start();
    } catch (err) {
      this.set('disconnected', (err as Error).message);
      this.checkAuth(err);
      // A first start that fails (gateway down at boot) keeps trying in the background too.
      if (!this.stopping && this.opts.autoRestart) this.scheduleRestart();
      throw err;
    }
    this.epoch++;
    this.restartAttempt = 0;
    this.status.connectedAt = this.opts.now();
    this.set('connected');
  }

  /** Subscribes once per connection epoch (idempotent; concurrent callers share one run). */
  async ensureSubscribed(): Promise<void> {
    if (this.connection.state !== HubConnectionState.Connected) throw new Error(`${this.opts.name} hub is not connected`);
    if (this.subscribedEpoch === this.epoch) return;
    const epoch = this.epoch;
    this.subscribing ??= this.opts.subscribe(this).then(
      () => {
        this.subscribedEpoch = epoch;
        this.subscribing = undefined;
      },
      (err: unknown) => {
        this.subscribing = undefined;
        throw err;
      },
    );
    return this.subscribing;
  }

  /** Calls a hub method only while connected; callers decide what a failure means. */
  invoke(method: string, ...args: unknown[]): Promise<unknown> {
    return this.connection.invoke(method, ...args);
  }

  /** Drops the connection on purpose and lets the restart path bring it back (watchdog, logout). */
  async restart(reason: string): Promise<void> {
    this.opts.log.warn('restarting hub', { hub: this.opts.name, reason });
    this.status.restarts++;
    if (this.connection.state === HubConnectionState.Disconnected) {
      this.scheduleRestart(0);
      return;
    }
    await this.connection.stop(); // fires onclose -> scheduleRestart (when autoRestart)
    if (!this.opts.autoRestart) await this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.connection.stop();
    this.set('disconnected');
  }

  private checkAuth(err: unknown): void {
    if (!mayBeUnauthorized(err) || !this.opts.onUnauthorized) return;
    this.opts.log.warn('hub connect failed in a way a refused token looks; logging in again', { hub: this.opts.name });
    this.opts.onUnauthorized().catch((e: unknown) => this.opts.log.error('login after hub 401 failed', { hub: this.opts.name, error: (e as Error).message }));
  }

  private resubscribeOrRestart(): void {
    this.ensureSubscribed().catch((err: unknown) => {
      this.opts.log.warn('re-subscribe after reconnect failed; restarting the connection', { hub: this.opts.name, error: (err as Error).message });
      void this.connection.stop();
    });
  }

  private scheduleRestart(delayMs?: number): void {
    if (this.stopping || this.restartTimer) return;
    const wait = delayMs ?? delayFor(this.opts.reconnectDelaysMs, this.restartAttempt);
    this.restartAttempt++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.status.restarts++;
      this.start().catch((err: unknown) => {
        this.opts.log.warn('hub restart failed', { hub: this.opts.name, error: (err as Error).message });
        this.scheduleRestart();
      });
    }, wait);
  }

  private set(state: HubState, error?: string): void {
    const changed = this.status.state !== state || error !== undefined;
    this.status.state = state;
    if (error !== undefined) this.status.lastError = error;
    if (changed) this.opts.onStatus(this.snapshot());
  }
}

/** Routes the library's own log lines (warnings and up) into ours. */
function signalrLogger(log: GatewayLog, hub: HubName): ILogger {
  return {
    log(level: LogLevel, message: string) {
      if (level >= LogLevel.Error) log.warn('signalr', { hub, message });
      else if (level === LogLevel.Warning) log.info('signalr', { hub, message });
    },
  };
}
