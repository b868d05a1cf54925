// The rule registry: every rule of riskd, once, with who decides it and when it runs. The evaluator's rule
// lists (per trigger, and while a REST snapshot is settling), the config key <-> rule id map and the
// dashboard labels are derived from here. An entry missing a field, a rule key missing from the config (checked in
// src/config/types.ts, which sits above both), or an evaluator rule without its runner (evaluate.ts) fails the
// type check.
//
// Adding a rule: its rule file (src/rules/rNNN-*.ts), its entry here, its runner in evaluate.ts (owner
// 'evaluator') or its states in machines/ (owner 'machine'), its config block (src/config/schema.ts).
import type { RuleTrigger } from './context.ts';
import type { RuleId } from './types.ts';

export type TriggerKind = RuleTrigger['kind'];

interface RuleEntry {
  id: RuleId;
  /** Dashboard label (short). */
  label: string;
  /**
   * Who decides: 'evaluator' = a pure rule in src/rules whose verdicts the account machine turns into locks and
   * intents; 'machine' = behaviour of a statechart (machines/), fed by facts.
   */
  owner: 'evaluator' | 'machine';
  /** The events that can make it breach (evaluator rules run only on these). */
  triggers: readonly TriggerKind[];
  /**
   * May it run while a REST snapshot is half applied (fills in, positions not yet)? Only rules that judge the
   * fill itself: everything that sizes or flattens against positions, orders or the day's P&L waits for the
   * settled pass, which runs every rule once on the whole snapshot.
   */
  whileSettling: boolean;
}

const LEDGER: readonly TriggerKind[] = ['fill', 'position', 'order', 'account', 'clock'];
const LEDGER_AND_QUOTES: readonly TriggerKind[] = [...LEDGER, 'quote'];

/** In rule id order (the order of evaluation, rules.md). */
export const RULES = {
  max_contracts: { id: 'RULE-001', label: 'contracts', owner: 'evaluator', triggers: LEDGER, whileSettling: false },
  max_contracts_per_instrument: { id: 'RULE-002', label: 'per symbol', owner: 'evaluator', triggers: LEDGER, whileSettling: false },
  daily_realized_loss: { id: 'RULE-003', label: 'realized loss', owner: 'evaluator', triggers: LEDGER, whileSettling: false },
  daily_unrealized_loss: { id: 'RULE-004', label: 'open loss', owner: 'evaluator', triggers: LEDGER_AND_QUOTES, whileSettling: false },
  max_unrealized_profit: { id: 'RULE-005', label: 'open profit', owner: 'evaluator', triggers: LEDGER_AND_QUOTES, whileSettling: false },
  trade_frequency_limit: { id: 'RULE-006', label: 'trades today', owner: 'evaluator', triggers: ['fill'], whileSettling: true },
  cooldown_after_loss: { id: 'RULE-007', label: 'losers in row', owner: 'evaluator', triggers: ['fill'], whileSettling: true },
  // The position grace machine (machines/position), told whether each position is protected.
  no_stop_loss_grace: { id: 'RULE-008', label: 'stop grace', owner: 'machine', triggers: ['position', 'order'], whileSettling: true },
  // The account machine's session region (machines/account), timed by src/calendar.
  session_block_outside: { id: 'RULE-009', label: 'session', owner: 'machine', triggers: ['clock'], whileSettling: true },
  // The account machine, told canTrade.
  auth_loss_guard: { id: 'RULE-010', label: 'can trade', owner: 'machine', triggers: ['account'], whileSettling: true },
  symbol_blocks: { id: 'RULE-011', label: 'blocked syms', owner: 'evaluator', triggers: LEDGER, whileSettling: false },
  trade_management: { id: 'RULE-012', label: 'trade mgmt', owner: 'evaluator', triggers: LEDGER_AND_QUOTES, whileSettling: false },
  daily_realized_profit: { id: 'RULE-013', label: 'profit target', owner: 'evaluator', triggers: LEDGER, whileSettling: false },
} as const satisfies Record<string, RuleEntry>;

export type RuleKey = keyof typeof RULES;
type Entry = (typeof RULES)[RuleKey];
/** Rules the evaluator runs (each needs a runner in evaluate.ts). */
export type EvaluatorRuleId = Extract<Entry, { owner: 'evaluator' }>['id'];

/** The rule id of each config key. */
export const RULE_IDS = Object.fromEntries(Object.entries(RULES).map(([k, r]) => [k, r.id])) as { [K in RuleKey]: (typeof RULES)[K]['id'] };

/** The dashboard label of each config key. */
export const RULE_LABELS = Object.fromEntries(Object.entries(RULES).map(([k, r]) => [k, r.label])) as Record<RuleKey, string>;

const EVALUATOR = (Object.values(RULES) as Entry[]).filter((r): r is Extract<Entry, { owner: 'evaluator' }> => r.owner === 'evaluator');
const KINDS: readonly TriggerKind[] = LEDGER_AND_QUOTES;

function byTrigger(settling: boolean): Readonly<Record<TriggerKind, readonly EvaluatorRuleId[]>> {
  const out = {} as Record<TriggerKind, readonly EvaluatorRuleId[]>;
  for (const kind of KINDS) {
    const ids = EVALUATOR.filter((r) => (r.triggers as readonly TriggerKind[]).includes(kind) && (!settling || r.whileSettling)).map((r) => r.id);
    out[kind] = Object.freeze(ids);
  }
  return Object.freeze(out);
}

/** The evaluator's rules for each trigger kind, in id order (shared frozen arrays: nothing allocated per event). */
export const EVENT_RULES = byTrigger(false);
/** The same while a REST snapshot is settling (only the rules that may run then). */
export const SETTLING_RULES = byTrigger(true);
