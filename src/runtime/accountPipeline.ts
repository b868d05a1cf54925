// One ledger change through the rest of riskd (DESIGN §1): the executor hears what confirms its actions, the
// account machine hears the facts (positions, orders, canTrade, protection), the event-driven rules evaluate,
// and their verdicts go to the machine as one more event. The machine alone decides: it sets the locks
// (persisted with the snapshot) and emits the intents, which the runtime hands to the executor (daemon.ts).
// Time- and state-driven rules live in the machine itself: RULE-008 (grace children), RULE-009 (session
// region) and RULE-010 (canTrade), plus the kill switch; the evaluator does not know them.
import { fillWatchOf, ownStopOf, type AccountEvent, type LockOwner, type PositionFact } from '../../machines/account/index.ts';
import type { RiskConfig } from '../config/types.ts';
import type { LedgerChange } from '../ledger/change.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Executor, OwnOrderFact } from '../enforce/executor.ts';
import { evaluate } from '../rules/evaluate.ts';
import type { RuleContext, RuleTrigger } from '../rules/context.ts';
import { NO_VERDICTS } from '../rules/util.ts';
import { hasProtectiveStop } from '../rules/r008-noStopLossGrace.ts';
import { nextReset } from '../calendar/tradingDay.ts';
import { OrderStatus, OrderType } from '../gateway/models.ts';
import type { AccountSupervisor } from './actors/supervisor.ts';
import type { Urgency } from './machineOrder.ts';

export interface PipelineDeps {
  /**
   * True while a REST snapshot is being applied to the account event by event: its intermediate states (fills
   * applied, positions not yet) must not be sized against; the rules run once it has settled.
   */
  settling?: (accountId: number) => boolean;
  supervisor: AccountSupervisor;
  /** Hears what the ledger confirms; actions reach it only from the machine (daemon.ts). The replay's has no REST. */
  executor: Pick<Executor, 'confirmFromLedger'>;
  /** Effective risk config of an account. */
  configOf(accountId: number): RiskConfig;
  now(): number;
  /** RULE-012 throttle state kept outside the pure rule. */
  lastModifyAt?: (orderId: number) => number | undefined;
  /**
   * Delivers the machine events of one change (default: one supervisor.batch at once). The daemon defers events
   * that cannot decide (facts on an unlocked account) until the hub is quiet, in order, so an enforcement decided
   * on a later event of the same socket read leaves first; urgent events run at once (see machineOrder.ts).
   */
  runMachine?: (accountId: number, events: readonly AccountEvent[], urgency: Urgency) => void;
}

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
 * When riskd received the fill behind a position change (riskd's clock, the one locks begin on; never the
 * gateway's stamp, which may be seconds off), only when today's fills fully explain the new position (hub
 * events arrive in any order: a position event can come before its own fill, and must then never be matched
 * to an older fill, or a new position during a cooldown would escape the kill switch).
 */
function causeAt(view: Ledger, contractId: string, size: number, side: 'long' | 'short'): number | undefined {
  const { net, lastReceivedAt } = view.netFilledToday(contractId);
  return net === (side === 'long' ? size : -size) ? lastReceivedAt : undefined;
}

const NO_FACTS: readonly AccountEvent[] = Object.freeze([]);

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
      // riskd may have to answer these: the fill of an order it could not cancel, the end of a stop it placed.
      if (o.status === OrderStatus.Filled || o.fillVolume > 0) facts.push({ type: 'order.filled', orderId: o.id, contractId: o.contractId, now });
      if (change.what === 'terminal') facts.push({ type: 'order.ended', orderId: o.id, contractId: o.contractId, now });
      pushProtection(facts, view, o.contractId, now);
      break;
    }
    case 'account':
      if (change.canTradeChanged || change.before === undefined) facts.push({ type: 'account.canTrade', canTrade: change.after.canTrade, now });
      break;
  }
  return facts;
}

/** The machine event of what the executor reports about riskd's own orders (answered by machines/account/ownOrders.ts). */
export function ownOrderEvent(fact: OwnOrderFact, now: number): AccountEvent {
  if (fact.type === 'stopPlaced') return { type: 'enforcement.stopPlaced', contractId: fact.contractId, orderId: fact.orderId, now };
  // Every request reaches the executor from the machine (daemon.ts), so its rule is one the machine owns.
  const rule = fact.rule as LockOwner;
  return { type: 'enforcement.fillWatched', orderId: fact.orderId, ...(fact.contractId !== undefined ? { contractId: fact.contractId } : {}), rule, reason: fact.reason, now };
}

