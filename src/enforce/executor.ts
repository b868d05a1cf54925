// The enforcement executor: makes intents (flatten, close, reduce, cancel, cancelAll, moveStop) true at the
// gateway, exactly once, and writes every step to the audit log.
//
// Each action's life is a statechart (machines/action), one actor per action; the executor provides its REST call,
// its REST check and its audit writes, and keeps the registry (in flight per key, absorb, drain). What an intent
// needs (which closes, cancels and stop moves, or why none) is planned by plan.ts, planAccountWide.ts and
// planStopMove.ts, pure over the ledger's view, the per-account memory and what the registry holds; the executor
// reads the REST lists a plan asks for and carries out its steps (actionSpec.ts).
//
// Shape of one action:  execute() -> row 'pending' -> REST mutation (priority 'enforce') -> row 'sent'
//   -> confirming ledger event (confirmFromLedger)          -> 'confirmed'
//   -> or no event within confirmTimeoutMs -> REST check   -> 'reconciled' (it happened) | 'failed' (it did not)
//   -> timeout/429/5xx on the call -> REST check first; re-send only if the check proves nothing happened,
//      at most maxAttempts sends; a business refusal is never re-sent (live-account fallbacks aside).
// Whatever the end, the (account, contract) key is freed and the caller is asked to re-evaluate (after a failure
// only once the key has rested, 1 s doubling to 60 s): the executor never re-sends on its own after a settle.
//
// REST economy (200 requests / 60 s per user): an action the hub confirmed costs one request, the mutation, and
// its re-evaluation runs on the ledger. Only an action whose confirmation is missing or ambiguous is checked
// over REST, by reads at 'reconcile' priority (never in an enforcement call's way), and the caller re-evaluates
// on that check's own answers (Position/searchOpen, Order/v2/query: applied to the ledger as positions-only and
// orders-only snapshots): at most 2 requests per breach. Reads a mutation waits on (re-send after a timeout?)
// go at 'enforce'.
// Every read is coalesced per account (one in flight, at most one queued: accountReads.ts). A skipped or absorbed
// intent costs no request at all.
//
// Live (non-simulated) and follower accounts refuse Order/cancel and Position/partialCloseContract
// (projectx-api.md quirk 11). Decisions:
//   - reduce: partialCloseContract refused with errorCode 9 (AccountRejected) or a "Live accounts not supported"
//     message -> closeContract for the whole position; errorCode 5 (InvalidCloseSize: the position is no larger
//     than the size to close) -> closeContract. Closing more than the excess is the safe side for a risk limit.
//     errorCode 6 (OrderRejected: market closed / no price) fails: a close would be refused the same way.
//   - cancel: errorCode 6 (AccountRejected) or a live/follower message -> the account is remembered as refusing
//     cancels, no further cancel is attempted on it, and the order is watched (onOwnOrder 'fillWatched'): when it
//     fills, the account machine closes its position.
import { performance } from 'node:perf_hooks';
import { assign, createActor, fromPromise, type Actor, type InspectionEvent, type StateValue } from 'xstate';
import { actionMachine, type ActionEnd, type ActionKind, type ActionStart, type CallAnswer, type CheckAnswer } from '../../machines/action/index.ts';
import { OrderType, isWorkingStatus, type Order } from '../gateway/models.ts';
import type { Logger } from '../log/logger.ts';
import { AuditTrail, type AuditRow, type Latency } from './auditTrail.ts';
import { AccountMemory } from './accountMemory.ts';
import { startOf } from './actionStart.ts';
import { ENDPOINT, orderKey, positionKey, stopKey, type ActionSpec, type Step } from './actionSpec.ts';
import { AccountReads, type ReadPriority } from './accountReads.ts';
import { Coalesced, lookMark } from './coalesced.ts';
import { classifyFailure } from './gatewayOutcome.ts';
import { resumableAction } from './interrupted.ts';
import { heldCloseAfter, orderConfirmsStop, orderEndsCancel, positionConfirms } from './ledgerConfirmation.ts';
import { planOne, type PlanFacts } from './plan.ts';
import { accountWideSource, flattenSweep, planAccountWide, type AccountLists, type AccountWideIntent, type Sweep } from './planAccountWide.ts';
import { planStopMove, queuedMoveMoot, type StopMoveIntent } from './planStopMove.ts';
import { verify, type Verdict } from './verification.ts';
import type {
  AccountRefusal,
  AccountStateView,
  AttributionPort,
  CheckReads,
  EnforcementLogPort,
  EnforcementRequest,
  EnforcementRest,
  EnforcementRow,
  EnforcementStatus,
  ExecutorOptions,
  LedgerChange,
  OrdersRead,
  OwnOrderFact,
  PositionsRead,
  RefusalsPort,
  TimerPort,
} from './types.ts';

export type { EnforcementRequest, LedgerChange, OwnOrderFact } from './types.ts';

export interface ExecutorDeps {
  rest: EnforcementRest;
  /** store.enforcement */
  auditLog: EnforcementLogPort;
  attribution: AttributionPort;
  logger: Logger;
  /** The ledger's view of an account, used to expand flatten/cancelAll without a REST round trip. */
  view?: (accountId: number) => AccountStateView | undefined;
  /**
   * Whether the ledger has had the account's REST snapshot since this start. Before it, the ledger is what the store
   * remembered: a close answered just before a crash may be missing, so a flatten asks REST what is open instead.
   */
  reconciled?: (accountId: number) => boolean;
  /**
   * Called after an action settles (its key is free again): the caller decides whether anything is left to do.
   * `source` says what to decide on: 'ledger' when the hub confirmed the action (the ledger already holds its
   * outcome: run the rules on it, no REST), 'rest' when it did not (reconcile the account over REST at
   * 'reconcile' priority first; the executor coalesces these per account and waits for the returned promise).
   * With `reads` (the Position/searchOpen and Order/v2/query answers the action's own check read, started after
   * its call was answered): apply those answers to the ledger instead of reconciling, so the check is the only
   * read it costs.
   */
  reevaluate?: (accountId: number, contractId: string | undefined, source: ReevaluateSource, reads?: CheckReads) => void | Promise<unknown>;
  /**
   * Whether the account holds a lock forbidding new exposure (its kill switch is on). A close that would end
   * failed while it does rests and is checked again, and re-sent if the position is still open (machines/action):
   * nothing else re-decides a position the kill switch already answered until it changes again.
   */
  holdsLock?: (accountId: number) => boolean;
  /** Every audit row change, for dashboards and notifications. */
  onAction?: (row: Readonly<AuditRow>) => void;
  /** Keeps what the gateway refuses per account across restarts; none = learned anew each start. */
  refusals?: RefusalsPort;
  /**
   * What the executor left on the gateway that a later fact must be answered for: an order it could not cancel
   * (watched: its fill must be closed) and a stop it placed (cancelled once its position is flat). The account
   * machine decides both (machines/account/ownOrders.ts); the executor only reports them.
   */
  onOwnOrder?: (fact: OwnOrderFact) => void;
  /** Inspection events of every action's statechart, by account, with the action's actor id (for an inspector). */
  inspect?: ActionInspect;
  /** Wall clock, epoch ms. */
  now?: () => number;
  timers?: TimerPort;
  options?: ExecutorOptions;
}


