// Row shapes the store reads and writes. Gateway entities (Order, Position, Trade, Contract, Account) are stored
// as-is from src/gateway/models.ts; these are the riskd-owned records.
import type { LockKind } from '../rules/types.ts';

/** One persisted XState actor (xstate-notes §1.4): snapshot and timers side-file saved together. */
export interface SnapshotRow {
  accountId: number;
  machineId: string;
  machineVersion: number;
  schemaVersion: number;
  snapshot: unknown; // JSON
  timers: unknown; // JSON
  savedAt: number;
}

export interface LockRow {
  id: string;
  accountId: number;
  kind: LockKind;
  rule: string;
  reason: string;
  symbol?: string | null;
  since: number;
  /** Absolute deadline (epoch ms) when the lock has one. */
  until?: number | null;
  /** Words or a tag for what releases it, e.g. "next trading-day reset", "canTrade true". */
  releaseCondition?: string | null;
  releasedAt?: number | null;
  releasedHow?: string | null;
}

export type EnforcementStatus = 'pending' | 'sent' | 'confirmed' | 'failed' | 'reconciled' | 'skipped';

export interface EnforcementRow {
  id?: number;
  accountId: number;
  rule: string;
  intent: string; // JSON of Intent
  reason: string;
  numbers: string; // JSON
  status: EnforcementStatus;
  triggerAt: number;
  requestAt?: number | null;
  confirmedAt?: number | null;
  outcome?: string | null;
  endpoint?: string | null;
  contractId?: string | null;
}

export interface DailyPnlRow {
  accountId: number;
  tradingDay: string; // YYYY-MM-DD (tradingDayId)
  realizedGross: number;
  fees: number;
  commissions: number;
  updatedAt: number;
}

export interface TradingDayRow {
  tradingDay: string;
  lastResetAt: number;
}

export interface TransitionRow {
  id?: number;
  accountId: number;
  actorId: string;
  event: string;
  from: string;
  to: string;
  at: number;
}

export interface AdminAuditRow {
  id?: number;
  at: number;
  actor: string;
  command: string;
  args: unknown; // JSON; callers must not pass passwords (the store does not know which args are secret)
  outcome: string;
}

export interface AccountRow {
  id: number;
  name: string;
  balance: number;
  canTrade: boolean;
  isVisible: boolean;
  simulated: boolean;
  updatedAt: number;
}
