// One ledger change through the rest of riskd (DESIGN §1): the executor hears what confirms its actions, the
// account machine hears the facts (positions, orders, canTrade, protection), the event-driven rules evaluate,
// their locks go to the machine first (persisted with the snapshot) and only then do their intents reach the
// executor. Time- and state-driven rules live in the machine itself: RULE-008 (grace children), RULE-009
// (session region) and RULE-010 (canTrade), plus the kill switch; the evaluator is given them disabled so
// nothing is decided twice.
import type { AccountEvent, PositionFact } from '../../machines/account/index.ts';
import type { RiskConfig, RiskRules } from '../config/types.ts';
import type { LedgerChange } from '../ledger/change.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Executor } from '../enforce/executor.ts';
import type { EnforcementRequest } from '../enforce/types.ts';
import { evaluate, type Evaluation } from '../rules/evaluate.ts';
import type { RuleContext, RuleTrigger } from '../rules/context.ts';
import type { ActiveLocks } from '../rules/killSwitch.ts';
import type { Intent, Verdict } from '../rules/types.ts';
import { resolveIntents } from '../rules/resolveIntents.ts';
import { NO_VERDICTS } from '../rules/util.ts';
import { hasProtectiveStop } from '../rules/r008-noStopLossGrace.ts';
import { nextReset } from '../calendar/tradingDay.ts';
import { OrderStatus, OrderType } from '../gateway/models.ts';
import type { AccountSupervisor } from './actors/supervisor.ts';

const evaluatorRulesOf = new WeakMap<RiskRules, RiskRules>();
const settlingRulesOf = new WeakMap<RiskRules, RiskRules>();

/** The rules the evaluator runs: the machine owns 008/009/010 (see the header). One copy per config object. */
export function evaluatorRules(rules: RiskRules): RiskRules {
  let r = evaluatorRulesOf.get(rules);
  if (!r) evaluatorRulesOf.set(rules, (r = withoutMachineRules(rules)));
  return r;
}

/**
 * While a REST snapshot is half applied, a fill runs only the rules that judge the fill itself (RULE-006/007
 * cooldowns, dated by the fill). Everything that reads positions, orders or the day's P&L (and would size or
 * flatten against them) waits for the settled pass, which runs every rule once on the whole snapshot.
 */
function settlingRules(rules: RiskRules): RiskRules {
  let r = settlingRulesOf.get(rules);
  if (!r) {
    const off = <K extends keyof RiskRules>(k: K): RiskRules[K] => ({ ...rules[k], enabled: false });
    r = {
      ...evaluatorRules(rules),
      max_contracts: off('max_contracts'),
      max_contracts_per_instrument: off('max_contracts_per_instrument'),
      daily_realized_loss: off('daily_realized_loss'),
      daily_unrealized_loss: off('daily_unrealized_loss'),
      max_unrealized_profit: off('max_unrealized_profit'),
      symbol_blocks: off('symbol_blocks'),
      trade_management: off('trade_management'),
      daily_realized_profit: off('daily_realized_profit'),
    };
    settlingRulesOf.set(rules, r);
  }
  return r;
}

function withoutMachineRules(rules: RiskRules): RiskRules {
  return {
    ...rules,
    no_stop_loss_grace: { ...rules.no_stop_loss_grace, enabled: false },
    session_block_outside: { ...rules.session_block_outside, enabled: false },
    auth_loss_guard: { ...rules.auth_loss_guard, enabled: false },
  };
}

export interface PipelineDeps {
  /**
   * True while a REST snapshot is being applied to the account event by event: its intermediate states (fills
   * applied, positions not yet) must not be sized against; the rules run once it has settled.
   */
  settling?: (accountId: number) => boolean;
  supervisor: AccountSupervisor;
  executor: Executor;
  /** Effective risk config of an account. */
  configOf(accountId: number): RiskConfig;
  now(): number;
  /** RULE-012 throttle state kept outside the pure rule. */
  lastModifyAt?: (orderId: number) => number | undefined;
  /**
   * Runs the machine work of one change (default: supervisor.batch at once). The daemon defers work that sets no
   * lock to the end of the turn, in order, so an enforcement decided on a later event of the same socket read
   * leaves first; work that sets a lock runs at once, after whatever was deferred.
   */
  runMachine?: (accountId: number, work: MachineWork, setsLock: boolean) => void;
}

export type MachineWork = (send: (e: AccountEvent) => void) => void;