/**
 * An action's life is its statechart (machines/action/action.machine.ts), one actor per action. Its tags say
 * where it is: 'held' (not sent yet, waiting for the event that likely makes it moot: a close whose position the
 * fills already received make flat, or a cancel of a market order), 'queued' (a stop move waiting for the modify
 * throttle), 'working' (sent: awaiting its answer, its confirming event, or a REST check). `end` (the chart's
 * output) is set once its row is final; the key is freed once every call it sent is answered.
 */
type ActionActor = Actor<typeof actionMachine>;
type ActionEvent = Parameters<ActionActor['send']>[0];
const isSettled = (a: { end?: ActionEnd }): boolean => a.end !== undefined;
/** A chart not created yet (`early`: its first call is out, see run) is sending: 'working'. */
const hasTag = (a: { end?: ActionEnd; actor?: ActionActor; early?: unknown }, tag: 'held' | 'queued' | 'working'): boolean =>
  a.end === undefined && (a.actor !== undefined ? a.actor.getSnapshot().hasTag(tag) : a.early !== undefined && tag === 'working');

/** An action chart's inspection event: its account and its actor id in the inspector ('action:<audit row id>'). */
export type ActionInspect = (accountId: number, event: InspectionEvent, actorId: string) => void;

/** An action's actor id in the inspector and the transitions audit: its audit row id links it to enforcement_log. */
export const actionActorId = (rowId: number): string => `action:${rowId}`;

/** What a re-evaluation after an action decides on: the ledger (the hub confirmed the action) or a REST reconcile. */
export type ReevaluateSource = 'ledger' | 'rest';

/** One gateway mutation the executor owns until it settles. */
interface Action extends Omit<ActionSpec, 'note'> {
  accountId: number;
  /** customTags used by placeStop attempts (a fresh one per attempt). */
  tags: string[];
  req: EnforcementRequest;
  row: AuditRow;
  attempts: number;
  /** Epoch ms of the latest request. */
  requestAt?: number;
  latency: Latency;
  /** performance.now() when execute() was called. */
  t0: number;
  /** The action's statechart; absent only when nothing of its batch could be sent (the lock was not persisted). */
  actor?: ActionActor;
  /** Until the chart exists (run): the call it made first, which its `call` adopts, and the events told meanwhile. */
  firstCall?: Promise<CallAnswer>;
  early?: ActionEvent[];
  /** How it ended (its chart's output), once its row is final; the key may still wait for an unanswered call. */
  end?: ActionEnd;
  /** Calls sent and not yet answered: the key stays taken until they are, even once the goal is confirmed. */
  callsOpen: number;
  /** lookMark() when the latest call was answered: a REST read started later shows what the call did. */
  answeredMark?: number;
  /** What its latest REST check read: the re-evaluation after it applies these answers. */
  checkReads?: CheckReads;
  /** What settling asked for once the key is free (re-evaluate or back off). */
  afterRelease?: () => void;
  /**
   * A close of this contract decided while the action held the key (a kill switch or flatten). Those come from
   * edges that will not fire again, so it is sent, REST permitting, once the key is free; its one audit row is
   * written then (the close, or why none was needed).
   */
  absorbedClose?: EnforcementRequest;
  settled: Promise<EnforcementStatus>;
  resolve: (status: EnforcementStatus) => void;
}

interface Backoff {
  delayMs: number;
  until: number;
  why: string;
  timer?: unknown;
}

export interface InFlightInfo {
  key: string;
  kind: ActionKind;
  accountId: number;
  contractId?: string;
  orderId?: number;
  rowId: number;
  attempts: number;
  /** Where its statechart is (machines/action): heldForFill, sending, awaitingConfirmation, verifying, ... */
  state: string;
  /** Its chart's actor id in the inspector (actionActorId), its state value and context. */
  actorId: string;
  value: StateValue;
  context: unknown;
}

/** Enforcement calls, and the reads one cannot go without (planning a flatten with no ledger view). */
const ENFORCE = { priority: 'enforce' } as const;

export class Executor {
  private readonly rest: EnforcementRest;
  private readonly attribution: AttributionPort;
  private readonly logger: Logger;
  private readonly audit: AuditTrail;
  private readonly now: () => number;
  private readonly timers: TimerPort;
  private readonly confirmTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBackoffMs: number;
  private readonly modifyMinIntervalMs: number;
  private readonly attributionWindowMs: number;
  private readonly failureBackoffMs: number;
  private readonly maxFailureBackoffMs: number;
  private readonly fillSettleMs: number;

  private readonly registry = new Map<string, Action>();
  /** Refusals, close-on-fill watches, the stops riskd placed, stop prices and modify times sent. */
  private readonly memory: AccountMemory;
  private readonly batches = new Set<Promise<void>>();
  /** Re-evaluations asked for in this turn, by account (and contract), with the newest answers of each list read. */
  private readonly reevaluations = new Map<string, ListReads>();
  private readonly readsApplied = new WeakSet<PositionsRead | OrdersRead>();
  private readonly inspectors = new Set<ActionInspect>();
  private sentQueue: Action[] = [];
  /** key -> the wait after a failure before the key may be tried again. */
  private readonly backoffs = new Map<string, Backoff>();
  private draining = false;
  private tagSeq = 0;
  /** REST looks at an account, one in flight and at most one queued per account, list and priority. */
  private readonly reads: AccountReads;
  private readonly accountReconcile: Coalesced<unknown>;
  private readonly tagPrefix: string;

