// The composition root: config → store → restore machines → login → accounts → hubs + reconcile → live
// (DESIGN §1, §3). The gateway lifecycle (login, connect, subscribe, reconcile, reconnect, backoff) is the
// connection statechart (machines/connection) driven by src/gateway/gateway.ts; reconciliation runs after the
// hubs are subscribed, so no event can fall between the REST snapshot and the first hub event.
// Each startup step is logged with its duration; a fatal problem stops with one clear message (DaemonStartError).
// Every hub or REST event enters through `ingest`, which applies it to the ledger and the rules inside the
// turn's transaction (a read's hub order updates last: readOrder.ts); the events of one socket read (a fill:
// order, trade, position, account events) commit together at the end of the turn, with the account machine's
// work and snapshot (one per account and turn; machine facts that decide nothing wait until the hub is quiet,
// and the turn with them: see runMachine), so a crash leaves a consistent store one turn old at worst.
// Latency (bench/latency-process.ts): an enforcement request is handed to the transport the moment it is
// decided and written to its socket inside that call (socketTransport.ts). The one exception is the rule
// "persist a lock before you act on it": when the turn wrote a lock, the turn commits first and the request
// follows the commit. A plain close or reduce carries no lock and leaves first; its audit row and the machine's
// snapshot (which remembers the action in flight) commit with the turn, microseconds later: a kill -9 between
// them loses only those rows, and the restart reconciles over REST before deciding again.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LoadedConfig, RiskConfig } from '../config/types.ts';
import type { GatewayEvent } from '../gateway/models.ts';
import type { Logger } from '../log/logger.ts';
import { openStore, acquireDataDirLock, type Store, type DataDirLock } from '../store/index.ts';
import { RateBudget } from '../gateway/rateBudget.ts';
import type { TokenManager } from '../gateway/auth.ts';
import type { ProjectXRest } from '../gateway/rest.ts';
import type { HubClient, HubStatus } from '../gateway/hubs.ts';
import { createGatewayStack, type GatewayStack } from '../gateway/gateway.ts';
import type { ConnectionStatus } from '../gateway/connection.ts';
import { LedgerRegistry } from '../ledger/registry.ts';
import { judgedAfterTheRead } from './readOrder.ts';
import { accountIdOf, createRouter, type Router } from './router.ts';
import { applyOrdersSnapshot, applyPositionsSnapshot, reconcileAll, reconcileAccount, type ReconcileDeps } from './reconcile.ts';
import { createDegradedPoller, type DegradedPoller } from './degradedPoller.ts';
import { AccountSupervisor } from './actors/supervisor.ts';
import { Executor, type ReevaluateSource } from '../enforce/executor.ts';
import { closeInterruptedRows, unsettledRows } from '../enforce/interrupted.ts';
import type { AuditRow } from '../enforce/auditTrail.ts';
import type { CheckReads } from '../enforce/types.ts';
import type { AccountEmitted, AccountEvent, LockEntry } from '../../machines/account/index.ts';
import { handleChange, ownOrderEvent, reevaluateAccount, type PipelineDeps } from './accountPipeline.ts';
import { deliveryOf, type Urgency } from './machineOrder.ts';
import { isGlobexOpen } from '../calendar/globex.ts';

/**
 * Machine facts that decide nothing (an unlocked account) wait until no hub event has come for this long: the rest
 * of a fill's frames is usually on the wire, and running the facts of its first frames between two socket reads
 * (one XState macrostep each, ~0.5 ms and more) would stand in front of the position frame and its enforcement.
 */
const FACTS_QUIET_MS = 2;
/** ...waiting again at most this many times (~20 ms): a steady stream of events must not starve the machine. */
const FACTS_MAX_WAITS = 10;
/** How long after start the rules wait for an account's first REST snapshot before trusting the stored ledger. */
const UNVERIFIED_RULES_WAIT_MS = 30_000;

export class DaemonStartError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
    this.name = 'DaemonStartError';
  }
}

export interface DaemonOptions {
  config: LoadedConfig;
  dataDir: string;
  logger: Logger;
  /** Wall clock (epoch ms); tests inject one. */
  now?: () => number;
  /** Wall-clock tick for the machines (catch-up of missed boundaries). Default 5 s. */
  tickMs?: number;
  /** Confirm timeout of the executor before it checks by REST. */
  confirmTimeoutMs?: number;
}

export interface WatchedAccount {
  id: number;
  name: string;
  config: RiskConfig;
}

export type DaemonPhase = 'starting' | 'live' | 'degraded' | 'stopping' | 'stopped';

