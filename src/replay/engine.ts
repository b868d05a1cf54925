// The what-if engine: an account's past through the daemon's own ledger, rules and account machine, on a
// simulated clock. This is the only file of the replay that knows riskd's internals: it composes the router
// and ledger (src/ledger, src/runtime/router.ts), the rule pipeline (src/runtime/accountPipeline.ts) and the
// account supervisor with its machines exactly as the daemon does (src/runtime/daemon.ts), and swaps two
// things: the clock (moved event by event; every deadline the machines hold is ticked at its own instant) and
// the executor (the machine's intent batches are recorded and their effect simulated instead of REST calls,
// then the machine hears enforcement.settled as it does from the daemon).
//
// What the simulated executor does, and what that approximates:
// - flatten / close / reduce: a closing fill at the close of the minute bar containing the enforcement instant
//   (no slippage, no latency), fed back through the ledger like the gateway's own fill would be.
// - flatten also cancels every working order; cancel / cancelAll cancel theirs (order events), so a cancelled
//   stop stays cancelled.
// - moveStop (RULE-012): recorded only; the history's own stops are what the ledger sees.
// - A round trip the trader opened while a lock forbade new exposure (the machine's own lock queries) is left
//   out whole: riskd would have closed it at once; the report counts it as blocked.
// - After riskd closed a position, the rest of that round trip in the history is left out; after a reduce,
//   the remaining contracts follow the history and are closed where the trader closed.
import { IN_MEMORY, openStore } from '../store/index.ts';
import type { RiskConfig } from '../config/types.ts';
import type { GatewayEvent, Order, Trade } from '../gateway/models.ts';
import { OrderStatus, PositionType } from '../gateway/models.ts';
import { LedgerRegistry } from '../ledger/registry.ts';
import type { LedgerLogger } from '../ledger/ledger.ts';
import { createRouter } from '../runtime/router.ts';
import { handleChange, type PipelineDeps } from '../runtime/accountPipeline.ts';
import { AccountSupervisor, type IntentFact } from '../runtime/actors/supervisor.ts';
import { forbidding, nextDeadline, type AccountContext } from '../../machines/account/index.ts';
import type { Intent } from '../rules/types.ts';
import type { Bar, BlockedTrip, ReplayData, ReplayEnforcement, ReplayOutcome } from './types.ts';

const quiet: LedgerLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** One step of the history, in time order (ties: new orders, then fills, then order endings). */
type Step =
  | { at: number; rank: 0; kind: 'orderWorking'; order: Order }
  | { at: number; rank: 1; kind: 'fill'; trade: Trade }
  | { at: number; rank: 2; kind: 'orderDone'; order: Order };

/** A position as the replay's ledger holds it (signed size), and its lifetime id. */
interface SimPosition {
  id: number;
  createdAt: number;
  size: number;
  avg: number;
}

/** Per contract: follow the history, or leave out the rest of the current round trip. */
interface ContractTrack {
  histSize: number;
  mode: 'follow' | 'skip' | 'reduced';
  /** The round trip being left out because a lock blocked it (collected for the report). */
  blocked?: BlockedTrip;
}

export function replay(data: ReplayData, config: RiskConfig): ReplayOutcome {
  return new ReplayRun(data, config).run();
}

class ReplayRun {
  private now: number;
  private readonly accountId: number;
  private readonly store = openStore(IN_MEMORY);
  private readonly registry: LedgerRegistry;
  private readonly supervisor: AccountSupervisor;
  private readonly router;
  private readonly pipeline: PipelineDeps;
  /** Batches of intents the machine decided and the replay has not carried out yet. */
  private readonly pending: IntentFact[][] = [];
  private readonly positions = new Map<string, SimPosition>();
  private readonly tracks = new Map<string, ContractTrack>();
  private readonly cancelledOrders = new Set<number>();
  private readonly fedOrders = new Set<number>();
  private readonly lastFillPrice = new Map<string, number>();
  private readonly ordersById: Map<number, Order>;
  private readonly barIndex = new Map<string, number>();
  private nextSyntheticId = 9_000_000_000_000;
  private nextPositionId = 1;
  private draining = false;
  private lastPositionAt = -Infinity;
  private readonly out: ReplayOutcome = { fills: [], blocked: [], locks: [], enforcements: [] };

