// The lock vocabulary shared by the lock machine and its parent, the account machine.
import type { LockKind, RuleId } from '../../src/rules/types.ts';

export type LockOwner = RuleId | 'admin';

/** One active lock. `until` is the known deadline (null: released by a condition, not a time). */
export interface LockEntry {
  id: string;
  kind: LockKind;
  rule: LockOwner;
  reason: string;
  symbol: string | null;
  since: number;
  until: number | null;
  /** In words, for the locks table and dashboards. */
  releaseCondition: string;
  /** True when the lock flattened the account as it began (hard locks); false leaves older positions alone. */
  flattenOnSet: boolean;
}

/** An admin unlock waiting out admin.unlock_delay. */
export interface PendingUnlock {
  lockId: string;
  by: string;
  requestedAt: number;
  effectiveAt: number;
}

export type LockEvent =
  | { type: 'clock.tick'; now: number }
  | { type: 'system.resumed'; now: number }
  /** The same lock asked for again (same kind, rule, symbol): a later deadline extends a cooldown. */
  | { type: 'lock.extend'; until: number; reason: string; now: number }
  /** delayMs 0: release now; otherwise release at now + delayMs (admin.unlock_delay). */
  | { type: 'admin.unlock'; by: string; delayMs: number; now: number }
  | { type: 'tradingDay.reset'; lastResetAt: number; now: number }
  | { type: 'session.opened'; now: number }
  | { type: 'account.canTrade'; canTrade: boolean; now: number }
  | { type: 'symbols.blocked'; symbols: string[]; now: number };

/** Sent to the parent (the account). */
export type LockToParent =
  | { type: 'lock.held'; lockId: string; lock: LockEntry }
  | { type: 'lock.extended'; lockId: string; lock: LockEntry }
  | { type: 'lock.releasePending'; lockId: string; by: string; requestedAt: number; unlockAt: number }
  | { type: 'lock.released'; lockId: string; lock: LockEntry; how: string; at: number };