export interface DaemonListeners {
  onEnforcement?: (row: Readonly<AuditRow>) => void;
  onLock?: (change: { type: 'lock.set' | 'lock.released'; accountId: number; lock: LockEntry; how?: string }) => void;
  onHubStatus?: (s: HubStatus) => void;
}

export class Daemon {
  phase: DaemonPhase = 'starting';
  readonly startedAt: number;
  readonly accounts = new Map<number, WatchedAccount>();
  readonly store: Store;
  readonly registry: LedgerRegistry;
  readonly supervisor: AccountSupervisor;
  readonly gateway: GatewayStack;
  readonly rest: ProjectXRest;
  readonly tokens: TokenManager;
  readonly hubs: HubClient;
  /** A second of margin: the gateway counts a request on arrival, after riskd's grant (see expiryMarginMs). */
  readonly budget = new RateBudget({ expiryMarginMs: 1_000 });
  readonly executor: Executor;
  readonly router: Router;
  private readonly poller: DegradedPoller;
  /** The wall clock every part of the daemon reads (injected in tests; Date.now in production). */
  readonly now: () => number;
  private readonly listeners: DaemonListeners[] = [];
  private triggerAt = 0;
  private reconciling: Promise<unknown> | undefined;
  private rollTimer: ReturnType<typeof setInterval> | undefined;
  private quoteSync: ReturnType<typeof setTimeout> | undefined;
  private parseFailures = 0;
  private pipeline: PipelineDeps | undefined;
  private reconcileWiring: ReconcileDeps | undefined;
  private readonly settlingAccounts = new Set<number>();
  /**
   * Accounts whose ledger a full REST snapshot has confirmed since this start. Before that the ledger is the
   * store's copy from the last stop (a kill -9 can leave it behind the gateway), so rules wait for the snapshot
   * like they do while one is applied; not forever: a reconciliation that keeps failing must not disarm them.
   */
  private readonly verifiedAccounts = new Set<number>();
  private unverifiedUntil = -Infinity;
  /** Commits the open turn transaction (see ingestSafely). */
  private turn: (() => void) | undefined;
  /**
   * A lock was written (or the machine emitted an intent) in the uncommitted turn: requests wait for the commit.
   * Persist a lock before acting on it; a plain close or reduce with no lock leaves first, its audit row commits
   * with the turn right after.
   */
  private lockInTurn = false;
  /** Machine events that decide nothing now, per account, waiting for the hub to be quiet (see runMachine). */
  private machineBacklog = new Map<number, readonly AccountEvent[]>();
  /** Hub events (quotes aside) since the facts timer was armed: the hub is not quiet yet. */
  private eventsSinceArmed = 0;
  private factsTimer: ReturnType<typeof setTimeout> | undefined;
  /** An enforcement request left in this turn: the fill's deciding frame has been handled, nothing to wait for. */
  private requestLeft = false;
  /** Hub order events of the current socket read, judged once the read's other events have been (readOrder.ts). */
  private readOrders: GatewayEvent[] = [];

