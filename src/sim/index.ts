// riskd's ProjectX-compatible gateway simulator: REST + SignalR hubs over real sockets, a moving market,
// order matching, and test controls (trader actions, faults, stalls, drops, token expiry, request log).
import { performance } from 'node:perf_hooks';
import { TokenIssuer } from './auth.ts';
import { AccountBook } from './engine/accounts.ts';
import { SimEngine } from './engine/engine.ts';
import { toContract } from './engine/contracts.ts';
import { restOrder } from './engine/orders.ts';
import { PositionBook } from './engine/positions.ts';
import { TradeLedger } from './engine/trades.ts';
import { HubFaultInjector, RestFaultInjector } from './faults.ts';
import { probeLatency, type LatencyProbe, type LatencyProbeOptions } from './latencyProbe.ts';
import { createPrng } from './prng.ts';
import { RequestLog } from './requestLog.ts';
import { accountRoutes } from './rest/accounts.ts';
import { authRoutes } from './rest/auth.ts';
import { contractRoutes } from './rest/contracts.ts';
import { historyRoutes } from './rest/history.ts';
import { orderRoutes } from './rest/orders.ts';
import { positionRoutes } from './rest/positions.ts';
import { tradeRoutes } from './rest/trades.ts';
import { buildHistory } from './history/pastTrading.ts';
import { historyAwareRoutes } from './history/routes.ts';
import { GatewayHttpServer } from './server/http.ts';
import { marketHubMethods, marketSubKey, userHubMethods, userSubKey } from './server/hubs.ts';
import { SlidingWindowLimiter } from './server/rateLimit.ts';
import { HubServer } from './server/signalr.ts';
import type {
  Account,
  Contract,
  HubName,
  SimAccountSeed,
  SimHubFaults,
  SimHubFrame,
  SimModifyOrderRequest,
  SimOptions,
  SimPlaceOrderRequest,
  SimPlaceResult,
  SimRequestLog,
  SimRestFaults,
  SimResult,
} from './types.ts';

export type * from './types.ts';
export type { LatencyProbe, LatencyProbeOptions, LatencySample } from './latencyProbe.ts';

/** The default accounts: one Practice (simulated) and one live funded (simulated:false). */
export const DEMO_ACCOUNTS: readonly SimAccountSeed[] = [
  { id: 13572468, name: 'PRAC-V2-000000-13572468', balance: 50000, simulated: true },
  { id: 13572501, name: 'LIVE-000000-13572501', balance: 50000, simulated: false },
];

export const DEFAULT_CREDENTIALS = { userName: 'demo_trader', apiKey: 'sim-demo-api-key-not-a-secret' } as const;

export interface Simulator {
  url: string;
  userHubUrl: string;
  marketHubUrl: string;
  credentials: { userName: string; apiKey: string };
  accounts(): Account[];
  contracts(): Contract[];
  requests: SimRequestLog;
  trader: {
    placeOrder(req: SimPlaceOrderRequest): SimPlaceResult;
    cancelOrder(accountId: number, orderId: number): SimResult;
    modifyOrder(req: SimModifyOrderRequest): SimResult;
    closeContract(accountId: number, contractId: string): SimResult;
    partialCloseContract(accountId: number, contractId: string, size: number): SimResult;
  };
  market: {
    setPrice(contractId: string, price: number): void;
    setQuote(contractId: string, q: { bid: number; ask: number; last?: number }): void;
    step(): void;
    quote(contractId: string): { bid: number; ask: number; last: number | null };
  };
  control: {
    setCanTrade(accountId: number, v: boolean): void;
    setBalance(accountId: number, balance: number): void;
    setBracketMode(accountId: number, mode: 'autoOco' | 'position'): void;
    dropHubs(which?: HubName | 'both'): void;
    /**
     * Server-initiated SignalR close (type 7). The default error text is the one seen live; with
     * allowReconnect the client's automatic reconnect kicks in, without it the client goes to onclose.
     */
    closeHubs(which?: HubName | 'both', o?: { error?: string | null; allowReconnect?: boolean }): void;
    stallHubs(ms: number): void;
    hubFaults(f: SimHubFaults): void;
    restFaults(f: SimRestFaults | null): void;
    expireTokens(): void;
    sendRawUserFrame(target: string, arg: unknown): void;
    sendRawMarketFrame(target: string, ...args: unknown[]): void;
    /** Writes arbitrary text as one record (e.g. invalid JSON) to every connection of a hub. */
    sendRawHubText(hub: HubName, text: string): void;
    /** From now on orders execute in fills of at most `maxPerFill` contracts (null = one fill per order). */
    partialFills(maxPerFill: number | null): void;
    /**
     * Trading session open/closed for the given contracts (default all). Closed: place -> errorCode 5,
     * closeContract -> 5, partialCloseContract -> 6, modify -> 3 ("Instrument is not in an active trading
     * status"), no fills, no random walk; cancel still works. market.setPrice still moves prices.
     */
    setMarketOpen(open: boolean, contractIds?: string[]): void;
    /** Market orders (incl. closeContract) fill this many ms after being accepted; 0 = synchronously. */
    setFillDelay(ms: number): void;
    /** From now on an exit is one trade row per lot it closed (true) or one row per execution (false). */
    exitRowsPerLot(on: boolean): void;
  };
  /** Read-only views for assertions (REST shapes). */
  state: {
    orders(accountId: number): Record<string, unknown>[];
    positions(accountId: number): Record<string, unknown>[];
    trades(accountId: number): Record<string, unknown>[];
    hubConnections(hub: HubName): number;
  };
  /** Every outgoing hub record with its send time; returns an unsubscribe function. */
  onHubFrame(listener: (f: SimHubFrame) => void): () => void;
  /** The last outgoing hub frames (bounded, newest last). */
  hubFrames(): readonly SimHubFrame[];
  /** Opt-in timing hook (benchmarks): breach frame written -> answering request received, on this clock. */
  probeLatency(o: LatencyProbeOptions): LatencyProbe;
  close(): Promise<void>;
}