  constructor(
    private readonly data: ReplayData,
    private readonly config: RiskConfig,
  ) {
    this.accountId = data.account.id;
    this.ordersById = new Map(data.orders.map((o) => [o.id, o]));
    this.now = data.since;
    const clock = { now: () => this.now };
    this.registry = new LedgerRegistry({ tradingDay: { resetTime: config.trading_day.reset_time, timezone: config.trading_day.timezone }, store: this.store, logger: quiet });
    for (const c of data.contracts) this.registry.contracts.put(c);
    this.supervisor = new AccountSupervisor({ repo: this.store.snapshots, clock });
    // The executor's ledger side: what confirms its in-flight actions. Here every action settles as it is carried
    // out (carryOut), so there is nothing to confirm.
    const executor: PipelineDeps['executor'] = { confirmFromLedger: () => {} };
    this.pipeline = { supervisor: this.supervisor, executor, configOf: () => this.config, now: clock.now };
    this.router = createRouter({
      registry: this.registry,
      logger: quiet,
      onChange: (id, change, view) => handleChange(this.pipeline, id, change, view),
    });
    // The one route to the executor, as in daemon.ts: each batch of intents the account machine decided.
    this.supervisor.onIntents((_accountId, batch) => this.pending.push(batch));
    this.supervisor.onLockChange((c) => {
      if (c.type === 'lock.set') {
        const known = this.out.locks.find((l) => l.lock.id === c.lock.id);
        if (known) known.lock = c.lock;
        else this.out.locks.push({ lock: c.lock, releasedAt: null, how: null });
      } else {
        const known = this.out.locks.find((l) => l.lock.id === c.lock.id);
        if (known) Object.assign(known, { releasedAt: c.at, how: c.how });
      }
    });
  }

  run(): ReplayOutcome {
    try {
      this.registry.open(this.accountId, this.now);
      this.supervisor.open(this.accountId, this.config);
      const a = this.data.account;
      this.feed({ kind: 'account', source: 'rest', receivedAt: this.now, account: { id: a.id, name: a.name, balance: a.balance, canTrade: true, isVisible: true, simulated: true } });
      for (const s of this.steps()) {
        this.advanceTo(s.at);
        if (s.kind === 'fill') this.onHistoricalFill(s.trade);
        else this.onHistoricalOrder(s.order, s.kind === 'orderWorking');
      }
      this.advanceTo(this.data.until);
      return this.out;
    } finally {
      this.supervisor.stop();
      this.store.close();
    }
  }

  // ---- the history, in time order --------------------------------------------------------------------

  private steps(): Step[] {
    const steps: Step[] = [];
    const fillOrders = new Set(this.data.trades.map((t) => t.orderId));
    for (const t of this.data.trades) if (!t.voided) steps.push({ at: t.creationTimestamp, rank: 1, kind: 'fill', trade: t });
    for (const o of this.data.orders) {
      // Orders that filled at once (market orders) need no working phase; resting orders (stops, limits) do.
      const rested = o.updateTimestamp > o.creationTimestamp || o.status !== OrderStatus.Filled;
      if (rested) steps.push({ at: o.creationTimestamp, rank: 0, kind: 'orderWorking', order: o });
      if (o.status !== OrderStatus.Filled || !fillOrders.has(o.id)) steps.push({ at: o.updateTimestamp, rank: 2, kind: 'orderDone', order: o });
    }
    return steps.sort((x, y) => x.at - y.at || x.rank - y.rank);
  }

  private onHistoricalOrder(o: Order, working: boolean): void {
    const track = this.track(o.contractId);
    if (working) {
      // An order is part of what riskd sees unless its round trip is left out, or the account is locked while flat
      // (the entry it belongs to will be blocked; the kill switch would have cancelled it).
      if (track.mode === 'skip' || (track.histSize === 0 && this.forbidding(o.contractId))) return;
      this.fedOrders.add(o.id);
      this.feed({ kind: 'order', source: 'hub', receivedAt: o.creationTimestamp, order: { ...o, status: OrderStatus.Open, fillVolume: 0, filledPrice: null, updateTimestamp: o.creationTimestamp } });
      return;
    }
    if (!this.fedOrders.has(o.id) || this.cancelledOrders.has(o.id)) return;
    this.feed({ kind: 'order', source: 'hub', receivedAt: o.updateTimestamp, order: o });
  }

