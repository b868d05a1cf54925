// What the dashboard shows, in one plain shape fed either by the live daemon (status pushes + the viewer
// `history` command) or, when the daemon is down, by its SQLite state read-only. The renderer only reads this.
import type { RuleLimit } from '../control/ruleLimits.ts';

export interface WatchPosition {
  /** Trader ticker when known (live), else the contract id (read from SQLite while down). */
  symbol: string;
  contractId: string;
  side: 'long' | 'short';
  size: number;
  averagePrice: number;
  mark: number | null;
  unrealized: number | null;
}

export interface WatchLock {
  rule: string;
  kind: string;
  symbol: string | null;
  reason: string;
  /** Deadline (epoch ms); null: released by a condition (the description says which). */
  until: number | null;
  /** In words: "locked until the 17:00 CT reset". */
  description: string;
  /** A delayed admin unlock takes effect then (epoch ms); null: none pending. */
  unlockAt: number | null;
}

export interface WatchEnforcement {
  at: number;
  rule: string;
  action: string;
  status: string;
  contract: string | null;
  outcome: string | null;
  reason: string;
  /** What riskd did and why, in words ("closed 2 MNQ: over your 1-contract limit"); the reason when not known. */
  summary: string;
}

export interface WatchAccount {
  id: number;
  name: string;
  /** Net realized P&L today; null when nothing is known. */
  realized: number | null;
  /** Null while down (no quotes) or before the first mark. */
  unrealized: number | null;
  net: number | null;
  balance: number | null;
  canTrade: boolean | null;
  openContracts: number;
  positions: WatchPosition[];
  workingOrders: number | null;
  locks: WatchLock[];
  session: { phase: string; windowEnd: number | null; nextOpen: number | null; blackoutEnd: number | null } | null;
  tradingDay: { id: string; nextResetAt: number | null } | null;
  entriesToday: number | null;
  consecutiveLosses: number | null;
  /** What the gateway refuses on this account and what riskd does instead, in words. */
  gatewayRefuses: string[];
  /** Newest first. */
  enforcement: WatchEnforcement[];
  /** The limits in force in the daemon (live) or the ones it last saved (down); empty: none known. */
  limits: RuleLimit[];
  /** The trading-day zone times are shown in (null: not known; UTC is used). */
  zone: string | null;
}

export interface HubHealth {
  state: string;
  lastEventAt: number | null;
  reconnects: number;
  lastError?: string | undefined;
}

export interface RestHealth {
  limit: number;
  windowMs: number;
  inWindow: number;
  queued: number;
  rateLimitedResponses: number;
  backoffUntil: number | null;
  /** Enforcement is waiting for (or just waited for) the REST budget, or the gateway answered 429. */
  rateLimited: boolean;
}

export interface WatchModel {
  /** live: the control server answers; down: showing SQLite read-only; connecting: nothing known yet. */
  daemon: 'live' | 'down' | 'connecting';
  /** <data-dir>/state.db, named in the DAEMON DOWN banner. */
  dataFile: string;
  /** Why the daemon is considered down, or why its state cannot be read. */
  downReason: string | null;
  /** Daemon phase and health (live only). */
  phase: string | null;
  health: string | null;
  problems: string[];
  startedAt: number | null;
  /** When the shown data was produced (status `now`, or the SQLite read). */
  dataAt: number | null;
  hubs: { user: HubHealth; market: HubHealth } | null;
  rest: RestHealth | null;
  accounts: WatchAccount[];
}

/** What the keyboard changes; kept apart from the data so a status push never resets the trader's view. */
export interface ViewState {
  selected: number;
  /** First enforcement row shown (0 = newest). */
  scroll: number;
  help: boolean;
}

export const INITIAL_VIEW: ViewState = { selected: 0, scroll: 0, help: false };

export function emptyModel(dataFile: string): WatchModel {
  return {
    daemon: 'connecting',
    dataFile,
    downReason: null,
    phase: null,
    health: null,
    problems: [],
    startedAt: null,
    dataAt: null,
    hubs: null,
    rest: null,
    accounts: [],
  };
}
