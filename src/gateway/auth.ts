// TokenManager: owns the session token. Logs in with the API key, refreshes with Auth/validate well before the
// JWT expires (half the lifetime or one hour before expiry, whichever comes first), and on any doubt
// (validate refused, timed out, unreadable) does a fresh loginKey. `current()` feeds SignalR's accessTokenFactory.
import { AuthError, FATAL_LOGIN_CODES, GatewayCallError, GatewayHttpError, errorCodeName, loginErrorMessage } from './errors.ts';
import { postJson, transportFor, type HttpDeps, type SendGate } from './http.ts';
import type { Transport } from './transport.ts';
import { jwtExpiryMs } from './jwt.ts';
import { silentLog, type GatewayLog } from './log.ts';
import { RateBudget } from './rateBudget.ts';
import { parseRestEnvelope } from './parse/envelope.ts';
import { parseTokenResponse } from './parse/responses.ts';

const LOGIN = '/api/Auth/loginKey';
const VALIDATE = '/api/Auth/validate';
const DEFAULT_LIFETIME_MS = 24 * 3_600_000; // the documented lifetime when the token carries no exp

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface TokenManagerOptions {
  baseUrl: string;
  userName: string;
  apiKey: string;
  fetch?: typeof fetch;
  /** How requests travel (the gateway stack shares one between auth and REST); default: see transportFor. */
  transport?: Transport;
  /** When a ready request may leave (see SendGate); default: at once. */
  gate?: SendGate;
  budget?: RateBudget;
  timeoutMs?: number;
  log?: GatewayLog;
  now?: () => number;
  timers?: Timers;
  /** Schedule validate/login on our own timer (default true). The connection machine can drive it instead. */
  autoRefresh?: boolean;
  /** Refresh at least this long before expiry (default 1 h). */
  refreshLeadMs?: number;
  /** Waits before retrying a failed refresh (default 5 s, 15 s, 60 s, then 60 s). */
  retryDelaysMs?: readonly number[];
}

export interface TokenInfo {
  obtainedAt: number;
  expiresAt: number;
}

export class TokenManager {
  private token: string | undefined;
  private info: TokenInfo | undefined;
  private loginInFlight: Promise<string> | undefined;
  private refreshInFlight: Promise<string> | undefined;
  private timer: unknown;
  private failures = 0;
  private stopped = false;
  private readonly listeners = new Set<(info: TokenInfo) => void>();
  private readonly http: HttpDeps;
  private readonly log: GatewayLog;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly timeoutMs: number;

