// Types of the account statechart: its JSON-native context, the facts it accepts and what it emits.
// Every instant is UTC epoch ms and comes in with an event ("now"); the machine never reads a clock.
import type { RiskConfig } from '../../src/config/types.ts';
import type { Intent, Verdict } from '../../src/rules/types.ts';
import type { LockEntry, LockOwner, LockToParent, PendingUnlock } from '../lock/types.ts';

// The lock vocabulary lives with the lock machine; re-exported here for the account's users.
export type { LockEntry, LockOwner, PendingUnlock } from '../lock/types.ts';

export type PositionSide = 'long' | 'short';

export interface TrackedPosition {
  contractId: string;
  symbol: string;
  size: number;
  side: PositionSide;
  openedAt: number;
}

export type SessionPhase = 'unknown' | 'disabled' | 'inside' | 'outside';

export interface SessionContext {
  phase: SessionPhase;
  /** End of the current window while inside. */
  windowEnd: number | null;
  /** Start of the next window while outside. */
  nextOpen: number | null;
  /** Start of the blackout already acted on (so it locks/flattens once). */
  blackoutStart: number | null;
  /** Active blackout end, null when none. */
  blackoutEnd: number | null;
  /** Next instant the calendar can change its answer (wake-up time). */
  nextBoundary: number | null;
  /** When the calendar was last evaluated; until nextBoundary nothing can change, so evaluation is skipped. */
  evaluatedAt?: number | null;
}

export interface TradingDayContext {
  id: string;
  lastResetAt: number;
  nextResetAt: number;
}

/** Everything but the child refs: what the pure reducers read and write. */
export interface AccountCore {
  accountId: number;
  config: RiskConfig;
  /** Latest "now" seen in an event (for wake-up delay computation). */
  now: number;
  locks: LockEntry[];
  pendingUnlocks: PendingUnlock[];
  session: SessionContext;
  tradingDay: TradingDayContext;
  positions: Record<string, TrackedPosition>;
  /** Last canTrade the gateway reported (null: not yet known). */
  canTrade: boolean | null;
  /**
   * Intents decided and handed to the executor, not yet reported settled: the same decision repeated by a later
   * event (a breach still visible while its action is under way) is not emitted again. Optional: snapshots
   * written before it existed restore without it.
   */
  inFlight?: InFlightIntent[];
  /**
   * A reduce or stop move was decided while an action on the same contract was in flight and not handed over:
   * the rules run again once an action settles (the `rules.recheck` fact). Optional like `inFlight`.
   */
  recheck?: boolean;
  /** Orders riskd could not cancel on an account that refuses cancels, by order id: their fill is closed (ownOrders.ts). */
  fillWatches: Record<string, FillWatch>;
  /** The stop riskd placed per contract (RULE-012): cancelled once its position is flat (ownOrders.ts). */
  ownStops: Record<string, number>;
}

/** An order whose fill riskd answers with a close: the rule and reason of the cancel that could not be made. */
export interface FillWatch {
  orderId: number;
  contractId?: string;
  rule: LockOwner;
  reason: string;
  /** When the watch began. */
  since: number;
}

export interface InFlightIntent {
  /** The intent as JSON (its identity). */
  key: string;
  /** Contract of a close/reduce: cleared when that position closes. */
  contractId?: string;
  /** When it was decided (a safety net drops entries never reported settled). */
  at: number;
}

export interface AccountInput {
  accountId: number;
  config: RiskConfig;
  now: number;
}

export type PositionFact = {
  contractId: string;
  symbol: string;
  size: number;
  side: PositionSide;
  now: number;
  /**
   * When riskd received the fill that made this change (riskd's clock, like `now` and a lock's `since`), when
   * known. A cooldown set by that very fill (RULE-006/007 react to the fill event, which can arrive before the
   * position event) must not treat it as new exposure; a fill received after the cooldown began is new.
   */
  causeAt?: number;
};

export type AccountEvent =
  | { type: 'rule.verdicts'; verdicts: Verdict[]; now: number }
  | ({ type: 'position.opened' } & PositionFact)
  | ({ type: 'position.changed' } & PositionFact)
  | ({ type: 'position.closed' } & PositionFact)
  | { type: 'position.protection'; contractId: string; protected: boolean; now: number }
  | { type: 'account.canTrade'; canTrade: boolean; now: number }
  | {
      type: 'order.working';
      orderId: number;
      contractId: string;
      symbol: string;
      now: number;
      /** Optional: 0 buy / 1 sell and size; an order that only reduces a held position is left alone during a cooldown. */
      side?: 0 | 1;
      size?: number;
      /** Optional: a market order (riskd's own closeContract shows up as one while it is being filled). */
      market?: boolean;
    }
  /** An order filled, fully or partly (its status Filled, or a fill volume). */
  | { type: 'order.filled'; orderId: number; contractId: string; now: number }
  /** An order reached a final status (filled, cancelled, rejected, expired). */
  | { type: 'order.ended'; orderId: number; contractId: string; now: number }
  | { type: 'clock.tick'; now: number }
  | { type: 'admin.unlock'; lockId?: string; rule?: string; now: number; by: string }
  | { type: 'config.updated'; config: RiskConfig; now: number }
  | { type: 'system.resumed'; now: number }
  /** A fresh actor (no usable snapshot) takes over the active locks the store still holds. */
  | { type: 'locks.seed'; locks: LockEntry[]; now: number }
  /** The executor settled these intents (confirmed, failed or skipped): the same decision may be made again. */
  | { type: 'enforcement.settled'; intents: Intent[]; now: number }
  /** The executor could not cancel an order (the account refuses cancels): its fill must be closed. */
  | { type: 'enforcement.fillWatched'; orderId: number; contractId?: string; rule: LockOwner; reason: string; now: number }
  /** A stop riskd placed (RULE-012) is working: it must not outlive its position. */
  | { type: 'enforcement.stopPlaced'; contractId: string; orderId: number; now: number }
  // From position children (sendParent):
  | { type: 'position.violated'; contractId: string; graceUntil: number; now: number }
  | { type: 'position.finished'; contractId: string }
  // From lock children (sendParent):
  | LockToParent
  // Internal (raised by the machine itself):
  /** The trading-day reset is due: the tradingDay region starts the new day. */
  | { type: 'tradingDay.reset'; now: number }
  /** A session boundary is due (or the config changed): the session region reads the calendar again. */
  | { type: 'session.boundary'; now: number }
  /** Re-arm the region timers from the deadlines in context (after a restore or a config change). */
  | { type: 'wake.rearm' };

export type UnlockOutcome = 'released' | 'scheduled' | 'refused' | 'no_match';

export type AccountEmitted =
  | { type: 'intent'; intent: Intent; rule: LockOwner; reason: string; numbers?: Verdict['numbers'] }
  | { type: 'lock.set'; accountId: number; lock: LockEntry; extended: boolean }
  | { type: 'lock.released'; accountId: number; lock: LockEntry; how: string; at: number }
  | {
      type: 'unlock.requested';
      accountId: number;
      by: string;
      at: number;
      lockId: string | null;
      rule: string | null;
      outcome: UnlockOutcome;
      lockIds: string[];
      effectiveAt: number | null;
    }
  | { type: 'tradingDay.reset'; accountId: number; tradingDay: string; at: number }
  | { type: 'session.changed'; accountId: number; phase: SessionPhase; windowEnd: number | null; nextOpen: number | null; at: number }
  | { type: 'machine.warning'; accountId: number; message: string }
  /** Run the rules again on the ledger: a decision held back while its contract was busy may still be due. */
  | { type: 'rules.recheck'; accountId: number };
