// What a replay reads (the account's past as the gateway reports it) and what it produces (what riskd would
// have done). Plain data: the fetching/caching side and the report side meet only here.
import type { Contract, Order, Trade } from '../gateway/models.ts';
import type { Bar } from '../gateway/parse/responses.ts';
import type { Intent } from '../rules/types.ts';
import type { LockEntry, LockOwner } from '../../machines/account/index.ts';

/** One minute bar (t = bar start, epoch ms): the gateway's own type. */
export type { Bar };

export interface ReplayData {
  account: { id: number; name: string; balance: number };
  since: number;
  until: number;
  contracts: Contract[];
  /** Fills in the range, oldest first. */
  trades: Trade[];
  /** Orders created in the range. */
  orders: Order[];
  /** Minute bars per contract, oldest first, around the times positions were open. */
  bars: Record<string, Bar[]>;
}

/** A fill of the "with riskd" path: a kept historical fill, or a close riskd would have made. */
export interface ReplayFill {
  at: number;
  contractId: string;
  /** Gross realized P&L of the fill (null: it opened or added). */
  pnl: number | null;
  fees: number;
  byRiskd: boolean;
  price: number;
  size: number;
}

/** A round trip (flat to flat on one contract) of the history that a lock would have kept from happening. */
export interface BlockedTrip {
  contractId: string;
  entryAt: number;
  exitAt: number | null;
  /** Net P&L it had as traded (gross minus fees). */
  pnl: number;
  rule: LockOwner;
  lockReason: string;
}

export interface ReplayEnforcement {
  at: number;
  /** The rule (or 'admin') the action is for. */
  rule: string;
  reason: string;
  intent: Intent;
  /** For closes: the price riskd's close is assumed to fill at (the minute bar's close). */
  markPrice?: number;
  /** How the mark was found: the bar of the enforcement minute, or an earlier price when that bar is missing. */
  markFrom?: 'bar' | 'earlier bar' | 'last fill';
  /** For cancels (and a flatten's cancels): the working orders riskd cancelled. */
  cancelled?: number[];
}

export interface ReplayLock {
  lock: LockEntry;
  releasedAt: number | null;
  how: string | null;
}

export interface ReplayOutcome {
  fills: ReplayFill[];
  blocked: BlockedTrip[];
  locks: ReplayLock[];
  enforcements: ReplayEnforcement[];
}
