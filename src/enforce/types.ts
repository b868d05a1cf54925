// The ports the enforcement executor talks through, and what its callers hand it. Each port is the smallest
// slice of another module's interface the executor needs, so tests and the runtime can wire the real ones
// (ProjectXRest, store.enforcement, the ledger) without the executor importing their implementations.
import type { Order, Position } from '../gateway/models.ts';
import type { Intent } from '../rules/types.ts';
import type { PositionView } from '../ledger/view.ts';

export type Priority = 'enforce' | 'reconcile' | 'poll';
export interface CallOpts {
  priority?: Priority;
  timeoutMs?: number;
  /** Called when the rate budget lets the request go: it leaves for the gateway now. */
  onBudgetGranted?: () => void;
}

/** The subset of GatewayRest (src/gateway/rest.ts) the executor uses. */
export interface EnforcementRest {
  searchOpenPositions(accountId: number, o?: CallOpts): Promise<Position[]>;
  queryWorkingOrders(accountId: number, o?: CallOpts): Promise<Order[]>;
  closeContract(accountId: number, contractId: string, o?: CallOpts): Promise<void>;
  partialCloseContract(accountId: number, contractId: string, size: number, o?: CallOpts): Promise<void>;
  cancelOrder(accountId: number, orderId: number, o?: CallOpts): Promise<void>;
  placeOrder(
    req: {
      accountId: number;
      contractId: string;
      type: Order['type'];
      side: Order['side'];
      size: number;
      stopPrice?: number | null;
      customTag?: string | null;
    },
    o?: CallOpts,
  ): Promise<number>;
  modifyOrder(req: { accountId: number; orderId: number; stopPrice?: number | null }, o?: CallOpts): Promise<void>;
}

export type EnforcementStatus = 'pending' | 'sent' | 'confirmed' | 'failed' | 'reconciled' | 'skipped';

/** One enforcement_log row, exactly as the Store `enforcement` repository stores it (contracts.md). */
export interface EnforcementRow {
  id?: number;
  accountId: number;
  rule: string;
  /** JSON of the Intent. */
  intent: string;
  reason: string;
  /** JSON: the rule's numbers plus `latency` and `attempts` once known. */
  numbers: string;
  status: EnforcementStatus;
  triggerAt: number;
  requestAt?: number | null;
  confirmedAt?: number | null;
  outcome?: string | null;
  endpoint?: string | null;
  contractId?: string | null;
}

/** store.enforcement (src/store): synchronous better-sqlite3 writes. */
export interface EnforcementLogPort {
  insert(r: EnforcementRow): number;
  update(id: number, patch: Partial<EnforcementRow>): void;
}

/** A call the gateway refuses on an account (a live or follower account, projectx-api.md quirk 11). */
export interface AccountRefusal {
  accountId: number;
  what: 'cancel' | 'partialClose';
}

/** Where the refusals the executor learned are kept across restarts (store.gatewayRefusals). */
export interface RefusalsPort {
  /** Throws when what is stored cannot be read: the executor then starts without and relearns. */
  list(): AccountRefusal[];
  save(all: readonly AccountRefusal[]): void;
}

/** Implemented by the ledger so RULE-006/007 never count riskd's own exits. */
export interface AttributionPort {
  /**
   * Exit fills on this contract until `untilMs` (epoch) come from riskd (closeContract returns no order id);
   * `sinceMs` is when the close was requested, so a fill only learnt later from REST still counts.
   */
  markEnforcementPending(accountId: number, contractId: string, untilMs: number, sinceMs?: number, contracts?: number): void;
  /** Fills of this order come from riskd (a stop riskd placed). */
  markEnforcementOrder(accountId: number, orderId: number): void;
}

/** What the executor reads from the ledger to expand flatten/cancelAll and to check stops; a LedgerView fits. */
export interface AccountStateView {
  positions(): readonly (Pick<PositionView, 'contractId' | 'size' | 'symbol'> & Partial<Pick<PositionView, 'side'>>)[];
  workingOrders(): readonly Order[];
  symbolOf(contractId: string): string;
  /** Signed size (long +) of the fills that arrived after the contract's latest position event (Ledger). */
  fillsSincePosition?(contractId: string): number;
  /** Contracts filled so far of an order, from the fills received (Ledger). */
  filledSizeOf?(orderId: number): number;
}

/** Timers are injected so tests drive the confirm timeout and the modify throttle without sleeping. */
export interface TimerPort {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** One intent with the why: the executor writes all of it to the audit log. */
export interface EnforcementRequest {
  intent: Intent;
  /** RULE-xxx, 'kill-switch', 'admin', ... */
  rule: string;
  /** In words, for the trader ("Daily loss $512.40 reached your $500 limit"). */
  reason: string;
  numbers?: Record<string, unknown>;
  /** Epoch ms the triggering event reached the process (latency is measured from here). */
  triggerAt: number;
}

/** One Position/searchOpen answer and when its request was sent (epoch ms). */
export interface PositionsRead {
  at: number;
  positions: readonly Position[];
}

/** One Order/v2/query answer, when its request was sent (epoch ms), and what the ledger held working then. */
export interface OrdersRead {
  at: number;
  orders: readonly Order[];
  /** Ids of the orders the ledger held working when the request was sent: only these can have vanished from it. */
  heldWorking?: readonly number[];
}

/**
 * What an action's REST check read, for the re-evaluation after it to apply to the ledger (positions-only and
 * orders-only snapshots) instead of reading the account again.
 */
export interface CheckReads {
  positions?: PositionsRead;
  orders?: OrdersRead;
  /** Orders whose cancel the gateway accepted and whose end the ledger has not seen: gone from `orders`, they were cancelled. */
  cancelled?: readonly number[];
}

/** What the ledger saw change, handed over by the runtime so in-flight actions can be confirmed. */
export type LedgerChange =
  | { kind: 'position'; contractId: string; /** size after the change; 0 = closed */ size: number }
  | { kind: 'order'; order: Order };

export interface ExecutorOptions {
  /** Wait this long for the confirming event before checking by REST. Default 2000. */
  confirmTimeoutMs?: number;
  /** Attempts per mutation (first send included) when a timeout/429/5xx left the outcome unknown. Default 3. */
  maxAttempts?: number;
  /** Pause before re-sending after a 429/5xx once REST proved nothing happened. Default 250 (× attempt). */
  retryBackoffMs?: number;
  /** Minimum spacing of Order/modify calls on one order. Default 1000. */
  modifyMinIntervalMs?: number;
  /** How long fills on a contract after riskd's close count as riskd's. Default 15000. */
  attributionWindowMs?: number;
  /** After a failed action, its key rests this long before it may be tried again (doubles per failure). Default 1000. */
  failureBackoffMs?: number;
  /** Cap of that rest. Default 60000. */
  maxFailureBackoffMs?: number;
  /**
   * A close whose position the fills already received bring to flat waits this long for the position event
   * before REST decides whether a call is needed at all. Default 300.
   */
  fillSettleMs?: number;
}

/** What the executor left on the gateway for the account machine to answer later (ExecutorDeps.onOwnOrder). */
export type OwnOrderFact =
  /** A cancel the account refuses (or riskd knows it refuses): the order's fill must be closed. */
  | { type: 'fillWatched'; accountId: number; orderId: number; contractId?: string; rule: string; reason: string }
  /** A stop riskd placed is working (its id is known): it must not outlive its position. */
  | { type: 'stopPlaced'; accountId: number; contractId: string; orderId: number };