/** Tell the executor what confirms (or invalidates) its in-flight actions. */
function confirm(executor: PipelineDeps['executor'], accountId: number, change: LedgerChange): void {
  if (change.kind === 'position') {
    executor.confirmFromLedger(accountId, { kind: 'position', contractId: change.contractId, size: change.after?.size ?? 0 });
  } else if (change.kind === 'order') {
    executor.confirmFromLedger(accountId, { kind: 'order', order: change.order });
  }
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

export function handleChange(deps: PipelineDeps, accountId: number, change: LedgerChange, view: Ledger): void {
  confirm(deps.executor, accountId, change);
  decide(deps, accountId, view, triggerOf(change), withoutUntrackedOrders(deps.supervisor, accountId, factsOf(change, view, deps.now())));
}

/**
 * order.filled and order.ended matter to the machine only for an order of riskd's own it tracks (ownOrders.ts: a
 * watched fill, its own stop); for any other order they change nothing, and each would be one more machine step
 * on every fill.
 */
function withoutUntrackedOrders(supervisor: AccountSupervisor, accountId: number, facts: readonly AccountEvent[]): readonly AccountEvent[] {
  if (!facts.some((f) => f.type === 'order.filled' || f.type === 'order.ended')) return facts;
  const context = supervisor.get(accountId)?.actor.getSnapshot().context;
  const tracked = (orderId: number, contractId: string): boolean =>
    context !== undefined && (fillWatchOf(context, orderId) !== undefined || ownStopOf(context, contractId) === orderId);
  return facts.filter((f) => (f.type !== 'order.filled' && f.type !== 'order.ended') || tracked(f.orderId, f.contractId));
}

/**
 * Runs the rules again without a new event: after an enforcement action settled without reaching its goal
 * (e.g. a reduce overtaken by partial fills), the state may still breach although nothing changed since.
 */
export function reevaluateAccount(deps: PipelineDeps, accountId: number, view: Ledger): void {
  // Every open position, then the account as a whole (rules that size positions read the one in the trigger).
  for (const p of view.positions()) decide(deps, accountId, view, { kind: 'position', contractId: p.contractId }, NO_FACTS);
  decide(deps, accountId, view, { kind: 'account' }, NO_FACTS);
}

/** The facts and the evaluator's verdicts go to the machine in one batch (one snapshot write); it decides. */
function decide(deps: PipelineDeps, accountId: number, view: Ledger, trigger: RuleTrigger | undefined, facts: readonly AccountEvent[]): void {
  const now = deps.now();
  const config = deps.configOf(accountId);
  // While a REST snapshot is half applied, only the rules the registry allows then run (the ones judging a
  // fill by itself); the settled pass runs every rule once on the whole snapshot.
  let verdicts = NO_VERDICTS;
  if (trigger) {
    const ctx: RuleContext = { view, event: trigger, now, tz: config.trading_day.timezone, nextResetAt: cachedNextReset(now, config.trading_day) };
    if (deps.lastModifyAt) ctx.lastModifyAt = deps.lastModifyAt;
    verdicts = evaluate(config.rules, ctx, deps.settling?.(accountId) === true);
  }
  if (facts.length === 0 && verdicts.length === 0) return;
  const events: readonly AccountEvent[] = verdicts.length === 0 ? facts : [...facts, { type: 'rule.verdicts', verdicts: [...verdicts], now }];
  if (!deps.runMachine) return void deps.supervisor.batch(accountId, (send) => events.forEach(send));
  // A verdict, the broker's trading switch (RULE-010), any fact reaching a locked account or one with a blocked
  // symbol (their kill switch), or one that riskd's own orders must answer may be a decision: the machine runs at
  // once. Other facts decide nothing now and may wait until the hub is quiet.
  const armed = killSwitchArmed(deps.supervisor, accountId);
  const urgency: Urgency = armed || facts.some((f) => f.type === 'account.canTrade') || answersOwnOrder(deps.supervisor, accountId, facts)
    ? 'now'
    : verdicts.length === 0
      ? 'later'
      : verdicts.some((v) => v.lock !== undefined)
        ? 'now'
        : 'lockFreeVerdict';
  deps.runMachine(accountId, events, urgency);
}

/**
 * Whether a fact is one the machine answers with an intent for riskd's own orders (ownOrders.ts): the fill of an
 * order it watches, or the close of a position under a stop riskd placed.
 */
function answersOwnOrder(supervisor: AccountSupervisor, accountId: number, facts: readonly AccountEvent[]): boolean {
  if (!facts.some((f) => f.type === 'order.filled' || f.type === 'position.closed')) return false;
  const context = supervisor.get(accountId)?.actor.getSnapshot().context;
  return context !== undefined && facts.some((f) =>
    (f.type === 'order.filled' && fillWatchOf(context, f.orderId) !== undefined) || (f.type === 'position.closed' && ownStopOf(context, f.contractId) !== undefined));
}

/** Whether the account's kill switch can act: it is locked, or a symbol is blocked. */
function killSwitchArmed(supervisor: AccountSupervisor, accountId: number): boolean {
  const snapshot = supervisor.get(accountId)?.actor.getSnapshot();
  return snapshot !== undefined && (snapshot.matches({ lockout: 'locked' }) || snapshot.matches({ symbolBlocks: 'blocking' }));
}
