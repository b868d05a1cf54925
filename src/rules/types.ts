// What rules return and what the account machine and the executor consume.
import type { OrderSide } from '../gateway/models.ts';

export type RuleId =
  | 'RULE-001' | 'RULE-002' | 'RULE-003' | 'RULE-004' | 'RULE-005' | 'RULE-006' | 'RULE-007'
  | 'RULE-008' | 'RULE-009' | 'RULE-010' | 'RULE-011' | 'RULE-012' | 'RULE-013';

export type LockKind = 'until_reset' | 'until_session' | 'until_can_trade' | 'cooldown' | 'symbol';

export interface LockRequest {
  kind: LockKind;
  rule: RuleId | 'admin';
  reason: string;
  /** Absolute deadline for cooldowns (epoch ms); until_reset/until_session deadlines are computed by the machine. */
  until?: number;
  /** For kind 'symbol'. */
  symbol?: string;
}

/** An enforcement intent: what the executor must make true at the gateway. */
export type Intent =
  | { type: 'flatten'; accountId: number }
  | { type: 'close'; accountId: number; contractId: string }
  | { type: 'reduce'; accountId: number; contractId: string; size: number }
  | { type: 'cancel'; accountId: number; orderId: number }
  | { type: 'cancelAll'; accountId: number; symbol?: string }
  | {
      type: 'moveStop';
      accountId: number;
      contractId: string;
      /** Existing stop order to modify, or undefined to place a new one. */
      orderId?: number;
      stopPrice: number;
      size: number;
      side: OrderSide;
    };

/** Strength order for "the strongest action wins": flatten > close > reduce > cancel > moveStop. */
export const INTENT_STRENGTH: Record<Intent['type'], number> = {
  flatten: 5,
  close: 4,
  reduce: 3,
  cancelAll: 2,
  cancel: 2,
  moveStop: 1,
};

export interface Verdict {
  rule: RuleId;
  /** Intents this breach asks for (may be empty: lock only). */
  intents: Intent[];
  lock?: LockRequest;
  /** A sentence a trader understands, e.g. "Daily loss $512.40 reached your $500 limit". */
  message: string;
  numbers: { limit?: number; value?: number; symbol?: string; contractId?: string; size?: number; orderId?: number };
}
