// ProjectXRest: the typed REST client. Every call waits for a rate-budget slot, carries a timeout and the
// current Bearer token, and maps failures to the error classes in errors.ts.
//
// Retry policy (the part that matters for real money):
// - HTTP 401: exactly one fresh login, then one retry, for reads AND mutations. A 401 is produced by the
//   authentication layer before the request reaches the order engine, so the mutation provably did not run.
// - HTTP 429: reads back off (Retry-After when present) and retry; mutations throw RateLimitedError (nothing ran).
// - Timeout / 5xx / transport failure: reads retry a little; MUTATIONS NEVER RETRY and throw with
//   `ambiguous: true`, because the order may have executed: the caller reconciles first.
import type { Account, Contract, Order, OrderSide, OrderType, Position, Trade } from './models.ts';
import { AuthError, GatewayError, GatewayHttpError, GatewayProtocolError, GatewayTimeoutError, RateLimitedError } from './errors.ts';
import { postJson, transportFor, type HttpDeps, type RawResponse, type SendGate } from './http.ts';
import type { Transport } from './transport.ts';
import { silentLog, type GatewayLog } from './log.ts';
import { RateBudget, type Priority } from './rateBudget.ts';
import type { ParseFailure, ParseResult } from './parse/failure.ts';
import { parseRestEnvelope } from './parse/envelope.ts';
import {
  parseAccountsResponse, parseContractResponse, parseContractsResponse, parseOrderIdResponse, parseOrdersPageResponse, parseOrdersResponse,
  parsePositionsResponse, parseTradesResponse,
} from './parse/responses.ts';

export type { Priority } from './rateBudget.ts';

export interface CallOpts {
  priority?: Priority;
  timeoutMs?: number;
  /** Called when the rate budget lets the request go: it leaves for the gateway now. */
  onBudgetGranted?: () => void;
}

export interface PlaceOrderRequest {
  accountId: number;
  contractId: string;
  type: OrderType;
  side: OrderSide;
  size: number;
  limitPrice?: number | null;
  stopPrice?: number | null;
  trailPrice?: number | null;
  customTag?: string | null;
  stopLossBracket?: { ticks: number; type: OrderType } | null;
  takeProfitBracket?: { ticks: number; type: OrderType } | null;
}

export interface ModifyOrderRequest {
  accountId: number;
  orderId: number;
  size?: number | null;
  limitPrice?: number | null;
  stopPrice?: number | null;
  trailPrice?: number | null;
}

export interface GatewayRest {
  searchAccounts(onlyActive: boolean, o?: CallOpts): Promise<Account[]>;
  searchOpenPositions(accountId: number, o?: CallOpts): Promise<Position[]>;
  queryWorkingOrders(accountId: number, o?: CallOpts): Promise<Order[]>;
  searchOrders(accountId: number, startMs: number, endMs?: number, o?: CallOpts): Promise<Order[]>;
  searchTrades(accountId: number, startMs: number, endMs?: number, o?: CallOpts): Promise<Trade[]>;
  contractById(contractId: string, o?: CallOpts): Promise<Contract>;
  closeContract(accountId: number, contractId: string, o?: CallOpts): Promise<void>;
  partialCloseContract(accountId: number, contractId: string, size: number, o?: CallOpts): Promise<void>;
  cancelOrder(accountId: number, orderId: number, o?: CallOpts): Promise<void>;
  placeOrder(req: PlaceOrderRequest, o?: CallOpts): Promise<number>;
  modifyOrder(req: ModifyOrderRequest, o?: CallOpts): Promise<void>;
}

/** What the REST client needs from the TokenManager. */
export interface TokenSource {
  ensure(): Promise<string>;
  /** The current token when it needs no refresh, synchronously (so a mutation can leave in the caller's turn). */
  valid?(): string | undefined;
  relogin(stale?: string): Promise<string>;
}