  constructor(private readonly deps: ExecutorDeps) {
    this.rest = deps.rest;
    this.attribution = deps.attribution;
    this.logger = deps.logger;
    this.now = deps.now ?? Date.now;
    this.timers = deps.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    const o = deps.options ?? {};
    this.confirmTimeoutMs = o.confirmTimeoutMs ?? 2000;
    this.maxAttempts = o.maxAttempts ?? 3;
    this.retryBackoffMs = o.retryBackoffMs ?? 250;
    this.modifyMinIntervalMs = o.modifyMinIntervalMs ?? 1000;
    this.attributionWindowMs = o.attributionWindowMs ?? 15_000;
    this.failureBackoffMs = o.failureBackoffMs ?? 1000;
    this.maxFailureBackoffMs = o.maxFailureBackoffMs ?? 60_000;
    this.fillSettleMs = o.fillSettleMs ?? 300;
    if (deps.inspect) this.inspectors.add(deps.inspect);
    this.memory = new AccountMemory(this.storedRefusals());
    this.audit = new AuditTrail(deps.auditLog, deps.logger, deps.onAction ?? (() => {}));
    this.reads = new AccountReads(this.rest, this.now, (id) => deps.view?.(id)?.workingOrders().map((o) => o.id));
    this.accountReconcile = new Coalesced(async (id) => deps.reevaluate?.(id, undefined, 'rest'));
    // customTag must be unique per account across restarts too: the start time makes the prefix unique.
    this.tagPrefix = this.now().toString(36);
  }

  /**
   * Start enforcing a batch. Sending begins synchronously (no await before the first REST call when the ledger
   * view is available). `beforeFirstCall` runs once, synchronously, before anything of the batch reaches the
   * gateway: the runtime persists the lock there; if it throws, nothing of the batch is sent (rows 'failed').
   * The returned promise settles when every action of the batch has settled; hot-path callers need not await it.
   */
  execute(batch: readonly EnforcementRequest[], opts: { beforeFirstCall?: () => void } = {}): Promise<void> {
    const t0 = performance.now();
    const gate = new BatchGate(opts.beforeFirstCall, this.logger);
    // Persist first, always: even a batch that turns out to need no call must not skip the caller's lock write.
    if (batch.length > 0 && !this.draining) gate.open();
    const work = Promise.all(batch.map((req) => this.runRequest(req, t0, gate))).then(() => undefined);
    this.batches.add(work);
    void work.finally(() => this.batches.delete(work));
    return work;
  }

  /** Hand over a ledger change so in-flight actions can be confirmed. */
  confirmFromLedger(accountId: number, change: LedgerChange): void {
    if (change.kind === 'position') {
      // A flat position's stop is the account machine's to cancel; a later move on the contract places a new one.
      if (change.size === 0) this.memory.dropOwnStop(accountId, change.contractId);
      const a = this.registry.get(positionKey(accountId, change.contractId));
      if (a && hasTag(a, 'held')) {
        const next = heldCloseAfter(change.size, this.deps.view?.(accountId), a.contractId);
        if (next?.type === 'SEND_NOW') a.actor?.send({ type: 'SEND_NOW', at: this.now() });
        else if (next) this.tell(a, next.type, next.detail);
        return;
      }
      if (!a || !hasTag(a, 'working')) return;
      const v = positionConfirms(a, change.size);
      if (v) this.tell(a, v.type, v.detail);
      return;
    }
    const o = change.order;
    if (!isWorkingStatus(o.status)) this.memory.forgetOrder(accountId, o);
    if (!isWorkingStatus(o.status)) this.memory.unwatch(accountId, o.id);
    const c = this.registry.get(orderKey(accountId, o.id));
    if (c && (hasTag(c, 'held') || hasTag(c, 'working'))) {
      const v = orderEndsCancel(o, hasTag(c, 'held'));
      if (v) this.tell(c, v.type, v.detail);
    }
    const s = this.registry.get(stopKey(accountId, o.contractId));
    if (s && hasTag(s, 'working')) {
      const v = orderConfirmsStop(s, o);
      if (v && s.kind === 'placeStop') this.adoptPlacedStop(s, o.id);
      if (v) this.tell(s, v.type, v.detail);
    }
  }

  /**
   * Actions a crash interrupted (their enforcement_log rows still 'pending' or 'sent': the request may have left)
   * resume through their chart's `resumed` start: a REST check first, a re-send only if it proves nothing
   * happened, never a blind one. Their row is the persisted action (interrupted.ts: resumableAction). Closes,
   * reduces and cancels resume; returns the rows that cannot (stop moves and places: their goal needs what only
   * the process knew), for the caller to close as interrupted.
   */
  resume(rows: readonly EnforcementRow[]): EnforcementRow[] {
    const left: EnforcementRow[] = [];
    for (const r of rows) {
      const resumed = resumableAction(r);
      if (!resumed || r.id === undefined || this.draining || this.registry.has(resumed.spec.key)) {
        left.push(r);
        continue;
      }
      const { spec, req, attempts } = resumed;
      let resolve!: (status: EnforcementStatus) => void;
      const settled = new Promise<EnforcementStatus>((res) => (resolve = res));
      const a: Action = {
        ...spec,
        accountId: r.accountId,
        tags: [],
        req,
        row: { ...r, id: r.id },
        attempts,
        latency: {},
        t0: performance.now(),
        callsOpen: 0,
        // Its check must see the gateway after the restart: any read from now on does.
        answeredMark: lookMark(),
        settled,
        resolve,
      };
      this.registry.set(a.key, a);
      this.audit.update(a.row, { outcome: `riskd restarted before its outcome was known (last: ${r.outcome ?? r.status}); checking over REST before anything is sent` });
      this.logger.warn('enforcement action interrupted by the last stop: resumed, checked before any send', { accountId: r.accountId, endpoint: r.endpoint, rowId: r.id });
      this.run(a, { startAs: 'resumed' }, attempts);
    }
    return left;
  }

  /** Inspection events of every action chart from now on (an inspector attached after start); returns the detach. */
  onInspect(fn: ActionInspect): () => void {
    this.inspectors.add(fn);
    return () => this.inspectors.delete(fn);
  }

  /** Actions the executor is still working on (for status pages and tests). */
  inFlight(): InFlightInfo[] {
    return [...this.registry.values()].filter((a) => !isSettled(a)).map((a) => ({
      key: a.key,
      kind: a.kind,
      accountId: a.accountId,
      ...(a.contractId !== undefined ? { contractId: a.contractId } : {}),
      ...(a.orderId !== undefined ? { orderId: a.orderId } : {}),
      rowId: a.row.id,
      attempts: a.attempts,
      state: stateText(a.actor?.getSnapshot().value ?? 'start'),
      actorId: actionActorId(a.row.id),
      value: a.actor?.getSnapshot().value ?? 'start',
      context: a.actor?.getSnapshot().context,
    }));
  }

  /** Orders whose fill will be answered by closing the position (the account refused to cancel them). */
  closeOnFillWatches(accountId?: number): { accountId: number; orderId: number; contractId?: string }[] {
    return this.memory
      .watchList(accountId)
      .map((w) => ({ accountId: w.accountId, orderId: w.orderId, ...(w.contractId ? { contractId: w.contractId } : {}) }));
  }