  private onHistoricalFill(t: Trade): void {
    const track = this.track(t.contractId);
    const signed = t.side === 0 ? t.size : -t.size;
    const before = track.histSize;
    track.histSize += signed;
    this.lastFillPrice.set(t.contractId, t.price);
    if (track.mode === 'skip') {
      if (track.blocked) {
        track.blocked.pnl = round2(track.blocked.pnl + (t.profitAndLoss ?? 0) - t.fees);
        track.blocked.exitAt = t.creationTimestamp;
      }
      if (track.histSize === 0) this.endTrip(track);
      return;
    }
    if (before === 0) {
      const lock = this.forbidding(t.contractId);
      if (lock) {
        track.mode = 'skip';
        track.blocked = { contractId: t.contractId, entryAt: t.creationTimestamp, exitAt: null, pnl: round2(-t.fees), rule: lock.rule, lockReason: lock.reason };
        if (track.histSize === 0) this.endTrip(track);
        return;
      }
    }
    if (track.mode === 'reduced') {
      // riskd cut the position; the trader's later fills of this round trip are replaced by one close of what
      // is left, where the trader went flat.
      if (track.histSize === 0) {
        const p = this.positions.get(t.contractId);
        if (p) this.closeSynthetic(t.contractId, Math.abs(p.size), t.price, false);
        track.mode = 'follow';
      }
      return;
    }
    this.applyFill(t, false);
  }

  private endTrip(track: ContractTrack): void {
    if (track.blocked) this.out.blocked.push(track.blocked);
    track.blocked = undefined;
    track.mode = 'follow';
  }

  private track(contractId: string): ContractTrack {
    let t = this.tracks.get(contractId);
    if (!t) this.tracks.set(contractId, (t = { histSize: 0, mode: 'follow' }));
    return t;
  }

  /** The lock that forbids new exposure in this contract now: the account machine's own kill-switch query. */
  private forbidding(contractId: string) {
    const ctx = this.context();
    return ctx ? forbidding(ctx, this.registry.get(this.accountId)!.symbolOf(contractId)) : undefined;
  }

  private context(): AccountContext | undefined {
    return this.supervisor.get(this.accountId)?.actor.getSnapshot().context;
  }

  // ---- feeding the daemon's pieces -------------------------------------------------------------------

  /** One gateway event through router, ledger, rules and machine, then whatever riskd decided is carried out. */
  private feed(ev: GatewayEvent): void {
    this.apply(ev);
    this.carryOut();
  }

  /** One gateway event in one store transaction, as daemon.ts ingests it; decisions wait in `pending`. */
  private apply(ev: GatewayEvent): void {
    this.store.transaction(() => this.router.handle(ev));
  }

  /** A fill (historical or riskd's) applied with the order and position events the hub would send with it. */
  private applyFill(t: Trade, byRiskd: boolean): void {
    const signed = t.side === 0 ? t.size : -t.size;
    const cur = this.positions.get(t.contractId);
    const size = (cur?.size ?? 0) + signed;
    let pos: SimPosition | undefined;
    if (size === 0) pos = undefined;
    else if (!cur || Math.sign(cur.size) !== Math.sign(size)) pos = { id: this.nextPositionId++, createdAt: t.creationTimestamp, size, avg: t.price };
    else if (Math.abs(size) > Math.abs(cur.size)) pos = { ...cur, size, avg: (cur.avg * Math.abs(cur.size) + t.price * t.size) / Math.abs(size) };
    else pos = { ...cur, size };
    if (pos) this.positions.set(t.contractId, pos);
    else this.positions.delete(t.contractId);
    this.out.fills.push({ at: t.creationTimestamp, contractId: t.contractId, pnl: t.profitAndLoss, fees: t.fees, byRiskd, price: t.price, size: t.size });
    const at = t.creationTimestamp;
    const order = byRiskd ? undefined : this.ordersById.get(t.orderId);
    if (order) this.fedOrders.add(order.id);
    if (order) this.apply({ kind: 'order', source: 'hub', receivedAt: at, order });
    this.apply({ kind: 'trade', source: 'hub', receivedAt: at, trade: t });
    const shown = pos ?? cur;
    // The ledger keeps the newest observation of a position by arrival time: two in the same millisecond (a
    // close right after its entry, partial fills) must arrive one after the other, as they would live.
    this.lastPositionAt = Math.max(at, this.lastPositionAt + 1);
    this.apply({
      kind: 'position',
      source: 'hub',
      receivedAt: this.lastPositionAt,
      ...(pos ? {} : { action: 2 as const }),
      position: { id: shown!.id, accountId: this.accountId, contractId: t.contractId, creationTimestamp: shown!.createdAt, type: pos ? (pos.size > 0 ? PositionType.Long : PositionType.Short) : PositionType.Undefined, size: pos ? Math.abs(pos.size) : 0, averagePrice: pos ? pos.avg : shown!.avg },
    });
    this.carryOut();
  }