export interface ProjectXRestOptions {
  baseUrl: string;
  tokens: TokenSource;
  budget?: RateBudget;
  fetch?: typeof fetch;
  /** How requests travel (the gateway stack shares one between auth and REST); default: see transportFor. */
  transport?: Transport;
  /** When a ready request may leave (see SendGate); default: at once. */
  gate?: SendGate;
  log?: GatewayLog;
  /** Per-call timeout when CallOpts has none (default 10 s). */
  timeoutMs?: number;
  /** Waits between read retries after 429 without Retry-After, 5xx, timeouts (default 1 s, 5 s, 15 s). */
  readRetryDelaysMs?: readonly number[];
  /**
   * The same for reads an enforcement waits on (priority 'enforce': the executor's checks before a re-send),
   * where a breach is open while they back off (default 200 ms, 500 ms, 1 s, 2 s). Retry-After still rules.
   */
  enforceReadRetryDelaysMs?: readonly number[];
  /** Page size for Order/v2/query (default 100). */
  pageSize?: number;
  onParseFailure?: (f: ParseFailure) => void;
  sleep?: (ms: number) => Promise<void>;
}

const WORKING_STATUSES = [1, 6, 7, 8];
const MAX_PAGES = 100;

export class ProjectXRest implements GatewayRest {
  /** The shared request budget (exposed for stats). */
  readonly budget: RateBudget;
  private readonly http: HttpDeps;
  private readonly log: GatewayLog;
  private readonly timeoutMs: number;
  private readonly retryDelays: readonly number[];
  private readonly enforceRetryDelays: readonly number[];
  private readonly sleep: (ms: number) => Promise<void>;
  /** Set once Order/v2/query proved missing on this gateway; from then on Order/searchOpen is used. */
  private v2QueryMissing = false;

