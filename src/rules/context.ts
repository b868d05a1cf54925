// What a rule sees for one event: the ledger view (already updated by the caller), what just happened, the
// clock, and the few pieces of machine state that pure rules need but must not own (throttles).
import type { LedgerView, FillView } from '../ledger/view.ts';

/** What happened. The ledger has already absorbed it when rules run. */
export type RuleTrigger =
  | { kind: 'fill'; fill: FillView }
  | { kind: 'position'; contractId: string }
  | { kind: 'order'; orderId: number }
  | { kind: 'quote'; contractId: string }
  | { kind: 'account' }
  | { kind: 'clock' };

export interface RuleContext {
  view: LedgerView;
  event: RuleTrigger;
  /** Epoch ms. */
  now: number;
  /** Trading-day zone (IANA), used only to write times in messages. */
  tz: string;
  /** Epoch ms of the next trading-day reset (until_reset locks end there). */
  nextResetAt: number;
  /** RULE-012 throttle: when riskd last modified this order (epoch ms), kept by the caller. */
  lastModifyAt?: (orderId: number) => number | undefined;
  /** RULE-012 throttle for placing a missing stop: when riskd last placed one for this contract. */
  lastStopPlacedAt?: (contractId: string) => number | undefined;
}