  private constructor(
    private readonly opts: DaemonOptions,
    private readonly dataLock: DataDirLock,
    store: Store,
  ) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.store = store;
    const { config, logger } = opts;
    const gw = config.accounts.gateway;
    const cred = config.accounts.credentials;
    this.gateway = createGatewayStack({
      apiUrl: gw.api_url,
      userHubUrl: gw.user_hub_url,
      marketHubUrl: gw.market_hub_url,
      userName: cred.username,
      apiKey: cred.api_key,
      budget: this.budget,
      // A request made inside the turn's transaction (an enforcement) leaves at once, or right after the commit
      // when the turn wrote a lock.
      gate: (send) => {
        if (!store.db.inTransaction) return send();
        if (!this.lockInTurn) {
          send();
          return this.requestWentOut();
        }
        store.afterCommit(() => {
          send();
          this.requestWentOut();
        });
      },
      log: logger.child({ part: 'gateway' }),
      onEvent: (ev) => this.ingest(ev),
      onParseFailure: (f) => this.parseFailed(f),
      onStatus: (st) => this.connectionChanged(st),
      reconcile: () => this.reconcile(),
      isMarketOpen: () => isGlobexOpen(this.now()),
      now: this.now, // hub events are stamped on the same clock the ledger's trading day is picked with
    });
    this.rest = this.gateway.rest;
    this.tokens = this.gateway.tokens;
    this.hubs = this.gateway.hubs;
    this.registry = new LedgerRegistry({
      tradingDay: { resetTime: config.risk.trading_day.reset_time, timezone: config.risk.trading_day.timezone },
      store,
      logger: logger.child({ part: 'ledger' }),
    });
    this.supervisor = new AccountSupervisor({
      repo: store.snapshots,
      clock: { now: this.now },
      logger: logger.child({ part: 'machines' }),
      // A snapshot that cannot be restored still leaves its locks in the locks table: the fresh actor keeps them.
      seedLocks: (id) => store.locks.active(id),
    });
    // The router and the executor need each other: attribution goes router-ward, confirmations executor-ward.
    let router: Router | undefined;
    this.executor = new Executor({
      rest: this.rest,
      auditLog: store.enforcement,
      attribution: {
        markEnforcementPending: (a, c, until, since, contracts) => router?.markEnforcementPending(a, c, until, since, contracts),
        markEnforcementOrder: (a, o) => router?.markEnforcementOrder(a, o),
      },
      logger: logger.child({ part: 'enforce' }),
      view: (id) => this.registry.get(id),
      reconciled: (id) => this.verifiedAccounts.has(id),
      reevaluate: (accountId, _contractId, source, reads) => this.reevaluate(accountId, source, reads),
      holdsLock: (id) => this.supervisor.get(id)?.actor.getSnapshot().matches({ lockout: 'locked' }) === true,
      onAction: (row) => this.listeners.forEach((l) => l.onEnforcement?.(row)),
      refusals: store.gatewayRefusals,
      onOwnOrder: (fact) => this.tellMachine(fact.accountId, ownOrderEvent(fact, this.now())),
      now: this.now,
      ...(opts.confirmTimeoutMs !== undefined ? { options: { confirmTimeoutMs: opts.confirmTimeoutMs } } : {}),
    });
    router = createRouter({
      registry: this.registry,
      logger: logger.child({ part: 'router' }),
      fetchContract: (id) => this.rest.contractById(id, { priority: 'reconcile' }),
      onUnknownContract: (f) => this.parseFailed({ kind: 'unknownContract', ...f }), // bad input, like a malformed payload
      runReleased: (apply) => {
        this.ingestSafely(apply);
        this.scheduleQuoteSync();
      },
      onChange: (accountId, change, view) => handleChange(this.pipelineDeps(), accountId, change, view),
    });
    this.router = router;
    this.poller = createDegradedPoller({
      accounts: () => [...this.accounts.keys()],
      poll: (id) => reconcileAccount(this.reconcileDeps(), id, { priority: 'poll', trades: true }),
      logger: logger.child({ part: 'poller' }),
    });
    this.wireMachines();
  }

  /** Starts riskd in the documented order. Throws DaemonStartError with one clear message on a fatal problem. */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    const log = opts.logger;
    const step = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        const out = await fn();
        log.info(`startup: ${name}`, { ms: Math.round((performance.now() - t0) * 10) / 10 });
        return out;
      } catch (err) {
        if (err instanceof DaemonStartError) throw err;
        throw new DaemonStartError(name, err instanceof Error ? err.message : String(err));
      }
    };
    await step('config', () => {
      for (const n of opts.config.notices) log.warn(n);
      log.addSecret(opts.config.accounts.credentials.api_key);
    });
    const { dataLock, store } = await step('store', () => {
      mkdirSync(opts.dataDir, { recursive: true });
      const dataLock = acquireDataDirLock(opts.dataDir);
      try {
        const store = openStore(join(opts.dataDir, 'state.db'), { logger: log.child({ part: 'store' }) });
        if (store.recovered) log.error(`STATE DATABASE WAS CORRUPT: moved aside to ${store.recovered.movedTo}; started with a fresh one`, { reason: store.recovered.reason });
        return { dataLock, store };
      } catch (err) {
        dataLock.release();
        throw err;
      }
    });
    const daemon = new Daemon(opts, dataLock, store);
    daemon.unverifiedUntil = daemon.now() + UNVERIFIED_RULES_WAIT_MS;
    // Actions a crash interrupted (rows still pending/sent) resume once the gateway can be reached: checked over REST
    // before anything is sent (Executor.resume); those that cannot resume are recorded as interrupted.
    const interrupted = unsettledRows(store.enforcement, daemon.now());
    try {
      await step('restore machines', () => daemon.restoreKnownAccounts());
      await step('login', () => daemon.tokens.login());
      if (interrupted.length > 0) {
        const left = daemon.executor.resume(interrupted);
        const failed = closeInterruptedRows(store.enforcement, daemon.now(), undefined, left);
        log.warn('enforcement actions interrupted by the last stop', { resumed: interrupted.length - left.length, markedFailed: failed });
      }
      await step('accounts', () => daemon.resolveAccounts());
      await step('contracts', () => daemon.loadTradableContracts());
      await step('hubs + reconcile', () => daemon.connect());
      daemon.supervisor.startTicker(opts.tickMs);
      daemon.rollTimer = setInterval(() => daemon.ingestSafely(() => daemon.router.rollDue(daemon.now())), opts.tickMs ?? 5_000);
      daemon.phase = 'live';
      log.info('riskd is live', { accounts: [...daemon.accounts.values()].map((a) => a.name) });
      return daemon;
    } catch (err) {
      await daemon.stop().catch(() => {});
      throw err;
    }
  }

  /** The configuration the daemon started with (control port, notifications, file paths' contents). */
  get config(): LoadedConfig {
    return this.opts.config;
  }

  addListener(l: DaemonListeners): () => void {
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  configOf(accountId: number): RiskConfig {
    return this.accounts.get(accountId)?.config ?? this.opts.config.risk;
  }

  /**
   * One gateway event through ledger, rules and machines, in the turn's transaction. Never throws. A hub order
   * event waits for the end of its socket read (readOrder.ts): the read's other events are judged first.
   */
  ingest(ev: GatewayEvent): void {
    if (judgedAfterTheRead(ev)) {
      if (this.readOrders.push(ev) === 1) queueMicrotask(() => this.ingestReadOrders());
      return;
    }
    this.judge(ev);
  }

  /** The hub order events of the socket read just handled, in arrival order. */
  private ingestReadOrders(): void {
    const orders = this.readOrders;
    this.readOrders = [];
    for (const ev of orders) this.judge(ev);
  }

  private judge(ev: GatewayEvent): void {
    this.triggerAt = ev.receivedAt;
    if (ev.kind === 'quote') {
      // Quotes write nothing to the ledger tables; only a breach (a machine batch) writes, in its own transaction.
      this.router.handle(ev);
      this.triggerAt = 0;
      return;
    }
    this.eventsSinceArmed++;
    // The router never throws (it logs and skips), so nothing of a hub event is ever rolled back: no savepoint,
    // two statements fewer per frame on the path of the fill's frames ahead of its position frame.
    this.ingestSafely(() => this.router.handle(ev), { savepoint: false });
    this.triggerAt = 0; // intents emitted later (timers) are triggered by the clock, not by this event
    this.scheduleQuoteSync();
  }

  /**
   * An enforcement request was just written to its socket: the fill's deciding frame has been handled, so the
   * machine facts waiting for the hub to be quiet run (and the turn commits) right after this socket read.
   */
  private requestWentOut(): void {
    if (this.requestLeft) return;
    this.requestLeft = true;
    setImmediate(() => {
      if (this.factsTimer !== undefined) this.runWaitingFacts();
    });
  }

  /**
   * Each event runs in the turn's transaction, in a savepoint of its own unless it cannot fail: the events of one
   * socket read commit together at the end of the turn (setImmediate), after an enforcement they caused has left,
   * unless a lock must be durable
   * first (lockInTurn: then the turn commits right after the event, and the request follows the commit). While
   * machine facts wait (runMachine), the turn stays open until they have run: the ledger rows and the machine's
   * view of them commit together, so a crash loses both (the restart's REST reconcile brings both back).
   */
  private ingestSafely(fn: () => void, o: { savepoint: boolean } = { savepoint: true }): void {
    if (this.phase === 'stopped') return; // a turn scheduled before stop() closed the store
    this.openTurn();
    try {
      if (o.savepoint || !this.store.db.inTransaction) this.store.transaction(fn);
      else fn();
    } catch (err) {
      this.opts.logger.error('event processing failed; skipped', { error: err instanceof Error ? err.message : String(err) });
    }
    if (this.lockInTurn) this.commitTurn();
  }

  private openTurn(): void {
    if (this.turn || this.store.db.inTransaction) return; // inside someone else's transaction: a savepoint of it
    try {
      this.turn = this.store.begin();
    } catch (err) {
      // Without a turn each event is its own transaction (store.transaction): slower, just as safe.
      this.opts.logger.error('could not open the turn transaction', { error: err instanceof Error ? err.message : String(err) });
      return;
    }
    setImmediate(() => {
      if (this.factsTimer === undefined) this.commitTurn(); // else the waiting facts commit it when they have run
    });
  }

  private commitTurn(): void {
    const commit = this.turn;
    this.turn = undefined;
    this.lockInTurn = false;
    this.requestLeft = false;
    try {
      commit?.();
    } catch (err) {
      this.opts.logger.error('committing the events of this turn failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private pipelineDeps(): PipelineDeps {
    return (this.pipeline ??= {
      supervisor: this.supervisor,
      executor: this.executor,
      configOf: (id) => this.configOf(id),
      now: this.now,
      settling: (id) => this.settlingAccounts.has(id) || (!this.verifiedAccounts.has(id) && this.now() < this.unverifiedUntil),
      runMachine: (id, events, urgency) => this.runMachine(id, events, urgency),
    });
  }

  /**
   * The machine events of a change. What cannot decide (facts on an unlocked account) waits for the end of the
   * turn: a fill arrives as one socket read of order, trade, position and account events, and the account machine's
   * work on the first ones must not stand between the position event and its enforcement. Waiting events run in
   * arrival order, one batch (one snapshot) per account, once the hub is quiet and before any later decision. Urgent
   * events run at once, after what waits for their account, or, for a lock-free verdict, ahead of it
   * (machineOrder.ts); a lock a batch sets is committed before its intents leave (the send gate holds them).
   * Other accounts' events keep waiting (each account's machine hears its own in that order).
   */
  private runMachine(accountId: number, events: readonly AccountEvent[], urgency: Urgency): void {
    const { now, wait } = deliveryOf(events, urgency, this.machineBacklog.get(accountId) ?? []);
    if (wait.length === 0) this.machineBacklog.delete(accountId);
    else {
      this.machineBacklog.set(accountId, wait);
      this.runFactsWhenQuiet();
    }
    if (now.length > 0) this.supervisor.batch(accountId, (send) => now.forEach(send));
  }

  /**
   * Waiting machine facts run once no hub event (quotes aside) came for FACTS_QUIET_MS, after FACTS_MAX_WAITS waits
   * at most, or at once after an enforcement request left (requestWentOut).
   */
  private runFactsWhenQuiet(): void {
    if (this.factsTimer !== undefined) return;
    let waits = 0;
    const arm = (ms: number): void => {
      this.eventsSinceArmed = 0;
      this.factsTimer = setTimeout(check, ms);
    };
    const check = (): void => {
      if (this.eventsSinceArmed > 0 && ++waits < FACTS_MAX_WAITS) return arm(FACTS_QUIET_MS);
      this.runWaitingFacts();
    };
    arm(this.requestLeft ? 0 : FACTS_QUIET_MS);
  }

  /** The waiting machine facts run now, in the turn they were received in, which then commits. */
  private runWaitingFacts(): void {
    clearTimeout(this.factsTimer);
    this.factsTimer = undefined;
    this.ingestSafely(() => this.flushMachineBacklog());
    this.commitTurn();
  }

  /** Runs the waiting machine events now (call inside a store transaction). */
  private flushMachineBacklog(): void {
    if (this.machineBacklog.size === 0) return;
    const backlog = this.machineBacklog;
    this.machineBacklog = new Map();
    if (this.phase === 'stopped') return;
    for (const [accountId, events] of backlog) this.supervisor.batch(accountId, (send) => events.forEach(send));
  }

  /**
   * A fact the executor reports (ownOrderEvent) goes to the account machine on the next microtask (never inside
   * the executor's or the machine's own step), after the account's waiting facts, so it sees them in order.
   */
  private tellMachine(accountId: number, event: AccountEvent): void {
    queueMicrotask(() => {
      if (this.supervisor.get(accountId)) this.ingestSafely(() => this.runMachine(accountId, [event], 'now'));
    });
  }

  /** Everything the dashboards show, computed from the live state. */
  status() {
    const now = this.now();
    return {
      phase: this.phase,
      startedAt: this.startedAt,
      now,
      connection: this.gateway.connection.status(),
      hubs: this.hubs.status(),
      rest: this.budget.stats(),
      parseFailures: this.parseFailures + this.hubs.parseFailureStats().total,
      accounts: [...this.accounts.values()].map((a) => this.accountStatus(a.id, now)),
    };
  }

  accountStatus(accountId: number, now = this.now()) {
    const acc = this.accounts.get(accountId);
    const ledger = this.registry.get(accountId);
    const cfg = this.configOf(accountId);
    const includeFees = cfg.rules.daily_realized_loss.include_fees;
    const ctx = this.supervisor.get(accountId)?.actor.getSnapshot().context;
    const realized = ledger?.realizedNetToday(includeFees) ?? 0;
    const unrealized = ledger?.unrealizedTotal() ?? null;
    return {
      id: accountId,
      name: acc?.name ?? String(accountId),
      canTrade: ledger?.canTrade ?? null,
      balance: ledger?.balance ?? null,
      realized,
      unrealized,
      net: realized + (unrealized ?? 0),
      openContracts: ledger?.openContractsTotal() ?? 0,
      positions: (ledger?.positions() ?? []).map((p) => ({
        contractId: p.contractId,
        symbol: p.symbol,
        side: p.side,
        size: p.size,
        averagePrice: p.averagePrice,
        mark: p.mark,
        unrealized: p.unrealized,
      })),
      workingOrders: (ledger?.workingOrders() ?? []).length,
      locks: (ctx?.locks ?? []).map((l: LockEntry) => ({ ...l, remainingMs: l.until === null ? null : Math.max(0, l.until - now) })),
      session: ctx?.session ?? null,
      tradingDay: ctx?.tradingDay ?? null,
      entriesToday: ledger ? ledger.countSince(ledger.tradingDayStart, 'entries') : 0,
      consecutiveLosses: ledger?.consecutiveLosingExits(includeFees) ?? 0,
    };
  }

  /**
   * An admin unlock request for one account (policy admin.unlock decides: released now, scheduled after the
   * delay, or refused). Lock rows change in one transaction with the machine snapshot. Returns what the machine
   * decided, or undefined when the account is not watched.
   */
  adminUnlock(accountId: number, req: { lockId?: string; rule?: string; by: string }): Extract<AccountEmitted, { type: 'unlock.requested' }> | undefined {
    if (!this.accounts.has(accountId)) return undefined;
    let answer: Extract<AccountEmitted, { type: 'unlock.requested' }> | undefined;
    const off = this.supervisor.onEmitted((e) => {
      if (e.type === 'unlock.requested' && e.accountId === accountId) answer = e;
    });
    try {
      this.store.transaction(() => {
        this.flushMachineBacklog(); // the machine decides on every fact received so far
        this.supervisor.send(accountId, {
          type: 'admin.unlock',
          now: this.now(),
          by: req.by,
          ...(req.lockId !== undefined ? { lockId: req.lockId } : {}),
          ...(req.rule !== undefined ? { rule: req.rule } : {}),
        });
      });
    } finally {
      off();
    }
    return answer;
  }

  /**
   * Applies a freshly loaded (already validated) configuration to every watched account (config.updated).
   * Gateway, credentials and the account list are not changed by a reload (a restart applies those).
   */
  applyConfig(config: LoadedConfig): string[] {
    const now = this.now();
    const applied: string[] = [];
    this.store.transaction(() => {
      this.flushMachineBacklog();
      for (const a of this.accounts.values()) {
        const next = config.perAccount[a.name] ?? config.risk;
        this.accounts.set(a.id, { ...a, config: next });
        this.supervisor.updateConfig(a.id, next, now);
        applied.push(a.name);
      }
      this.saveEffectiveConfig();
    });
    return applied;
  }

  /** The limits in force, for every view to read (live or with the daemon down) instead of a config file. */
  private saveEffectiveConfig(): void {
    const rows = [...this.accounts.values()].map((a) => ({ accountId: a.id, accountName: a.name, config: a.config }));
    this.store.effectiveConfig.replace(rows, this.now());
  }

  /** Graceful stop: no new enforcement, in-flight ones finished or recorded, hubs closed, store closed. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'stopping') return;
    this.phase = 'stopping';
    if (this.rollTimer) clearInterval(this.rollTimer);
    if (this.quoteSync) clearTimeout(this.quoteSync);
    this.poller.stop();
    await this.executor.drain().catch((err) => this.opts.logger.error('executor drain failed', { error: String(err) }));
    await this.gateway.close().catch(() => {});
    clearTimeout(this.factsTimer);
    this.factsTimer = undefined;
    this.ingestSafely(() => this.flushMachineBacklog());
    this.commitTurn();
    this.supervisor.stop();
    this.store.close();
    this.dataLock.release();
    this.phase = 'stopped';
    this.opts.logger.info('riskd stopped');
  }

  // ---- startup steps ----------------------------------------------------------------------------------

  /** Accounts riskd watched before (their locks must hold from the first event on). */
  private restoreKnownAccounts(): void {
    const now = this.now();
    for (const id of this.store.snapshots.listAccounts()) {
      const name = this.store.meta.get(`account.${id}.name`);
      if (!name || !this.isConfiguredName(name)) continue;
      const config = this.opts.config.perAccount[name] ?? this.opts.config.risk;
      this.accounts.set(id, { id, name, config });
      this.registry.open(id, now);
      const report = this.supervisor.open(id, config);
      this.opts.logger.info('account restored', { account: name, from: report.source, savedAt: report.savedAt });
    }
  }

  private isConfiguredName(name: string): boolean {
    const list = this.opts.config.accounts.accounts;
    return list.length === 0 || list.some((a) => a.name === name);
  }

  /**
   * Tick facts of every tradable product, so a hub position on a real contract is applied at once (the router
   * holds one on a contract it has no facts for until Contract/searchById names it). Not fatal: without the list
   * each new contract costs one lookup while its position waits.
   */
  private async loadTradableContracts(): Promise<void> {
    try {
      const contracts = await this.rest.availableContracts({ priority: 'reconcile' });
      let bad = 0;
      for (const c of contracts) {
        try {
          this.registry.contracts.put(c);
        } catch (err) {
          bad++; // impossible tick facts: that contract is looked up (and refused) on its own
          this.opts.logger.warn('Contract/available listed a contract with invalid tick facts; skipped', { contractId: c.id, error: String(err) });
        }
      }
      this.opts.logger.info('tradable contracts loaded', { count: contracts.length - bad });
    } catch (err) {
      this.opts.logger.warn('Contract/available failed; contracts are looked up one by one as they appear', { error: String(err) });
    }
  }

  private async resolveAccounts(): Promise<void> {
    const visible = await this.rest.searchAccounts(true, { priority: 'reconcile' });
    const wanted = this.opts.config.accounts.accounts;
    const missing = wanted.filter((w) => !visible.some((v) => v.name === w.name));
    if (missing.length > 0) {
      throw new Error(
        `account(s) ${missing.map((m) => m.name).join(', ')} not visible to this API key (visible: ${visible.map((v) => v.name).join(', ') || 'none'})`,
      );
    }
    const watched = wanted.length === 0 ? visible : visible.filter((v) => wanted.some((w) => w.name === v.name));
    if (watched.length === 0) throw new Error('no active account is visible to this API key');
    const now = this.now();
    for (const a of watched) {
      const config = this.opts.config.perAccount[a.name] ?? this.opts.config.risk;
      this.store.meta.set(`account.${a.id}.name`, a.name);
      if (this.accounts.has(a.id)) {
        this.accounts.set(a.id, { id: a.id, name: a.name, config });
        this.supervisor.updateConfig(a.id, config, now);
        continue;
      }
      this.accounts.set(a.id, { id: a.id, name: a.name, config });
      this.registry.open(a.id, now);
      this.supervisor.open(a.id, config);
    }
    this.saveEffectiveConfig();
  }

  private reconcileDeps(): ReconcileDeps {
    return (this.reconcileWiring ??= {
      rest: this.rest,
      registry: this.registry,
      router: { handle: (ev: GatewayEvent) => this.ingestSnapshotEvent(ev), rollDue: (now: number) => this.router.rollDue(now) },
      logger: this.opts.logger.child({ part: 'reconcile' }),
      now: this.now,
      onAccountSnapshot: (id) => this.verifiedAccounts.add(id),
    });
  }

  /**
   * A REST snapshot arrives as a synchronous run of events per account (reconcile.ts). While it is applied, the
   * account is "settling": position/order rules wait, then run once on the settled state (on the next microtask,
   * after the run), so no reduce is sized against a half-applied snapshot.
   */
  private ingestSnapshotEvent(ev: GatewayEvent): void {
    const id = accountIdOf(ev);
    if (id !== undefined) {
      if (this.settlingAccounts.size === 0) queueMicrotask(() => this.settled());
      this.settlingAccounts.add(id);
    }
    this.ingest(ev);
  }

  private settled(): void {
    const ids = [...this.settlingAccounts];
    this.settlingAccounts.clear();
    for (const id of ids) {
      const view = this.registry.get(id);
      if (view && this.phase !== 'stopping' && this.phase !== 'stopped') this.ingestSafely(() => reevaluateAccount(this.pipelineDeps(), id, view));
    }
  }

  /** REST truth for every watched account, applied as events; one at a time (a second call waits for the first). */
  async reconcile(): Promise<void> {
    if (this.reconciling) {
      await this.reconciling;
      return;
    }
    const run = reconcileAll(this.reconcileDeps())
      .then((r) => {
        for (const f of r.failed) this.opts.logger.warn('reconcile failed for an account', { accountId: f.accountId, error: String(f.error) });
        if (r.ok.length === 0 && r.failed.length > 0) throw new Error(`reconciliation failed: ${String(r.failed[0]!.error)}`);
      })
      .finally(() => (this.reconciling = undefined));
    this.reconciling = run;
    await run;
  }

  /** Starts the connection machine and waits until it is live (hubs subscribed, state reconciled). */
  private async connect(): Promise<void> {
    await this.hubs.setAccounts([...this.accounts.keys()]);
    this.gateway.connection.start();
    await this.gateway.connection.waitUntilLive(60_000);
    await this.hubs.setQuoteContracts(this.registry.contractsInPlay());
  }

  // ---- live behaviour ---------------------------------------------------------------------------------

  /** While the connection is not live, REST polling keeps enforcement going (degraded mode). */
  private connectionChanged(st: ConnectionStatus): void {
    for (const l of this.listeners) {
      l.onHubStatus?.(st.hubs.user);
      l.onHubStatus?.(st.hubs.market);
    }
    if (this.phase !== 'live' && this.phase !== 'degraded') return;
    if (st.live) {
      if (this.phase === 'degraded') this.opts.logger.info('connection live again: degraded polling stopped');
      this.poller.stop();
      this.phase = 'live';
    } else if (this.phase === 'live') {
      this.opts.logger.warn('connection lost: polling REST until the hubs are back', { state: st.state, error: st.lastError });
      this.phase = 'degraded';
      this.poller.start();
    }
  }

  private parseFailed(f: unknown): void {
    this.parseFailures++;
    this.opts.logger.warn('gateway payload failed validation; skipped', { failure: f });
  }

  /**
   * After an action settles the rules run once more: an action can settle short of its goal with nothing left to
   * change the ledger. The hub confirmed it ('ledger'): on the ledger as it is, no REST. It did not ('rest'): on a
   * REST snapshot of the account at 'reconcile' priority (the executor coalesces these per account), which settles
   * like any other (see ingestSnapshotEvent); or, when the action's own check read the positions or the working
   * orders, on those answers applied as positions-only and orders-only snapshots (no request of their own: issue
   * 14, at most 2 requests per breach).
   */
  private reevaluate(accountId: number, source: ReevaluateSource, reads?: CheckReads): Promise<unknown> | undefined {
    if (this.phase === 'stopping' || this.phase === 'stopped') return undefined;
    const onLedger = () => {
      const view = this.registry.get(accountId);
      if (view && this.phase !== 'stopping' && this.phase !== 'stopped') this.ingestSafely(() => reevaluateAccount(this.pipelineDeps(), accountId, view));
    };
    if (source === 'ledger') return void onLedger();
    if (reads?.positions || reads?.orders) {
      // A snapshot that changes anything settles and re-evaluates like any other (ingestSnapshotEvent).
      const deps = this.reconcileDeps();
      const { positions, orders, cancelled } = reads;
      const applyAll = async () =>
        (positions ? await applyPositionsSnapshot(deps, accountId, positions) : 0) + (orders ? await applyOrdersSnapshot(deps, accountId, orders, cancelled) : 0);
      return applyAll().then(
        (applied) => applied === 0 && onLedger(),
        (err) => this.opts.logger.warn('post-enforcement snapshot failed', { accountId, error: String(err) }),
      );
    }
    return reconcileAccount(this.reconcileDeps(), accountId, { priority: 'reconcile', trades: false }).catch((err) =>
      this.opts.logger.warn('post-enforcement check failed', { accountId, error: String(err) }),
    );
  }

  private scheduleQuoteSync(): void {
    if (this.quoteSync) return;
    this.quoteSync = setTimeout(() => {
      this.quoteSync = undefined;
      void this.hubs.setQuoteContracts(this.registry.contractsInPlay()).catch((err) => this.opts.logger.warn('quote subscription update failed', { error: String(err) }));
    }, 0);
  }

  /** Lock rows are written as the machine emits them (inside the event's transaction), intents executed after. */
  private wireMachines(): void {
    this.supervisor.onLockChange((c) => {
      this.lockInTurn ||= this.store.db.inTransaction;
      if (c.type === 'lock.set') {
        const l = c.lock;
        this.store.locks.upsert({
          id: l.id,
          accountId: c.accountId,
          kind: l.kind,
          rule: l.rule,
          reason: l.reason,
          symbol: l.symbol,
          since: l.since,
          until: l.until,
          releaseCondition: l.releaseCondition,
        });
      } else {
        this.store.locks.release(c.lock.id, c.at, c.how);
      }
      for (const l of this.listeners) l.onLock?.({ type: c.type, accountId: c.accountId, lock: c.lock, ...(c.type === 'lock.released' ? { how: c.how } : {}) });
    });
    // A decision the machine held back while its contract's action was in flight: the rules run again now that
    // an action settled (after the machine's current step, not inside it).
    this.supervisor.onEmitted((e) => {
      if (e.type === 'rules.recheck') queueMicrotask(() => this.reevaluate(e.accountId, 'ledger'));
    });
    // The one route to the executor: each batch the account machine decided; when it has settled, the machine
    // hears so and may decide the same again if the breach is still there.
    this.supervisor.onIntents((accountId, batch) => {
      if (this.phase === 'stopping' || this.phase === 'stopped') return;
      const triggerAt = this.triggerAt || this.now();
      const requests = batch.map((f) => ({ intent: f.intent, rule: f.rule, reason: f.reason, ...(f.numbers ? { numbers: f.numbers } : {}), triggerAt }));
      void this.executor.execute(requests).then(() => {
        if (this.supervisor.get(accountId)) this.supervisor.send(accountId, { type: 'enforcement.settled', intents: batch.map((f) => f.intent), now: this.now() });
      });
    });
  }
}