  constructor(private readonly opts: ProjectXRestOptions) {
    this.budget = opts.budget ?? new RateBudget();
    this.http = { baseUrl: opts.baseUrl, transport: transportFor(opts), budget: this.budget, ...(opts.gate ? { gate: opts.gate } : {}) };
    this.log = opts.log ?? silentLog;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retryDelays = opts.readRetryDelaysMs ?? [1_000, 5_000, 15_000];
    this.enforceRetryDelays = opts.enforceReadRetryDelaysMs ?? [200, 500, 1_000, 2_000];
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** True once the gateway has been found to lack Order/v2/query. */
  get usesSearchOpenFallback(): boolean {
    return this.v2QueryMissing;
  }

  // ---- reads ----

  async searchAccounts(onlyActive: boolean, o?: CallOpts): Promise<Account[]> {
    const body = await this.read('/api/Account/search', { onlyActiveAccounts: onlyActive }, o);
    return this.parsed(parseAccountsResponse(body), false);
  }

  async searchOpenPositions(accountId: number, o?: CallOpts): Promise<Position[]> {
    const body = await this.read('/api/Position/searchOpen', { accountId }, o);
    return this.parsed(parsePositionsResponse(body), false);
  }

  async searchOrders(accountId: number, startMs: number, endMs?: number, o?: CallOpts): Promise<Order[]> {
    const req = { accountId, startTimestamp: iso(startMs), endTimestamp: endMs === undefined ? null : iso(endMs) };
    const body = await this.read('/api/Order/search', req, o);
    return this.parsed(parseOrdersResponse('/api/Order/search', body), false);
  }

  async searchTrades(accountId: number, startMs: number, endMs?: number, o?: CallOpts): Promise<Trade[]> {
    const req = { accountId, startTimestamp: iso(startMs), endTimestamp: endMs === undefined ? null : iso(endMs) };
    const body = await this.read('/api/Trade/search', req, o);
    return this.parsed(parseTradesResponse(body), false);
  }

  /** Contract/available with live:false (Practice accounts may see nothing with live:true): every tradable product. */
  async availableContracts(o?: CallOpts): Promise<Contract[]> {
    const body = await this.read('/api/Contract/available', { live: false }, o);
    return this.parsed(parseContractsResponse('/api/Contract/available', body), false);
  }

  async contractById(contractId: string, o?: CallOpts): Promise<Contract> {
    const body = await this.read('/api/Contract/searchById', { contractId }, o);
    return this.parsed(parseContractResponse(body), false);
  }

  /**
   * Every working order (Open, Pending, PendingCancellation, Suspended bracket children) via Order/v2/query.
   * Gateways without v2/query (404/405/400) fall back to Order/searchOpen, which misses Suspended children.
   */
  async queryWorkingOrders(accountId: number, o?: CallOpts): Promise<Order[]> {
    if (!this.v2QueryMissing) {
      try {
        return await this.queryV2(accountId, o);
      } catch (err) {
        if (!(err instanceof GatewayHttpError && [400, 404, 405].includes(err.httpStatus ?? 0))) throw err;
        this.v2QueryMissing = true;
        this.log.warn('Order/v2/query unavailable; falling back to Order/searchOpen (Suspended bracket children are not listed)', { httpStatus: err.httpStatus });
      }
    }
    const body = await this.read('/api/Order/searchOpen', { accountId }, o);
    return this.parsed(parseOrdersResponse('/api/Order/searchOpen', body), false);
  }

  private async queryV2(accountId: number, o?: CallOpts): Promise<Order[]> {
    const pageSize = this.opts.pageSize ?? 100;
    const fetchPage = async (pageOffset: number) => {
      const req = {
        filter: { accountId, statuses: WORKING_STATUSES, contractId: null, createdAfter: null, createdBefore: null },
        pageSize, pageOffset, sortBy: 1, sortDirection: 0, includeTotalCount: true,
      };
      return this.parsed(parseOrdersPageResponse(await this.read('/api/Order/v2/query', req, o)), false);
    };
    const first = await fetchPage(0);
    const byId = new Map<number, Order>(first.orders.map((x) => [x.id, x]));
    const more = () => (first.totalCount !== undefined ? byId.size < first.totalCount : true);
    if (first.orders.length < pageSize || !more()) return [...byId.values()];
    // Whether pageOffset counts items or pages is undocumented. Probe with offset 1 (sorted by id): item
    // semantics return the first page shifted by one, page semantics return the second page.
    const probe = await fetchPage(1);
    const itemOffsets = probe.orders[0]?.id === first.orders[1]?.id;
    for (const x of probe.orders) byId.set(x.id, x);
    for (let page = 2; page < MAX_PAGES && more(); page++) {
      const next = await fetchPage(itemOffsets ? byId.size : page);
      const before = byId.size;
      for (const x of next.orders) byId.set(x.id, x);
      if (next.orders.length === 0 || byId.size === before) break;
    }
    return [...byId.values()];
  }

  // ---- mutations (never retried blindly) ----

  async closeContract(accountId: number, contractId: string, o?: CallOpts): Promise<void> {
    await this.mutate('/api/Position/closeContract', { accountId, contractId }, o);
  }

  async partialCloseContract(accountId: number, contractId: string, size: number, o?: CallOpts): Promise<void> {
    await this.mutate('/api/Position/partialCloseContract', { accountId, contractId, size }, o);
  }

  async cancelOrder(accountId: number, orderId: number, o?: CallOpts): Promise<void> {
    await this.mutate('/api/Order/cancel', { accountId, orderId }, o);
  }

  async modifyOrder(req: ModifyOrderRequest, o?: CallOpts): Promise<void> {
    await this.mutate('/api/Order/modify', {
      accountId: req.accountId, orderId: req.orderId, size: req.size ?? null, limitPrice: req.limitPrice ?? null,
      stopPrice: req.stopPrice ?? null, trailPrice: req.trailPrice ?? null,
    }, o);
  }

  /** Returns the new orderId; success:false throws GatewayError carrying the (rejected) orderId. */
  async placeOrder(req: PlaceOrderRequest, o?: CallOpts): Promise<number> {
    const endpoint = '/api/Order/place';
    const body = {
      accountId: req.accountId, contractId: req.contractId, type: req.type, side: req.side, size: req.size,
      limitPrice: req.limitPrice ?? null, stopPrice: req.stopPrice ?? null, trailPrice: req.trailPrice ?? null,
      customTag: req.customTag ?? null, stopLossBracket: req.stopLossBracket ?? null, takeProfitBracket: req.takeProfitBracket ?? null,
    };
    const res = await this.send(endpoint, body, o, true);
    const idResult = parseOrderIdResponse(res.body);
    const env = this.envelope(endpoint, res, true);
    const orderId = idResult.ok ? idResult.value : undefined;
    if (!env.success) throw new GatewayError(endpoint, env.errorCode, env.errorMessage, res.status, orderId);
    if (orderId === undefined) {
      throw new GatewayProtocolError(endpoint, idResult.ok ? 'success without an orderId' : idResult.failure.reason, true);
    }
    return orderId;
  }

  // ---- plumbing ----

  private async read(endpoint: string, body: unknown, o?: CallOpts): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.send(endpoint, body, o, false);
        const env = this.envelope(endpoint, res, false);
        if (!env.success) throw new GatewayError(endpoint, env.errorCode, env.errorMessage, res.status);
        return res.body;
      } catch (err) {
        const wait = this.readRetryWait(err, attempt, o?.priority === 'enforce' ? this.enforceRetryDelays : this.retryDelays);
        if (wait === undefined) throw err;
        this.log.warn('gateway read failed, retrying', { endpoint, attempt: attempt + 1, waitMs: wait, error: (err as Error).message });
        await this.sleep(wait);
      }
    }
  }

  /** undefined = do not retry. */
  private readRetryWait(err: unknown, attempt: number, delays: readonly number[]): number | undefined {
    if (attempt >= delays.length) return undefined;
    const fallback = delays[attempt] ?? 15_000;
    if (err instanceof RateLimitedError) return err.retryAfterMs ?? fallback;
    if (err instanceof GatewayTimeoutError) return fallback;
    if (err instanceof GatewayHttpError && (err.httpStatus === undefined || err.httpStatus >= 500)) return fallback;
    return undefined;
  }

  private async mutate(endpoint: string, body: unknown, o?: CallOpts): Promise<void> {
    const res = await this.send(endpoint, body, o, true);
    const env = this.envelope(endpoint, res, true);
    if (!env.success) throw new GatewayError(endpoint, env.errorCode, env.errorMessage, res.status);
  }

  /** One request with the 401 → single re-login → single retry rule; maps non-200 statuses to errors. */
  private async send(endpoint: string, body: unknown, o: CallOpts | undefined, mutation: boolean): Promise<RawResponse> {
    const priority = o?.priority ?? (mutation ? 'enforce' : 'reconcile');
    const timeoutMs = o?.timeoutMs ?? this.timeoutMs;
    let token = this.opts.tokens.valid?.() ?? (await this.opts.tokens.ensure());
    const granted = o?.onBudgetGranted ? { onBudgetGranted: o.onBudgetGranted } : {};
    let res = await postJson(this.http, endpoint, body, { token, timeoutMs, priority, mutation, ...granted });
    if (res.status === 401) {
      // Safe for mutations too: a 401 is rejected by authentication before anything executes.
      this.log.warn('gateway returned 401, logging in again once', { endpoint });
      token = await this.opts.tokens.relogin(token);
      res = await postJson(this.http, endpoint, body, { token, timeoutMs, priority, mutation, ...granted });
      if (res.status === 401) throw new AuthError(endpoint, `${endpoint} refused the token (HTTP 401) even after a fresh login`, false);
    }
    if (res.status === 429) {
      this.budget.noteRateLimited(res.retryAfterMs);
      throw new RateLimitedError(endpoint, res.retryAfterMs);
    }
    if (res.status !== 200) {
      // 5xx on a mutation: the server may have executed it before failing. 4xx: refused before execution.
      const ambiguous = mutation && res.status >= 500;
      throw new GatewayHttpError(endpoint, res.status, problemDetail(res.body), ambiguous);
    }
    return res;
  }

  private envelope(endpoint: string, res: RawResponse, mutation: boolean) {
    try {
      return parseRestEnvelope(res.body, endpoint);
    } catch (err) {
      const reason = (err as Error).message;
      this.opts.onParseFailure?.({ event: endpoint, reason, sample: '' });
      throw new GatewayProtocolError(endpoint, reason, mutation);
    }
  }

  private parsed<T>(r: ParseResult<T>, mutation: boolean): T {
    if (r.ok) return r.value;
    this.opts.onParseFailure?.(r.failure);
    this.log.error('gateway response failed validation', { ...r.failure });
    throw new GatewayProtocolError(r.failure.event, r.failure.reason, mutation);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A short description from an RFC-7807 ProblemDetails body, if any. */
function problemDetail(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { title?: unknown; detail?: unknown };
    const parts = [b.title, b.detail].filter((x): x is string => typeof x === 'string');
    return parts.join(': ').slice(0, 200);
  }
  return '';
}