function triggerOf(change: LedgerChange): RuleTrigger | undefined {
  switch (change.kind) {
    case 'fill':
      return change.today ? { kind: 'fill', fill: change.fill } : undefined;
    case 'fillVoided':
    case 'fillAttributed':
      return { kind: 'fill', fill: change.fill };
    case 'position':
      return { kind: 'position', contractId: change.contractId };
    case 'order':
      return { kind: 'order', orderId: change.order.id };
    case 'quote':
    case 'contract':
      return { kind: 'quote', contractId: change.contractId };
    case 'account':
      return { kind: 'account' };
    case 'tradingDay':
      return { kind: 'clock' };
  }
}

/**
 * Gateway time of the fill behind a position change, only when today's fills fully explain the new position
 * (hub events arrive in any order: a position event can come before its own fill, and must then never be
 * matched to an older fill, or a new position during a cooldown would escape the kill switch).
 */
function causeAt(view: Ledger, contractId: string, size: number, side: 'long' | 'short'): number | undefined {
  const { net, lastAt } = view.netFilledToday(contractId);
  return net === (side === 'long' ? size : -size) ? lastAt : undefined;
}

const NO_FACTS: readonly AccountEvent[] = Object.freeze([]);
const NO_INTENTS: readonly Intent[] = Object.freeze([]);
/** The evaluator's kill switch gets no locks: the machine applies them (see the header). */
const NO_LOCKS: ActiveLocks = Object.freeze([]);

/** Whether the position (if open) is protected by a stop: the RULE-008 grace child hears it. */
function pushProtection(facts: AccountEvent[], view: Ledger, contractId: string, now: number): void {
  const p = view.position(contractId);
  if (p) facts.push({ type: 'position.protection', contractId, protected: hasProtectiveStop(view, p), now });
}

/** The machine facts one change implies (quotes, the hot path, imply none and allocate nothing). */
function factsOf(change: LedgerChange, view: Ledger, now: number): readonly AccountEvent[] {
  if (change.kind !== 'position' && change.kind !== 'order' && change.kind !== 'account') return NO_FACTS;
  const facts: AccountEvent[] = [];
  switch (change.kind) {
    case 'position': {
      const snap = change.after ?? change.before;
      if (!snap) break;
      const fact: PositionFact = { contractId: change.contractId, symbol: snap.symbol, size: change.after?.size ?? 0, side: snap.side, now };
      const cause = change.after ? causeAt(view, change.contractId, change.after.size, change.after.side) : undefined;
      if (cause !== undefined) fact.causeAt = cause;
      facts.push({ type: `position.${change.what}`, ...fact } as AccountEvent);
      if (change.what !== 'closed') pushProtection(facts, view, change.contractId, now);
      break;
    }
    case 'order': {
      const o = change.order;
      if (change.what === 'working') {
        facts.push({ type: 'order.working', orderId: o.id, contractId: o.contractId, symbol: view.symbolOf(o.contractId), now, side: o.side, size: o.size, market: o.type === OrderType.Market });
      }
      pushProtection(facts, view, o.contractId, now);
      break;
    }
    case 'account':
      if (change.canTradeChanged || change.before === undefined) facts.push({ type: 'account.canTrade', canTrade: change.after.canTrade, now });
      break;
  }
  return facts;
}

/** Tell the executor what confirms (or invalidates) its in-flight actions. */
function confirm(executor: Executor, accountId: number, change: LedgerChange): void {
  if (change.kind === 'position') {
    executor.confirmFromLedger(accountId, { kind: 'position', contractId: change.contractId, size: change.after?.size ?? 0 });
  } else if (change.kind === 'order') {
    executor.confirmFromLedger(accountId, { kind: 'order', order: change.order });
    if (change.order.status === OrderStatus.Filled) executor.onOrderFilled(accountId, change.order.id, change.order.contractId);
  }
}

/**
 * RULE-003/013 keep breaching on every event until the reset; once their until_reset lock is held, the lock
 * already flattened the account and the kill switch guards new exposure, so repeating them only floods the
 * audit log. Cooldown rules (006/007) fire only on a counted fill and must pass: a breach extends the cooldown.
 */