const HUB_FRAME_KEEP = 5000;

export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? 1;
  const credentials = { userName: opts.userName ?? DEFAULT_CREDENTIALS.userName, apiKey: opts.apiKey ?? DEFAULT_CREDENTIALS.apiKey };
  const engine = new SimEngine({ seed, now, accounts: opts.accounts ?? [...DEMO_ACCOUNTS], bracketsOnFlat: opts.bracketsOnFlat ?? 'keep' });
  const tokens = new TokenIssuer(now, opts.tokenTtlMs ?? 24 * 3600_000);
  const log = new RequestLog(opts.requestLogLimit);
  const restFaults = new RestFaultInjector(createPrng(seed ^ 0x5eed01));
  const hubFaults = new HubFaultInjector(createPrng(seed ^ 0x5eed02));

  const frameListeners = new Set<(f: SimHubFrame) => void>();
  const frames: SimHubFrame[] = [];
  const onFrame = (f: SimHubFrame): void => {
    frames.push(f);
    if (frames.length > HUB_FRAME_KEEP) frames.splice(0, frames.length - HUB_FRAME_KEEP);
    for (const l of frameListeners) l(f);
  };
  const onHubFrame = (l: (f: SimHubFrame) => void): (() => void) => {
    frameListeners.add(l);
    return () => frameListeners.delete(l);
  };
  let stalledUntil = 0;
  const hubDeps = {
    tokens,
    keepAliveMs: opts.hubKeepAliveMs ?? 15_000,
    clientTimeoutMs: opts.hubClientTimeoutMs ?? 30_000,
    faults: hubFaults,
    stalledUntil: () => stalledUntil,
    onFrame,
    closeOnTokenExpiry: opts.hubsCloseOnTokenExpiry ?? false,
  };
  const userHub = new HubServer({ ...hubDeps, name: 'user', methods: userHubMethods });
  const marketHub = new HubServer({ ...hubDeps, name: 'market', methods: marketHubMethods });
  engine.bus.onUser((e) => userHub.broadcast(userSubKey(e), e.target, [{ action: e.action, data: e.data }]));
  engine.bus.onMarket((e) => marketHub.broadcast(marketSubKey(e), e.target, [e.contractId, e.data]));

  // A remembered past (riskd replay): its routes wrap the live ones of the same path (later entries win).
  const past = opts.pastTrading;
  const withPast = (routes: typeof authRoutes) =>
    past ? [...routes, ...historyAwareRoutes(buildHistory(past.accountId, past.trips, (id) => engine.catalog.get(id), past.keptSince), routes, now())] : routes;
  const http = new GatewayHttpServer({
    engine,
    tokens,
    credentials,
    liveData: opts.liveData ?? false,
    routes: withPast([...authRoutes, ...accountRoutes, ...contractRoutes, ...orderRoutes, ...positionRoutes, ...tradeRoutes, ...historyRoutes]),
    limiter: new SlidingWindowLimiter(opts.rateLimit ?? { max: 200, windowMs: 60_000 }, now),
    barsLimiter: new SlidingWindowLimiter(opts.barsRateLimit ?? { max: 50, windowMs: 30_000 }, now),
    faults: restFaults,
    log,
    hubs: { user: userHub, market: marketHub },
  });
  const host = opts.host ?? '127.0.0.1';
  const port = await http.listen(opts.port ?? 0, host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  engine.market.start(opts.marketIntervalMs ?? 0);
  engine.orders.fillDelayMs = opts.fillDelayMs ?? 0;
  engine.orders.exitRowsPerLot = opts.exitRowsPerLot ?? false;

  const hubsOf = (which: HubName | 'both'): HubServer[] =>
    which === 'user' ? [userHub] : which === 'market' ? [marketHub] : [userHub, marketHub];
  let closed = false;

  return {
    url,
    userHubUrl: `${url}/hubs/user`,
    marketHubUrl: `${url}/hubs/market`,
    credentials,
    requests: log,
    accounts: () => engine.accounts.all().map(AccountBook.wire),
    contracts: () => engine.catalog.all().map(toContract),
    trader: {
      placeOrder: (req) => engine.orders.place(req),
      cancelOrder: (accountId, orderId) => engine.orders.cancel(accountId, orderId, 'platform'),
      modifyOrder: (req) => engine.orders.modify(req),
      closeContract: (accountId, contractId) => engine.orders.closeContract(accountId, contractId),
      partialCloseContract: (accountId, contractId, size) => engine.orders.partialCloseContract(accountId, contractId, size, 'platform'),
    },
    market: {
      setPrice: (contractId, price) => engine.market.setPrice(contractId, price),
      setQuote: (contractId, q) => engine.market.setQuote(contractId, q),
      step: () => engine.market.step(),
      quote: (contractId) => {
        const b = engine.market.book(contractId);
        return { bid: b.bid, ask: b.ask, last: b.last };
      },
    },
    control: {
      setCanTrade: (accountId, v) => engine.accounts.setCanTrade(accountId, v),
      setBalance: (accountId, balance) => engine.accounts.setBalance(accountId, balance),
      setBracketMode: (accountId, mode) => engine.accounts.setBracketMode(accountId, mode),
      dropHubs: (which = 'both') => {
        for (const h of hubsOf(which)) h.dropAll();
      },
      closeHubs: (which = 'both', o = {}) => {
        const error = o.error === undefined ? 'Connection closed with an error.' : o.error;
        for (const h of hubsOf(which)) h.closeAll(error, o.allowReconnect ?? false);
      },
      stallHubs: (ms) => {
        if (!(ms >= 0)) throw new Error(`sim stallHubs: ms must be >= 0, got ${ms}`);
        stalledUntil = Math.max(stalledUntil, performance.now() + ms);
      },
      hubFaults: (f) => hubFaults.set(f),
      restFaults: (f) => restFaults.set(f),
      expireTokens: () => tokens.expireAll(),
      sendRawUserFrame: (target, arg) => userHub.broadcast(null, target, [arg]),
      sendRawMarketFrame: (target, ...args) => marketHub.broadcast(null, target, args),
      sendRawHubText: (hub, text) => hubsOf(hub)[0]?.rawText(text),
      partialFills: (maxPerFill) => {
        if (maxPerFill !== null && !(Number.isInteger(maxPerFill) && maxPerFill > 0)) {
          throw new Error(`sim partialFills: maxPerFill must be a positive integer or null, got ${maxPerFill}`);
        }
        engine.orders.maxFillSize = maxPerFill;
      },
      setMarketOpen: (open, contractIds) => engine.market.setOpen(open, contractIds),
      setFillDelay: (ms) => {
        if (!(ms >= 0)) throw new Error(`sim setFillDelay: ms must be >= 0, got ${ms}`);
        engine.orders.fillDelayMs = ms;
      },
      exitRowsPerLot: (on) => {
        engine.orders.exitRowsPerLot = on;
      },
    },
    state: {
      orders: (accountId) => engine.orders.list(accountId).map(restOrder),
      positions: (accountId) => engine.positions.list(accountId).map(PositionBook.rest),
      trades: (accountId) => engine.trades.list(accountId).map(TradeLedger.rest),
      hubConnections: (hub) => hubsOf(hub)[0]?.connections.size ?? 0,
    },
    onHubFrame,
    hubFrames: () => frames,
    probeLatency: (o) => probeLatency({ onHubFrame, onRequest: (l) => log.onRequest(l) }, o),
    close: async () => {
      if (closed) return;
      closed = true;
      engine.market.stop();
      engine.orders.stop();
      userHub.close();
      marketHub.close();
      await http.close();
    },
  };
}
