// Public types of the simulator library (see /work/briefs/contracts.md, "Simulator").
import type { Account, Contract, OrderSide, OrderType } from '../gateway/models.ts';
import type { PastRoundTrip } from './history/pastTrading.ts';

/** One account the simulator starts with. */
export interface SimAccountSeed {
  id: number;
  name: string;
  balance?: number; // default 50000
  canTrade?: boolean; // default true
  isVisible?: boolean; // default true
  /** Practice/Combine = true; a live funded account = false (refuses cancel and partial close). */
  simulated?: boolean; // default true
  /** Auto-OCO brackets (default) accept stopLossBracket/takeProfitBracket; 'position' refuses them. */
  bracketMode?: 'autoOco' | 'position';
}

export interface SimRateLimit {
  max: number; // requests
  windowMs: number; // sliding window
}

export interface SimOptions {
  /** Earlier trading days the simulator remembers (Trade/search, Order/search, minute bars): `riskd replay`. */
  pastTrading?: { accountId: number; trips: readonly PastRoundTrip[]; keptSince?: number };
  port?: number; // 0 = ephemeral
  host?: string; // 127.0.0.1
  seed?: number;
  userName?: string;
  apiKey?: string;
  tokenTtlMs?: number; // default 24 h
  /** > 0: the market random-walks every interval. 0 (default): moves only via market.setPrice/step. */
  marketIntervalMs?: number;
  accounts?: SimAccountSeed[];
  /** Injectable wall clock (epoch ms) for timestamps, token expiry and rate limiting. */
  now?: () => number;
  /** Per-token REST budget; default 200 / 60 s like the real gateway. */
  rateLimit?: SimRateLimit;
  /** Separate budget for History/retrieveBars; default 50 / 30 s. */
  barsRateLimit?: SimRateLimit;
  /** Server keep-alive ping interval on the hubs; default 15 s. */
  hubKeepAliveMs?: number;
  /**
   * Whether the hubs close an open connection when the token it connected with expires (unverified on the
   * real gateway, projectx-api.md §11.2). Default false: open sockets outlive their token.
   */
  hubsCloseOnTokenExpiry?: boolean;
  /** Close a hub connection that sent nothing for this long; default 30 s. */
  hubClientTimeoutMs?: number;
  /**
   * What happens to Auto-OCO children when their position goes flat by another order (closeContract,
   * opposite market order): 'keep' (default, the adversarial live behaviour: leftovers can flip you)
   * or 'cancel'.
   */
  bracketsOnFlat?: 'keep' | 'cancel';
  /**
   * Delay between accepting a market order (status 6, REST answer) and its fill events. 0 (default) fills
   * synchronously, before the REST answer is written; the real venue fills a few ms after answering.
   */
  fillDelayMs?: number;
  /**
   * The user holds a live market-data subscription. false (default, like most Practice users):
   * Contract/search and Contract/available with live:true return an empty list.
   */
  liveData?: boolean;
  /**
   * Report an exit as one trade row per lot it closed (same orderId, each row with its lot's own profitAndLoss and
   * fees), as seen live (projectx-api.md §8.25). Default false: one row per execution.
   */
  exitRowsPerLot?: boolean;
  /** Request-log size bound for long runs (oldest entries dropped); default unbounded. */
  requestLogLimit?: number;
}

export interface SimPlaceOrderRequest {
  accountId: number;
  contractId: string;
  type: OrderType | number;
  side: OrderSide | number;
  size: number;
  limitPrice?: number | null;
  stopPrice?: number | null;
  trailPrice?: number | null;
  customTag?: string | null;
  stopLossBracket?: { ticks: number; type: OrderType | number } | null;
  takeProfitBracket?: { ticks: number; type: OrderType | number } | null;
}

export interface SimModifyOrderRequest {
  accountId: number;
  orderId: number;
  size?: number | null;
  limitPrice?: number | null;
  stopPrice?: number | null;
  trailPrice?: number | null;
}

/** The gateway's result envelope for mutations. */
export interface SimResult {
  success: boolean;
  errorCode: number;
  errorMessage: string | null;
}

export interface SimPlaceResult extends SimResult {
  orderId: number;
}

/** One REST call as the simulator saw it. Secrets (apiKey, tokens) are replaced by "***". */
export interface SimRequest {
  seq: number;
  /** performance.now() when the request arrived (for latency measurements). */
  at: number;
  /** Date.now() when the request arrived. */
  wallAt: number;
  /** performance.now() when the response was decided (for a hang: when the hang started). */
  doneAt: number;
  method: string;
  path: string;
  body: unknown;
  /** HTTP status; 0 when the sim hung the request (timeout fault). */
  status: number;
  response: unknown;
  /** Set when a restFault decided the outcome. */
  fault?: '429' | '500' | 'timeout';
  /** For a timeout fault: whether the call was executed before hanging. */
  executed?: boolean;
}

export type HubName = 'user' | 'market';

/** One outgoing hub frame (one SignalR record, without the trailing \x1e). */
export interface SimHubFrame {
  hub: HubName;
  connectionId: string;
  at: number; // performance.now() when written to the socket
  wallAt: number;
  kind: 'handshake' | 'event' | 'completion' | 'ping' | 'close' | 'raw';
  target?: string;
  text: string;
}

export interface SimHubFaults {
  duplicate?: number; // probability an event frame is sent twice
  reorder?: number; // probability an event frame is held back and sent after the next one
  delayMs?: number; // every event frame is delayed by this much (order kept)
  drop?: number; // probability an event frame is never sent
}

export interface SimRestFaults {
  rate: number; // fraction of matching calls that fail
  kinds: ('429' | '500' | 'timeout')[];
  paths?: string[]; // e.g. ['/api/Position/closeContract']; default all /api paths
  /**
   * For 'timeout': true (default) = the call IS executed, then the response never comes (the client
   * must treat the outcome as unknown and reconcile); false = hang without executing.
   */
  timeoutExecutes?: boolean;
  /** How long a hung request is held before the socket is destroyed; default 120 s. */
  hangMs?: number;
}

export interface SimRequestLog {
  readonly entries: readonly SimRequest[];
  /** Calls fired after the listener was added; returns an unsubscribe function. */
  onRequest(listener: (r: SimRequest) => void): () => void;
  /** First entry (already logged, with seq > afterSeq, or future) matching; rejects after timeoutMs. */
  waitForRequest(predicate: (r: SimRequest) => boolean, timeoutMs?: number, opts?: { afterSeq?: number }): Promise<SimRequest>;
  filter(predicate: (r: SimRequest) => boolean): SimRequest[];
  /** Entries whose path matches case-insensitively (e.g. '/api/Order/place'). */
  byPath(path: string): SimRequest[];
  lastSeq(): number;
  clear(): void;
}

export type { Account, Contract };