function withoutHeldLocks(verdicts: readonly Verdict[], supervisor: AccountSupervisor, accountId: number): readonly Verdict[] {
  if (verdicts.length === 0) return verdicts;
  const locks = supervisor.get(accountId)?.actor.getSnapshot().context.locks ?? [];
  const kept = verdicts.filter((v) => !(v.lock?.kind === 'until_reset' && locks.some((l) => l.kind === 'until_reset' && l.rule === v.rule)));
  return kept.length === verdicts.length ? verdicts : kept;
}

/**
 * nextReset costs ~1 ms of luxon zone math and every quote needs it; it only changes when the clock passes the
 * cached reset (or goes back before the instant it was computed at), so one value per reset spec is kept.
 */
const resetCache = new WeakMap<RiskConfig['trading_day'], { resetTime: string; timezone: string; from: number; next: number }>();
function cachedNextReset(now: number, day: RiskConfig['trading_day']): number {
  // Keyed by the config's trading_day object (no key string per quote); the spec is compared too.
  const hit = resetCache.get(day);
  if (hit && hit.resetTime === day.reset_time && hit.timezone === day.timezone && now >= hit.from && now < hit.next) return hit.next;
  const next = nextReset(now, { resetTime: day.reset_time, timezone: day.timezone });
  resetCache.set(day, { resetTime: day.reset_time, timezone: day.timezone, from: now, next });
  return next;
}

const intentKey = (i: Intent): string => JSON.stringify(i);

export function handleChange(deps: PipelineDeps, accountId: number, change: LedgerChange, view: Ledger, triggerAt: number): void {
  confirm(deps.executor, accountId, change);
  decide(deps, accountId, view, triggerOf(change), factsOf(change, view, deps.now()), triggerAt);
}

/**
 * Runs the rules again without a new event: after an enforcement action settled without reaching its goal
 * (e.g. a reduce overtaken by partial fills), the state may still breach although nothing changed since.
 */
export function reevaluateAccount(deps: PipelineDeps, accountId: number, view: Ledger): void {
  // Every open position, then the account as a whole (rules that size positions read the one in the trigger).
  for (const p of view.positions()) decide(deps, accountId, view, { kind: 'position', contractId: p.contractId }, NO_FACTS, deps.now());
  decide(deps, accountId, view, { kind: 'account' }, NO_FACTS, deps.now());
}

function decide(deps: PipelineDeps, accountId: number, view: Ledger, trigger: RuleTrigger | undefined, facts: readonly AccountEvent[], triggerAt: number): void {
  const now = deps.now();
  const config = deps.configOf(accountId);
  const settling = trigger !== undefined && deps.settling?.(accountId) === true;
  const deferred = settling && trigger.kind !== 'fill';
  let evaluation: Evaluation | undefined;
  if (trigger && !deferred) {
    const ctx: RuleContext = { view, event: trigger, now, tz: config.trading_day.timezone, nextResetAt: cachedNextReset(now, config.trading_day) };
    if (deps.lastModifyAt) ctx.lastModifyAt = deps.lastModifyAt;
    evaluation = evaluate(settling ? settlingRules(config.rules) : evaluatorRules(config.rules), ctx, NO_LOCKS);
  }

  const verdicts = withoutHeldLocks(evaluation?.verdicts ?? NO_VERDICTS, deps.supervisor, accountId);
  if (facts.length > 0 || verdicts.length > 0) {
    // Locks are set (and persisted with the snapshot) before any intent leaves; the machine re-emits nothing
    // of the verdicts' intents because they are stripped here: the evaluator's merged list is authoritative.
    const work: MachineWork = (send) => {
      for (const f of facts) send(f);
      if (verdicts.length > 0) send({ type: 'rule.verdicts', verdicts: verdicts.map((v) => ({ ...v, intents: [] })), now });
    };
    if (deps.runMachine) deps.runMachine(accountId, work, verdicts.some((v) => v.lock !== undefined));
    else deps.supervisor.batch(accountId, work);
  }

  // The strongest action wins across the verdicts that remain (flatten > close > reduce), deduplicated.
  const intents = verdicts.length === 0 ? NO_INTENTS : verdicts === evaluation?.verdicts ? evaluation.intents : resolveIntents(verdicts.flatMap((v) => v.intents), view);
  if (intents.length > 0) {
    const batch: EnforcementRequest[] = intents.map((intent) => {
      const v = verdicts.find((x) => x.intents.some((y) => intentKey(y) === intentKey(intent))) ?? verdicts[0]!;
      return { intent, rule: v.rule, reason: v.message, numbers: v.numbers, triggerAt };
    });
    void deps.executor.execute(batch);
  }
}