  constructor(private readonly opts: TokenManagerOptions) {
    this.http = { baseUrl: opts.baseUrl, transport: transportFor(opts), budget: opts.budget ?? new RateBudget(), ...(opts.gate ? { gate: opts.gate } : {}) };
    this.log = opts.log ?? silentLog;
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The latest token, synchronously (for accessTokenFactory). Throws AuthError before the first login. */
  current(): string {
    if (!this.token) throw new AuthError(LOGIN, 'not logged in yet', false);
    return this.token;
  }

  hasToken(): boolean {
    return this.token !== undefined;
  }

  tokenInfo(): TokenInfo | undefined {
    return this.info ? { ...this.info } : undefined;
  }

  /** Called with the new expiry every time a token is obtained. Returns an unsubscribe function. */
  onToken(listener: (info: TokenInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A token that has not expired yet, logging in if needed. */
  async ensure(): Promise<string> {
    return this.valid() ?? this.login();
  }

  /** The token if it has not expired yet, without waiting (callers that must send in this turn). */
  valid(): string | undefined {
    return this.token && this.info && this.now() < this.info.expiresAt - 5_000 ? this.token : undefined;
  }

  /** After an HTTP 401 with `stale`: one fresh login, shared by every caller that saw the same stale token. */
  async relogin(stale?: string): Promise<string> {
    if (stale !== undefined && this.token !== undefined && this.token !== stale) return this.token;
    return this.login();
  }

  /** Milliseconds until the next planned refresh (0 when due or when there is no token). */
  msUntilRefresh(): number {
    if (!this.info) return 0;
    const { obtainedAt, expiresAt } = this.info;
    const lifetime = expiresAt - obtainedAt;
    const lead = this.opts.refreshLeadMs ?? 3_600_000;
    let at = obtainedAt + lifetime / 2;
    if (expiresAt - lead > obtainedAt) at = Math.min(at, expiresAt - lead);
    return Math.max(0, Math.round(at - this.now()));
  }

  /** Fresh loginKey (concurrent callers share one request). */
  login(): Promise<string> {
    if (this.stopped) return Promise.reject(new AuthError(LOGIN, 'token manager stopped', false));
    this.loginInFlight ??= this.doLogin().finally(() => {
      this.loginInFlight = undefined;
    });
    return this.loginInFlight;
  }

  /** Auth/validate for a rotated token; on any doubt, a fresh loginKey. */
  refresh(): Promise<string> {
    if (this.stopped) return Promise.reject(new AuthError(VALIDATE, 'token manager stopped', false));
    this.refreshInFlight ??= this.doRefresh().finally(() => {
      this.refreshInFlight = undefined;
    });
    return this.refreshInFlight;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async doLogin(): Promise<string> {
    const res = await postJson(this.http, LOGIN, { userName: this.opts.userName, apiKey: this.opts.apiKey }, {
      timeoutMs: this.timeoutMs,
      priority: 'enforce', // every other call, enforcement included, waits on a token
      mutation: false,
    });
    if (res.status === 400) {
      throw new AuthError(LOGIN, 'ProjectX login refused (HTTP 400): the user name or API key is missing in the configuration', true);
    }
    if (res.status !== 200) throw new GatewayHttpError(LOGIN, res.status, 'login', false);
    let env;
    try {
      env = parseRestEnvelope(res.body, LOGIN);
    } catch (err) {
      throw new AuthError(LOGIN, `ProjectX login returned an unreadable response: ${(err as Error).message}`, false);
    }
    if (!env.success) {
      const name = errorCodeName(LOGIN, env.errorCode);
      throw new AuthError(LOGIN, loginErrorMessage(env.errorCode, env.errorMessage), FATAL_LOGIN_CODES.has(name), env.errorCode, name);
    }
    const tok = parseTokenResponse(LOGIN, res.body, 'token');
    if (!tok.ok) throw new AuthError(LOGIN, tok.failure.reason, false);
    this.install(tok.value);
    this.log.info('gateway login ok', { expiresAt: new Date(this.info!.expiresAt).toISOString() });
    return tok.value;
  }

  private async doRefresh(): Promise<string> {
    const old = this.token;
    if (!old) return this.login();
    try {
      const res = await postJson(this.http, VALIDATE, undefined, { token: old, timeoutMs: this.timeoutMs, priority: 'enforce', mutation: false });
      if (res.status === 200) {
        const env = parseRestEnvelope(res.body, VALIDATE);
        if (env.success) {
          const tok = parseTokenResponse(VALIDATE, res.body, 'newToken');
          if (tok.ok) {
            // Guard against a concurrent login having installed something newer meanwhile.
            if (this.token === old) this.install(tok.value);
            this.log.info('gateway token refreshed', { expiresAt: new Date(this.info!.expiresAt).toISOString() });
            return this.token!;
          }
        } else {
          this.log.warn('token validate refused, logging in again', { code: errorCodeName(VALIDATE, env.errorCode) });
        }
      } else {
        this.log.warn('token validate failed, logging in again', { httpStatus: res.status });
      }
    } catch (err) {
      // A timeout after send may have rotated the old token: only a fresh login removes the doubt.
      this.log.warn('token validate errored, logging in again', { error: err instanceof Error ? err.message : String(err) });
    }
    return this.login();
  }

  private install(token: string): void {
    const now = this.now();
    const exp = jwtExpiryMs(token);
    this.token = token;
    this.info = { obtainedAt: now, expiresAt: exp !== undefined && exp > now ? exp : now + DEFAULT_LIFETIME_MS };
    this.failures = 0;
    for (const l of this.listeners) l({ ...this.info });
    this.schedule(this.msUntilRefresh());
  }

  private schedule(ms: number): void {
    if (this.stopped || this.opts.autoRefresh === false) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.refresh().catch((err: unknown) => {
        this.failures++;
        const delays = this.opts.retryDelaysMs ?? [5_000, 15_000, 60_000];
        const wait = delays[Math.min(this.failures - 1, delays.length - 1)] ?? 60_000;
        const fatal = err instanceof AuthError && err.fatal;
        this.log.error('gateway token refresh failed', { error: err instanceof GatewayCallError ? err.message : String(err), retryInMs: fatal ? null : wait });
        if (!fatal) this.schedule(wait);
      });
    }, Math.min(ms, 2_147_000_000));
  }
}