  /** What the gateway has refused on this account so far. */
  accountRefusals(accountId: number): { cancel: boolean; partialClose: boolean } {
    return { cancel: this.memory.refuses(accountId, 'cancel'), partialClose: this.memory.refuses(accountId, 'partialClose') };
  }

  /**
   * Shutdown: refuse new intents, wait up to `timeoutMs` for in-flight actions to settle, then record the rest as
   * failed. Uses the injected timers.
   */
  async drain(timeoutMs = 3000): Promise<void> {
    this.draining = true;
    let timer: unknown;
    const deadline = new Promise<void>((resolve) => {
      timer = this.timers.setTimeout(resolve, timeoutMs);
    });
    const everything = Promise.all([...this.batches, ...[...this.registry.values()].map((a) => a.settled)]);
    await Promise.race([everything.then(() => undefined), deadline]);
    this.timers.clearTimeout(timer);
    for (const a of [...this.registry.values()]) {
      if (!isSettled(a)) this.tell(a, 'ABANDON', `shutdown: not settled within ${timeoutMs} ms of drain`);
    }
    for (const key of [...this.backoffs.keys()]) this.clearBackoff(key);
    if (this.memory.watchList().length > 0) {
      this.logger.warn('shutdown with close-on-fill watches outstanding', { watches: this.closeOnFillWatches() });
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Planning (plan*.ts) and carrying out its steps

  private runRequest(req: EnforcementRequest, t0: number, gate: BatchGate): Promise<unknown> {
    if (this.draining) return this.skip(req, 'not executed: riskd is shutting down');
    const i = req.intent;
    switch (i.type) {
      case 'close':
      case 'reduce':
      case 'cancel':
        return this.apply(req, t0, gate, planOne(i, this.facts(i.accountId)));
      case 'flatten':
      case 'cancelAll':
        return this.expandAccountWide(req, i, t0, gate);
      case 'moveStop':
        return this.moveStop(req, i, t0, gate);
    }
  }

  /** What planning an intent of this account reads: the ledger's view, the memory, the registry. */
  private facts(accountId: number): PlanFacts {
    return {
      view: this.deps.view?.(accountId),
      reconciled: this.deps.reconciled?.(accountId),
      memory: this.memory,
      holder: (key) => {
        const a = this.registry.get(key);
        if (!a) return undefined;
        return {
          kind: a.kind,
          rowId: a.row.id,
          queued: hasTag(a, 'queued'),
          ...(a.orderId !== undefined ? { orderId: a.orderId } : {}),
          ...(a.side !== undefined ? { side: a.side } : {}),
          ...(a.stopPrice !== undefined ? { stopPrice: a.stopPrice } : {}),
        };
      },
    };
  }

  /** Carries out one planned step: starts its action, or writes why nothing is sent. */
  private apply(req: EnforcementRequest, t0: number, gate: BatchGate, step: Step): Promise<EnforcementStatus> {
    if (step.do === 'skip') {
      if (step.watch) this.watch(req, step.watch.orderId, step.watch.contractId);
      return this.skip(req, step.outcome, step.status, step.fields);
    }
    const { spec } = step;
    if (step.supersedes !== undefined) {
      const held = this.registry.get(spec.key);
      if (held) this.tell(held, 'SUPERSEDED', step.supersedes);
    }
    if (step.forgetOwnStop && spec.contractId !== undefined) this.memory.dropOwnStop(req.intent.accountId, spec.contractId);
    return this.start(req, t0, gate, spec);
  }

  private async expandAccountWide(req: EnforcementRequest, i: AccountWideIntent, t0: number, gate: BatchGate, sweep?: Sweep): Promise<unknown> {
    let facts = this.facts(i.accountId);
    const source = accountWideSource(i, facts, sweep);
    let from: { view: AccountStateView } | { lists: AccountLists };
    if ('view' in source) {
      from = source;
    } else {
      // Ask the gateway what is open. The lock is persisted before this call. The sweep is a check (coalesced,
      // 'reconcile' priority); a flatten with nothing else to go on is not.
      if (!gate.open()) return this.skip(req, `not executed: ${gate.refusal}`, 'failed');
      try {
        const [positions, orders] = await Promise.all([
          !source.positions
            ? Promise.resolve([])
            : sweep
              ? this.reads.positions(i.accountId, 'reconcile', sweep.after).then((r) => [...r.positions])
              : this.rest.searchOpenPositions(i.accountId, ENFORCE),
          !source.orders ? Promise.resolve([]) : sweep ? this.reads.orders(i.accountId, 'reconcile', sweep.after) : this.rest.queryWorkingOrders(i.accountId, ENFORCE),
        ]);
        from = { lists: { positions, orders } };
      } catch (err) {
        return this.skip(req, `${source.unreadable}: ${String(err)}`, 'failed');
      }
      facts = this.facts(i.accountId); // what is in flight now
    }
    const plan = planAccountWide(i, req.reason, from, facts, sweep);
    if (plan.do === 'nothing') return;
    if (plan.do === 'skip') return this.apply(req, t0, gate, plan);
    const planned = plan.reason === req.reason ? req : { ...req, reason: plan.reason };
    const work: Promise<EnforcementStatus>[] = [];
    const closing: Action[] = [];
    // Closes first: open exposure is what loses money; the cancels follow within microseconds.
    for (const spec of plan.closes) {
      work.push(this.start(planned, t0, gate, spec));
      const a = this.registry.get(spec.key);
      if (a) closing.push(a);
    }
    for (const step of plan.cancels) work.push(this.apply(planned, t0, gate, step));
    const ends = await Promise.all(work);
    if (i.type !== 'flatten' || sweep || this.draining) return;
    const next = flattenSweep(plan, ends, closing.map((a) => a.answeredMark));
    if (next) await this.expandAccountWide(req, i, t0, gate, next);
  }

  private async moveStop(req: EnforcementRequest, i: StopMoveIntent, t0: number, gate: BatchGate): Promise<unknown> {
    const plan = planStopMove(i, this.facts(i.accountId));
    if (plan.do !== 'read') return this.apply(req, t0, gate, plan);
    if (!gate.open()) return this.skip(req, `not executed: ${gate.refusal}`, 'failed');
    let orders: Order[];
    try {
      orders = await this.rest.queryWorkingOrders(i.accountId, ENFORCE);
    } catch (err) {
      return this.skip(req, `${plan.unreadable}: ${String(err)}`, 'failed');
    }
    return this.apply(req, t0, gate, planStopMove(i, this.facts(i.accountId), { orderId: plan.orderId, orders }));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Running one action

  private start(
    req: EnforcementRequest,
    t0: number,
    gate: BatchGate,
    spec: ActionSpec,
  ): Promise<EnforcementStatus> {
    const endpoint = ENDPOINT[spec.kind];
    const target = {
      ...(spec.orderId !== undefined ? { orderId: spec.orderId } : {}),
      ...(spec.size !== undefined ? { size: spec.size } : {}),
      ...(spec.startSize !== undefined ? { positionSize: spec.startSize } : {}),
      ...(spec.stopPrice !== undefined ? { stopPrice: spec.stopPrice } : {}),
    };
    if (this.draining) return this.skip(req, 'not executed: riskd is shutting down');
    const backoff = this.backoffs.get(spec.key);
    if (backoff && this.now() < backoff.until) {
      return this.skip(req, `not executed: the last attempt failed (${backoff.why}); next try allowed in ${backoff.until - this.now()} ms`, 'skipped', {
        endpoint,
        contractId: spec.contractId ?? null,
        extra: target,
      });
    }
    const held = this.registry.get(spec.key);
    if (held) {
      // A close absorbed by an unfinished close has the same goal and needs no redo; by a reduce, or by a close
      // already settled (its call still unanswered), it is a decision of its own: it waits for the key.
      if (spec.kind === 'close' && spec.contractId !== undefined && (isSettled(held) || held.kind !== 'close') && !held.absorbedClose) {
        held.absorbedClose = { ...req, intent: { type: 'close', accountId: req.intent.accountId, contractId: spec.contractId } };
        return Promise.resolve('skipped');
      }
      const what = spec.key.split(':')[0] === 'ord' ? 'order' : 'contract';
      const why = isSettled(held)
        ? `absorbed: the ${held.kind} of this ${what} (row #${held.row.id}) is settled but its call is unanswered; re-evaluated when it is`
        : `absorbed: ${held.kind} already in flight for this ${what} (row #${held.row.id})`;
      return this.skip(req, why, 'skipped', {
        endpoint,
        contractId: spec.contractId ?? null,
        extra: target,
      });
    }
    const row = this.audit.draft({ ...req, numbers: { ...req.numbers, ...target } }, 'pending', {
      endpoint,
      contractId: spec.contractId ?? null,
      outcome: spec.note ?? null,
    });
    let resolve!: (status: EnforcementStatus) => void;
    const settled = new Promise<EnforcementStatus>((r) => (resolve = r));
    const { note: _note, ...fields } = spec;
    const a: Action = {
      ...fields,
      accountId: req.intent.accountId,
      tags: [],
      req,
      row,
      attempts: 0,
      latency: {},
      t0,
      callsOpen: 0,
      settled,
      resolve,
    };
    this.registry.set(a.key, a);
    if (!gate.open()) {
      this.audit.store(row);
      this.finish(a, { status: 'failed', outcome: `not sent: persisting the lock failed first (${gate.refusal})`, after: 'none', source: 'rest' });
      return settled;
    }
    this.run(a, startOf(a, { view: this.deps.view?.(a.accountId), memory: this.memory, modifyMinIntervalMs: this.modifyMinIntervalMs, now: this.now() }));
    return settled;
  }

  /**
   * The action statechart with the executor's I/O provided: the REST call and check as actors, audit and memory
   * writes as actions, the wall clock behind its deadlines. Provided once (`provide` rebuilds every state node, a
   * cost the hot path must not pay per action); each implementation finds its action through the actor system,
   * which is one per action chart.
   */
  private readonly logic = actionMachine.provide({
    actors: {
      call: fromPromise<CallAnswer, { kind: ActionKind; attempt: number }>(({ system }) => {
        const a = this.actionOf(system);
        const first = a.firstCall;
        a.firstCall = undefined;
        return first ?? this.send(a);
      }),
      check: fromPromise<CheckAnswer, { priority: ReadPriority }>(async ({ input, system }) => {
        const a = this.actionOf(system);
        const verdict = await this.check(a, input.priority);
        // The next check needs a look that starts after this one.
        if (verdict.state === 'pending') a.answeredMark = lookMark();
        return { state: verdict.state, detail: verdict.detail, at: this.now(), underLock: this.holdsLock(a) };
      }),
    },
    delays: {
      untilWake: ({ context }) => Math.max(0, context.wakeAt - this.now()),
    },
    actions: {
      record: ({ system }, params: { outcome: string }) => this.audit.update(this.actionOf(system).row, { outcome: params.outcome }),
      logUnknown: ({ context, system }) => {
        const a = this.actionOf(system);
        this.logger.warn('enforcement call outcome unknown: reconciling before anything else', {
          rule: a.req.rule,
          accountId: a.accountId,
          endpoint: ENDPOINT[a.kind],
          attempt: a.attempts,
          error: context.unknown?.detail,
        });
      },
      logResend: ({ system }) => {
        const a = this.actionOf(system);
        this.logger.warn('enforcement re-send after REST check proved nothing happened', {
          rule: a.req.rule,
          accountId: a.accountId,
          endpoint: ENDPOINT[a.kind],
          attempt: a.attempts,
        });
      },
      logHeldCheckFailed: ({ event, system }) => {
        const a = this.actionOf(system);
        this.logger.warn('REST check of a held close failed: sending it', {
          accountId: a.accountId,
          contractId: a.contractId,
          error: String((event as { error?: unknown }).error),
        });
      },
      noteRefusal: ({ system }) => {
        const a = this.actionOf(system);
        if (a.kind === 'reduce') this.rememberRefusal(a.accountId, 'partialClose');
        if (a.kind === 'cancel') {
          this.rememberRefusal(a.accountId, 'cancel');
          this.watch(a.req, a.orderId!, a.contractId);
        }
      },
      recordFallback: ({ system }, params: { why: string }) => {
        const a = this.actionOf(system);
        a.kind = 'close';
        this.audit.update(a.row, { outcome: params.why, endpoint: ENDPOINT.close });
        this.logger.warn('reduce falls back to closeContract', { accountId: a.accountId, contractId: a.contractId, why: params.why });
      },
      assessThrottledStop: assign({
        stopSkip: ({ system }) => {
          const a = this.actionOf(system);
          const orders = this.deps.view ? (this.deps.view(a.accountId)?.workingOrders() ?? []) : undefined;
          return queuedMoveMoot(a, orders, this.memory);
        },
      }),
    },
  });
  /** The action each running chart drives, by the chart's actor system (one system per createActor). */
  private readonly actionsBySystem = new WeakMap<object, Action>();

  private actionOf(system: object): Action {
    const a = this.actionsBySystem.get(system);
    if (!a) throw new Error('action chart without its action');
    return a;
  }

  /**
   * Spawns the action's statechart (this.logic); its final state settles the action. An action that starts by
   * sending makes its call first (the transport writes the request inside it) and gets its chart on the next
   * microtask: creating the chart (~0.2 ms) must not stand in front of the write. The chart's `call` adopts the
   * call already made; events for it meanwhile wait in `early`.
   */
  private run(a: Action, start: { startAs: ActionStart; sendAt?: number }, attempts?: number): void {
    if (start.startAs !== 'send') {
      this.audit.store(a.row); // the chart is named after its row
      return this.createChart(a, start, attempts);
    }
    a.early = [];
    // Queued first: it runs before anything the call queues. A throw here would have no caller to reach.
    queueMicrotask(() => {
      try {
        this.createChart(a, start);
      } catch (err) {
        a.early = undefined;
        this.finish(a, { status: 'failed', outcome: `action chart failed: ${String(err)}`, after: 'auto', source: 'rest' });
      }
    });
    a.firstCall = this.send(a);
    this.audit.store(a.row); // after the request was handed over: the insert is no part of its latency
  }

  private createChart(a: Action, start: { startAs: ActionStart; sendAt?: number }, attempts?: number): void {
    const actor = createActor(this.logic, {
      input: {
        kind: a.kind,
        ...start,
        ...(attempts !== undefined ? { attempts } : {}),
        now: this.now(),
        ...(a.orderId !== undefined ? { orderId: a.orderId } : {}),
        confirmTimeoutMs: this.confirmTimeoutMs,
        maxAttempts: this.maxAttempts,
        retryBackoffMs: this.retryBackoffMs,
        fillSettleMs: this.fillSettleMs,
        underLock: this.holdsLock(a),
        lockRetryRestMs: this.failureBackoffMs,
      },
      clock: this.timers,
      inspect: (e: InspectionEvent) => {
        if (this.inspectors.size === 0) return;
        const id = actionActorId(a.row.id);
        for (const fn of this.inspectors) fn(a.accountId, e, id);
      },
    });
    a.actor = actor;
    this.actionsBySystem.set(actor.system, a);
    actor.subscribe({
      complete: () => this.finish(a, actor.getSnapshot().output!),
      error: (err: unknown) => this.finish(a, { status: 'failed', outcome: `action chart failed: ${String(err)}`, after: 'auto', source: 'rest' }),
    });
    actor.start();
    const early = a.early ?? [];
    a.early = undefined;
    for (const e of early) actor.send(e);
  }

  /** The refusals learned before this start; an unreadable store value is reported and relearned. */
  private storedRefusals(): AccountRefusal[] {
    try {
      return this.deps.refusals?.list() ?? [];
    } catch (err) {
      this.logger.error('stored gateway refusals unreadable; relearning them', { error: err instanceof Error ? err.message : String(err) });
      return [];
    }
  }

  /** A refusal is remembered, and stored for the next start (a failed write is logged: memory still holds it). */
  private rememberRefusal(accountId: number, what: AccountRefusal['what']): void {
    if (!this.memory.noteRefusal(accountId, what)) return;
    try {
      this.deps.refusals?.save(this.memory.refusals());
    } catch (err) {
      this.logger.error('storing a gateway refusal failed', { accountId, what, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** A close of an account that holds a lock: the kill switch wants the position gone whatever happens. */
  private holdsLock(a: Action): boolean {
    return a.kind === 'close' && this.deps.holdsLock?.(a.accountId) === true;
  }

  /** Hands an event to the action's chart; ledger events carry their time. */
  private tell(a: Action, type: 'CONFIRMED' | 'OVERTAKEN' | 'MOOT' | 'SUPERSEDED' | 'ABANDON', detail: string): void {
    if (a.early) a.early.push({ type, detail, at: this.now() });
    else a.actor?.send({ type, detail, at: this.now() });
  }

  /** The action's REST mutation (the chart's `call` actor): resolves with the gateway's answer, read. */
  private send(a: Action): Promise<CallAnswer> {
    a.attempts += 1;
    const now = this.now();
    const first = a.attempts === 1;
    let call: Promise<unknown>;
    try {
      call = this.callGateway(a);
    } catch (err) {
      call = Promise.reject(err);
    }
    // After the call, in the same turn: no fill can arrive in between.
    if (a.contractId !== undefined && (a.kind === 'close' || a.kind === 'reduce')) {
      // closeContract returns no order id: fills on this contract for a while are riskd's (RULE-006/007).
      // Only as many contracts as this action closes: a trader's own exit in the window still counts.
      const contracts = a.kind === 'reduce' ? a.size : (a.startSize ?? this.deps.view?.(a.accountId)?.positions().find((p) => p.contractId === a.contractId)?.size);
      this.attribution.markEnforcementPending(a.accountId, a.contractId, now + this.attributionWindowMs, now, contracts);
    }
    if (a.kind === 'modifyStop' && a.orderId !== undefined) {
      this.memory.noteModify(a.orderId, now);
    }
    a.requestAt = now;
    if (first) {
      a.latency.triggerToRequestMs = now - a.req.triggerAt;
      a.latency.executeToRequestUs = Math.round((performance.now() - a.t0) * 1000);
    }
    this.recordSentSoon(a);
    a.callsOpen += 1;
    const endpoint = ENDPOINT[a.kind];
    return call.then(
      (res): CallAnswer => {
        this.callAnswered(a);
        if (a.kind === 'placeStop' && typeof res === 'number') this.adoptPlacedStop(a, res);
        // Until the order's end reaches the ledger: an orders-only snapshot that no longer lists it knows why.
        if (a.kind === 'cancel' && a.orderId !== undefined && !isSettled(a)) this.memory.noteCancelAccepted(a.accountId, a.orderId);
        return { answer: 'accepted', at: this.now() };
      },
      (err: unknown): CallAnswer => {
        this.callAnswered(a);
        const f = classifyFailure(endpoint, err);
        const at = this.now();
        if (f.kind === 'unknown') return { answer: 'unknown', detail: f.detail, ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}), at };
        return { answer: 'refused', refusal: f.refusal, detail: f.detail, at };
      },
    );
  }

  /**
   * The 'sent' row update and its log line wait for the end of the current turn, so every request of a batch
   * (a flatten's closes and cancels) leaves before any of these writes.
   */
  private recordSentSoon(a: Action): void {
    this.sentQueue.push(a);
    if (this.sentQueue.length > 1) return;
    queueMicrotask(() => {
      const q = this.sentQueue;
      this.sentQueue = [];
      for (const x of q) {
        // An action settled within the same turn keeps its final status.
        const status = isSettled(x) ? {} : { status: 'sent' as const };
        this.audit.update(x.row, { ...status, requestAt: x.requestAt, endpoint: ENDPOINT[x.kind] }, { attempts: x.attempts, latency: x.latency });
        this.logger.info('enforcement sent', {
          rule: x.req.rule,
          accountId: x.accountId,
          endpoint: ENDPOINT[x.kind],
          contractId: x.contractId,
          orderId: x.orderId,
          attempt: x.attempts,
        });
      }
    });
  }

  private callGateway(a: Action): Promise<unknown> {
    // The chart hears the grant on the next microtask: the request is handed to the transport (which writes it at
    // once) right after the grant, and a macrostep run now would stand between it and the socket write.
    const opts = {
      ...ENFORCE,
      onBudgetGranted: () => {
        const at = this.now();
        queueMicrotask(() => a.actor?.send({ type: 'BUDGET_GRANTED', at }));
      },
    };
    switch (a.kind) {
      case 'close':
        return this.rest.closeContract(a.accountId, a.contractId!, opts);
      case 'reduce':
        return this.rest.partialCloseContract(a.accountId, a.contractId!, a.size!, opts);
      case 'cancel':
        return this.rest.cancelOrder(a.accountId, a.orderId!, opts);
      case 'modifyStop':
        this.memory.noteStopSent(a.orderId!, a.stopPrice!);
        return this.rest.modifyOrder({ accountId: a.accountId, orderId: a.orderId!, stopPrice: a.stopPrice! }, opts);
      case 'placeStop': {
        const tag = `riskd-${a.accountId}-${this.tagPrefix}-${++this.tagSeq}`;
        a.tags.push(tag);
        return this.rest.placeOrder(
          {
            accountId: a.accountId,
            contractId: a.contractId!,
            type: OrderType.Stop,
            side: a.side!,
            size: a.size!,
            stopPrice: a.stopPrice!,
            customTag: tag,
          },
          opts,
        );
      }
    }
  }

  /**
   * A position event can confirm a close before the gateway answers the call (the trader's own exit looks the
   * same); a second close or reduce would then race the first, so their key is freed only once every call of
   * the action has been answered.
   */
  private callAnswered(a: Action): void {
    a.callsOpen -= 1;
    a.answeredMark = lookMark();
    if (isSettled(a) && a.callsOpen === 0 && a.afterRelease) this.release(a);
  }

  private adoptPlacedStop(a: Action, orderId: number): void {
    if (a.orderId === orderId) return;
    a.orderId = orderId;
    this.attribution.markEnforcementOrder(a.accountId, orderId);
    if (a.stopPrice !== undefined) this.memory.noteStopSent(orderId, a.stopPrice);
    if (a.contractId === undefined) return;
    this.memory.setOwnStop(a.accountId, a.contractId, orderId);
    // Whether it must go (its position went flat while the place was in flight) is the account machine's decision.
    this.deps.onOwnOrder?.({ type: 'stopPlaced', accountId: a.accountId, contractId: a.contractId, orderId });
  }

  /**
   * What REST says about an action's goal (verification.ts), from reads that started after its call was answered.
   * The answers are kept for the re-evaluation after the action, which applies them instead of reading again.
   */
  private async check(a: Action, priority: ReadPriority): Promise<Verdict> {
    const after = a.answeredMark;
    const reads: CheckReads = (a.checkReads = {});
    const verdict = await verify(a, {
      positions: async () => {
        const read = await this.reads.positions(a.accountId, priority, after);
        reads.positions = read;
        return [...read.positions];
      },
      orders: async () => {
        const read = await this.reads.ordersRead(a.accountId, priority, after);
        reads.orders = read;
        return [...read.orders];
      },
    });
    if (verdict.placedOrderId !== undefined) this.adoptPlacedStop(a, verdict.placedOrderId);
    return verdict;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Endings

  /**
   * Ends an action: frees its key, writes the final row, and asks the caller to re-evaluate. After a failure the
   * question waits (1 s, doubling to 60 s per key) so a gateway that keeps refusing (market closed, instrument
   * halted) is not hammered at REST speed by an immediate re-evaluation loop.
   */
  private finish(a: Action, end: ActionEnd): void {
    if (isSettled(a)) return;
    a.end = end;
    const { status, outcome, after, source } = end;
    const now = this.now();
    const ok = status === 'confirmed' || status === 'reconciled';
    this.audit.update(
      a.row,
      { status, outcome, ...(ok ? { confirmedAt: now } : {}) },
      ok ? { latency: Object.assign(a.latency, { triggerToConfirmMs: now - a.req.triggerAt }) } : undefined,
    );
    const level = status === 'failed' ? 'warn' : 'info';
    this.logger[level]('enforcement settled', {
      rule: a.req.rule,
      accountId: a.accountId,
      endpoint: ENDPOINT[a.kind],
      contractId: a.contractId,
      orderId: a.orderId,
      status,
      outcome,
    });
    a.resolve(status);
    if (ok) this.clearBackoff(a.key);
    a.afterRelease = () => {
      if (a.attempts === 0 || this.draining || after === 'none' || status === 'skipped') return;
      if (after === 'now' || ok) this.requestReevaluation(a.accountId, a.contractId, source, a.answeredMark, a.checkReads);
      else this.backOff(a, outcome);
    };
    // Only position mutations race each other (a second close landing on the trader's next position); stop
    // modifies are throttled and cancels are idempotent, so their keys are free at once.
    const racesItself = a.kind === 'close' || a.kind === 'reduce';
    if (a.callsOpen === 0 || !racesItself) this.release(a);
  }

  /** Frees the action's key, then re-evaluates or backs off as its settling asked. */
  private release(a: Action): void {
    if (this.registry.get(a.key) === a) this.registry.delete(a.key);
    const next = a.afterRelease;
    a.afterRelease = undefined;
    next?.();
    const absorbed = a.absorbedClose;
    a.absorbedClose = undefined;
    if (absorbed) void this.redoAbsorbedClose(absorbed, a);
  }

  /**
   * A close that waited for the key is sent only if the position is still open: the action that held the key may
   * have closed it. The ledger says so when there is one (no REST); without it, a coalesced REST check.
   */
  private async redoAbsorbedClose(req: EnforcementRequest, holder: Action): Promise<void> {
    const i = req.intent;
    if (i.type !== 'close') return;
    const notNeeded = (why: string): void => {
      try {
        void this.skip(req, `not sent: ${why} while the ${holder.kind} of row #${holder.row.id} held the contract`, 'skipped', { endpoint: ENDPOINT.close });
      } catch (err) {
        this.logger.warn('could not record a close that was not needed', { accountId: i.accountId, contractId: i.contractId, error: String(err) });
      }
    };
    if (this.draining) return notNeeded('riskd began shutting down');
    const isOpen = (ps: readonly { contractId: string; size: number }[]) => ps.some((p) => p.contractId === i.contractId && p.size > 0);
    const view = this.deps.view?.(i.accountId);
    if (view) {
      if (!isOpen(view.positions())) return notNeeded('the position closed');
    } else {
      try {
        if (!isOpen((await this.reads.positions(i.accountId, 'enforce')).positions)) return notNeeded('the position closed');
      } catch (err) {
        this.logger.warn('REST check before a waiting close failed: sending it', { accountId: i.accountId, contractId: i.contractId, error: String(err) });
      }
    }
    if (this.draining) return notNeeded('riskd began shutting down');
    await this.execute([{ ...req, reason: `${req.reason} (sent once the ${holder.kind} of row #${holder.row.id} freed the contract)`, triggerAt: this.now() }]);
  }

  private backOff(a: Action, why: string): void {
    const now = this.now();
    const prev = this.backoffs.get(a.key);
    // A failure long after the previous one starts the ladder again.
    const fresh = !prev || now > prev.until + this.maxFailureBackoffMs;
    const delayMs = fresh ? this.failureBackoffMs : Math.min(prev.delayMs * 2, this.maxFailureBackoffMs);
    if (prev?.timer !== undefined) this.timers.clearTimeout(prev.timer);
    const b: Backoff = { delayMs, until: now + delayMs, why };
    b.timer = this.timers.setTimeout(() => {
      b.timer = undefined;
      if (!this.draining) this.requestReevaluation(a.accountId, a.contractId, 'rest');
    }, delayMs);
    this.backoffs.set(a.key, b);
  }

  private clearBackoff(key: string): void {
    const b = this.backoffs.get(key);
    if (b?.timer !== undefined) this.timers.clearTimeout(b.timer);
    this.backoffs.delete(key);
  }

  /**
   * Ask the caller to re-evaluate. From the ledger: once per (account, contract) per turn (a flatten settles many
   * actions at once). After a REST check: on that check's answers (positions, working orders), once per account
   * per turn (the newest answer of each list wins), no read of its own. After REST otherwise: one reconcile per
   * account in flight and at most one queued; one that started after `answered` (the action's call was answered)
   * already shows the action.
   */
  private requestReevaluation(accountId: number, contractId: string | undefined, source: ReevaluateSource, answered?: number, reads?: CheckReads): void {
    const cb = this.deps.reevaluate;
    if (!cb) return;
    if (source === 'rest' && !reads?.positions && !reads?.orders) {
      this.accountReconcile.get(accountId, answered).catch((err: unknown) => this.logger.warn('re-evaluation after REST failed', { accountId, error: String(err) }));
      return;
    }
    // Actions answered together share one read: its answer is applied once.
    const fresh = <T extends PositionsRead | OrdersRead>(r: T | undefined): T | undefined => (r && !this.readsApplied.has(r) ? r : undefined);
    const read: ListReads = { positions: fresh(reads?.positions), orders: fresh(reads?.orders) };
    const checked = read.positions !== undefined || read.orders !== undefined;
    if (source === 'rest' && !checked) return;
    const key = checked ? `${accountId}:rest` : `${accountId}:${contractId ?? ''}`;
    const queued = this.reevaluations.get(key);
    if (queued) {
      if (read.positions && (!queued.positions || queued.positions.at < read.positions.at)) queued.positions = read.positions;
      if (read.orders && (!queued.orders || queued.orders.at < read.orders.at)) queued.orders = read.orders;
      return;
    }
    const entry: ListReads = checked ? read : {};
    this.reevaluations.set(key, entry);
    queueMicrotask(() => {
      this.reevaluations.delete(key);
      const { positions, orders } = entry;
      if (positions) this.readsApplied.add(positions);
      if (orders) this.readsApplied.add(orders);
      try {
        const done = checked
          ? cb(accountId, undefined, 'rest', {
              ...(positions ? { positions } : {}),
              ...(orders ? { orders, cancelled: this.memory.cancelsAcceptedOf(accountId) } : {}),
            })
          : cb(accountId, contractId, 'ledger');
        Promise.resolve(done).catch((err: unknown) => this.logger.warn('re-evaluation failed', { accountId, error: String(err) }));
      } catch (err) {
        this.logger.error('reevaluate callback threw', { error: String(err) });
      }
    });
  }

  private skip(
    req: EnforcementRequest,
    outcome: string,
    status: 'skipped' | 'failed' = 'skipped',
    fields: { endpoint?: string; contractId?: string | null; extra?: Record<string, unknown> } = {},
  ): Promise<EnforcementStatus> {
    const intent = req.intent;
    const contractId = fields.contractId ?? ('contractId' in intent ? intent.contractId : null);
    this.audit.open({ ...req, numbers: { ...req.numbers, ...fields.extra } }, status, {
      endpoint: fields.endpoint ?? null,
      contractId,
      outcome,
    });
    this.logger.info('enforcement not sent', { rule: req.rule, accountId: intent.accountId, status, outcome });
    return Promise.resolve(status);
  }

  /** An order the account would not let riskd cancel: planning leaves it alone, the account machine closes its fill. */
  private watch(req: EnforcementRequest, orderId: number, contractId: string | undefined): void {
    const accountId = req.intent.accountId;
    if (this.memory.watchOf(accountId, orderId)) return;
    const watch = { accountId, orderId, ...(contractId !== undefined ? { contractId } : {}), rule: req.rule, reason: req.reason };
    this.memory.watch(watch);
    this.deps.onOwnOrder?.({ type: 'fillWatched', ...watch });
  }
}

/** The newest answer of each list a re-evaluation applies. */
interface ListReads {
  positions?: PositionsRead | undefined;
  orders?: OrdersRead | undefined;
}

/** A chart state as text: 'sending.waitingForBudget'. */
function stateText(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value).map(([k, v]) => (v === undefined ? k : `${k}.${stateText(v)}`)).join(',');
}

/** Runs the caller's beforeFirstCall (persist the lock) once, right before a batch's first gateway call. */
class BatchGate {
  private state: 'unopened' | 'open' | 'refused' = 'unopened';
  refusal = '';

  constructor(
    private readonly beforeFirstCall: (() => void) | undefined,
    private readonly logger: Logger,
  ) {}

  /** False when beforeFirstCall threw: nothing of this batch may reach the gateway. */
  open(): boolean {
    if (this.state === 'unopened') {
      try {
        this.beforeFirstCall?.();
        this.state = 'open';
      } catch (err) {
        this.state = 'refused';
        this.refusal = String(err);
        this.logger.error('beforeFirstCall failed: nothing is sent for this batch', { error: this.refusal });
      }
    }
    return this.state === 'open';
  }
}