  // ---- the simulated clock ---------------------------------------------------------------------------

  /** Moves the clock to `t`: every machine deadline and every minute-bar close before it happens at its instant. */
  private advanceTo(t: number): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const deadline = this.nextWake();
      const quote = this.nextQuote();
      const next = Math.min(deadline ?? Infinity, quote?.at ?? Infinity);
      if (!(next <= t)) break;
      this.now = next;
      if (quote && quote.at === next) {
        this.barIndex.set(quote.contractId, quote.index + 1);
        this.feed({ kind: 'quote', source: 'hub', receivedAt: next, quote: { contractId: quote.contractId, lastPrice: quote.bar.c, bestBid: quote.bar.c, bestAsk: quote.bar.c, timestamp: next } });
      }
      if (deadline === next) {
        this.store.transaction(() => {
          this.router.rollDue(next);
          this.supervisor.send(this.accountId, { type: 'clock.tick', now: next });
        });
        this.carryOut();
      }
    }
    this.now = Math.max(this.now, t);
  }

  /** The earliest deadline the account machine or one of its lock or position children waits for, after now. */
  private nextWake(): number | null {
    const ctx = this.context();
    if (!ctx) return null;
    let best = nextDeadline(ctx) ?? Infinity;
    // Each lock child keeps its own timer (deadline, delayed unlock): tick the account at those instants too.
    for (const l of ctx.locks) if (l.until !== null && l.until > this.now) best = Math.min(best, l.until);
    for (const u of ctx.pendingUnlocks) if (u.effectiveAt > this.now) best = Math.min(best, u.effectiveAt);
    for (const ref of Object.values(ctx.positionActors)) {
      const snap = ref?.getSnapshot() as { status?: string; context?: { graceUntil?: number }; matches?: (s: string) => boolean } | undefined;
      const until = snap?.context?.graceUntil;
      if (snap?.status === 'active' && snap.matches?.('awaitingStop') && typeof until === 'number' && until > this.now) best = Math.min(best, until);
    }
    return best > this.now && Number.isFinite(best) ? best : null;
  }

  /** The next minute-bar close of a contract riskd holds a position in (the quotes that mark it). */
  private nextQuote(): { at: number; contractId: string; index: number; bar: Bar } | undefined {
    let best: { at: number; contractId: string; index: number; bar: Bar } | undefined;
    for (const contractId of this.positions.keys()) {
      const bars = this.data.bars[contractId] ?? [];
      let i = this.barIndex.get(contractId) ?? 0;
      while (i < bars.length && bars[i]!.t + 60_000 <= this.now) i++;
      this.barIndex.set(contractId, i);
      const bar = bars[i];
      if (bar && (!best || bar.t + 60_000 < best.at)) best = { at: bar.t + 60_000, contractId, index: i, bar };
    }
    return best;
  }

  // ---- the recording executor ------------------------------------------------------------------------

  /** Carries out what riskd decided, in order; what that changes goes back through the ledger and may decide more. */
  private carryOut(): void {
    if (this.draining) return; // a close's own fill, fed back from inside the drain: the loop below goes on
    this.draining = true;
    try {
      for (let guard = 0; this.pending.length > 0 && guard < 1000; guard++) {
        const batch = this.pending.shift()!;
        for (const f of batch) this.execute(f.intent, f.rule, f.reason);
        // Settled, as the daemon tells the machine once the executor is done with a batch.
        this.supervisor.send(this.accountId, { type: 'enforcement.settled', intents: batch.map((f) => f.intent), now: this.now });
      }
    } finally {
      this.draining = false;
    }
  }

  private execute(intent: Intent, rule: string, reason: string): void {
    const record = (extra: Partial<ReplayEnforcement> = {}) => this.out.enforcements.push({ at: this.now, rule, reason, intent, ...extra });
    switch (intent.type) {
      case 'flatten': {
        // Like the executor: every position closed, every working order cancelled.
        for (const contractId of [...this.positions.keys()]) this.closeAtMark(contractId, undefined, record);
        const view = this.registry.get(this.accountId)!;
        this.cancelOrders(view.workingOrders(), record);
        return;
      }
      case 'close':
        this.closeAtMark(intent.contractId, undefined, record);
        return;
      case 'reduce': {
        const p = this.positions.get(intent.contractId);
        if (p && intent.size > 0 && intent.size < Math.abs(p.size)) {
          this.closeAtMark(intent.contractId, intent.size, record);
          this.track(intent.contractId).mode = 'reduced';
        } else if (p) this.closeAtMark(intent.contractId, undefined, record);
        return;
      }
      case 'cancel':
      case 'cancelAll': {
        const view = this.registry.get(this.accountId)!;
        const symbol = intent.type === 'cancelAll' ? intent.symbol?.toUpperCase() : undefined;
        const orders = view
          .workingOrders()
          .filter((o) => (intent.type === 'cancel' ? o.id === intent.orderId : symbol === undefined || view.symbolOf(o.contractId).toUpperCase() === symbol));
        this.cancelOrders(orders, record);
        return;
      }
      case 'moveStop':
        record();
        return;
    }
  }

  /** Cancels working orders (order events the ledger and machine hear); one record when there was any. */
  private cancelOrders(orders: readonly Order[], record: (extra: Partial<ReplayEnforcement>) => void): void {
    if (orders.length === 0) return;
    record({ cancelled: orders.map((o) => o.id) });
    for (const o of [...orders]) {
      this.cancelledOrders.add(o.id);
      this.apply({ kind: 'order', source: 'hub', receivedAt: this.now, order: { ...o, status: OrderStatus.Cancelled, updateTimestamp: this.now } });
    }
  }

  /** riskd's close of `size` contracts (all when undefined) at the minute bar's close; the round trip's rest is left out. */
  private closeAtMark(contractId: string, size: number | undefined, record: (extra: Partial<ReplayEnforcement>) => void): void {
    const p = this.positions.get(contractId);
    if (!p) return;
    const mark = this.markAt(contractId, this.now);
    record({ markPrice: mark.price, markFrom: mark.from });
    const all = size === undefined || size >= Math.abs(p.size);
    this.closeSynthetic(contractId, all ? Math.abs(p.size) : size, mark.price, true);
    if (all) {
      const track = this.track(contractId);
      track.mode = track.histSize === 0 ? 'follow' : 'skip';
    }
  }

  private closeSynthetic(contractId: string, size: number, price: number, fromEnforcement: boolean): void {
    const p = this.positions.get(contractId)!;
    const contract = this.registry.contracts.get(contractId);
    const long = p.size > 0;
    const ticks = contract ? Math.round(((price - p.avg) / contract.tickSize) * (long ? 1 : -1) * 1e6) / 1e6 : 0;
    const pnl = contract ? round2(ticks * contract.tickValue * size) : 0;
    const orderId = this.nextSyntheticId++;
    if (fromEnforcement) this.router.markEnforcementOrder(this.accountId, orderId);
    const fees = this.feePerContract(contractId) * size;
    const trade: Trade = { id: this.nextSyntheticId++, accountId: this.accountId, contractId, creationTimestamp: this.now, price, profitAndLoss: pnl, fees: round2(fees), side: long ? 1 : 0, size, voided: false, orderId };
    this.applyFill(trade, fromEnforcement);
  }

  /** The trader's fee per contract on this contract (riskd's closing fill is assumed to pay the same). */
  private feePerContract(contractId: string): number {
    const t = this.data.trades.find((x) => x.contractId === contractId && x.size > 0);
    return t ? t.fees / t.size : 0;
  }

  /** Close of the minute bar containing `at`; when that bar is missing, the latest earlier one, else the last fill. */
  private markAt(contractId: string, at: number): { price: number; from: 'bar' | 'earlier bar' | 'last fill' } {
    const bars = this.data.bars[contractId] ?? [];
    const minute = Math.floor(at / 60_000) * 60_000;
    let lo = 0;
    let hi = bars.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bars[mid]!.t <= minute) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0) return { price: bars[found]!.c, from: bars[found]!.t === minute ? 'bar' : 'earlier bar' };
    return { price: this.lastFillPrice.get(contractId) ?? this.positions.get(contractId)!.avg, from: 'last fill' };
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

