// REST reconciliation: on start and after every hub reconnect, riskd pulls the account's truth over REST and
// feeds the DIFFERENCES through the router as ordinary events (source 'rest'), so rules see what happened while
// riskd was blind: a position that vanished arrives as a close, a fill it missed as a new fill.
// Snapshots are stamped with the time the requests were sent: anything the hub reports later is newer and wins
// (ledger/apply.ts), and a snapshot that lost the race against a hub event cannot undo it.
import type { Account, Contract, GatewayEvent, Order, Position, Trade } from '../gateway/models.ts';
import { OrderStatus, isWorkingStatus } from '../gateway/models.ts';
import type { Ledger, LedgerLogger } from '../ledger/ledger.ts';
import type { LedgerRegistry } from '../ledger/registry.ts';
import type { Router } from './router.ts';

type Priority = 'enforce' | 'reconcile' | 'poll';
interface CallOpts {
  priority?: Priority;
  timeoutMs?: number;
}

/** The part of GatewayRest (contracts.md, src/gateway/rest.ts) reconciliation uses. */
export interface ReconcileRest {
  searchAccounts(onlyActive: boolean, o?: CallOpts): Promise<Account[]>;
  searchOpenPositions(accountId: number, o?: CallOpts): Promise<Position[]>;
  queryWorkingOrders(accountId: number, o?: CallOpts): Promise<Order[]>;
  searchOrders(accountId: number, startMs: number, endMs?: number, o?: CallOpts): Promise<Order[]>;
  searchTrades(accountId: number, startMs: number, endMs?: number, o?: CallOpts): Promise<Trade[]>;
  contractById(contractId: string, o?: CallOpts): Promise<Contract>;
}

export interface ReconcileDeps {
  rest: ReconcileRest;
  registry: LedgerRegistry;
  router: Pick<Router, 'handle' | 'rollDue'>;
  logger: LedgerLogger;
  now: () => number;
  /** Told just before an account's full snapshot (positions and orders) is applied. */
  onAccountSnapshot?: (accountId: number) => void;
}

export interface ReconcileOptions {
  priority?: Priority;
  /** Also pull today's fills (Trade/search). Default true. */
  trades?: boolean;
}

export interface ReconcileResult {
  accountId: number;
  /** Snapshot time (when the requests were sent) the events were stamped with. */
  at: number;
  positions: number;
  workingOrders: number;
  trades: number;
  /** Positions riskd held that REST no longer lists: applied as closes. */
  vanishedPositions: number;
  /** Working orders riskd held that REST no longer lists: applied with their terminal status. */
  vanishedOrders: number;
  contractsFetched: number;
}

/** Pulls Account/search and applies every watched account's record (canTrade, balance). */
export async function reconcileAccounts(deps: ReconcileDeps, priority: Priority = 'reconcile'): Promise<Account[]> {
  const at = deps.now();
  const accounts = await deps.rest.searchAccounts(false, { priority });
  for (const account of accounts) {
    if (!deps.registry.get(account.id)) continue;
    deps.router.handle({ kind: 'account', source: 'rest', receivedAt: at, action: 1, account });
  }
  return accounts;
}

/**
 * Reconciles one account: positions, working orders and (by default) today's fills, plus tick facts for every
 * contract in play. All snapshots are fetched before anything is applied, so a failed call applies nothing
 * (the caller retries). Throws the REST error.
 */
export async function reconcileAccount(deps: ReconcileDeps, accountId: number, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
  const { rest, registry, router, logger } = deps;
  const priority = opts.priority ?? 'reconcile';
  const ledger = registry.get(accountId);
  if (!ledger) throw new Error(`reconcile: account ${accountId} has no ledger (not watched)`);

  const at = deps.now();
  router.rollDue(at); // the day may have ended while riskd was blind
  const dayStart = ledger.tradingDayStart;
  // What riskd believed when the requests went out: only these can have "vanished" in the snapshot.
  const heldPositions = [...ledger.positionsByContract.values()].map((p) => ({ ...p }));
  const heldOrders = [...ledger.working.values()];

  const [positions, orders, trades] = await Promise.all([
    rest.searchOpenPositions(accountId, { priority }),
    rest.queryWorkingOrders(accountId, { priority }),
    opts.trades === false ? Promise.resolve([] as Trade[]) : rest.searchTrades(accountId, dayStart, undefined, { priority }),
  ]);

  // Orders that were working and are not any more: find their real terminal state.
  const workingIds = new Set(orders.map((o) => o.id));
  const vanished = heldOrders.filter((o) => !workingIds.has(o.id));
  const finals = vanished.length > 0 ? await searchFinals(deps, ledger, vanished, priority) : [];

  const contractsFetched = await fetchMissingContracts(deps, [
    ...positions.map((p) => p.contractId),
    ...orders.map((o) => o.contractId),
    ...trades.map((t) => t.contractId),
    ...ledger.contractsInPlay(),
  ], priority);

  const events: GatewayEvent[] = [];
  // Fills first (in time order), so the rules see an exit before the position it closed disappears.
  for (const trade of [...trades].sort((a, b) => a.creationTimestamp - b.creationTimestamp || a.id - b.id)) {
    if (trade.accountId !== accountId) continue;
    events.push({ kind: 'trade', source: 'rest', receivedAt: at, action: 0, trade });
  }
  for (const order of orders) events.push({ kind: 'order', source: 'rest', receivedAt: at, action: 1, order });
  events.push(...vanishedOrderEvents(deps, ledger, vanished, finals, NO_CANCELS, at));
  const positionEvents = positionSnapshotEvents(accountId, heldPositions, positions, at);
  events.push(...positionEvents);
  const vanishedPositions = positionEvents.length - positions.length;
  deps.onAccountSnapshot?.(accountId);
  for (const ev of events) router.handle(ev);

  const result: ReconcileResult = {
    accountId,
    at,
    positions: positions.length,
    workingOrders: orders.length,
    trades: trades.length,
    vanishedPositions,
    vanishedOrders: vanished.length,
    contractsFetched,
  };
  logger.debug('reconcile: account reconciled', { ...result });
  return result;
}

/** The positions REST listed, and a close for each held position it no longer lists, stamped `at`. */
function positionSnapshotEvents(accountId: number, held: readonly Pick<Position, 'id' | 'contractId' | 'creationTimestamp' | 'averagePrice'>[], positions: readonly Position[], at: number): GatewayEvent[] {
  const events: GatewayEvent[] = positions.map((position) => ({ kind: 'position', source: 'rest', receivedAt: at, action: 1, position }));
  const openContracts = new Set(positions.map((p) => p.contractId));
  for (const h of held) {
    if (openContracts.has(h.contractId)) continue;
    events.push({
      kind: 'position',
      source: 'rest',
      receivedAt: at,
      action: 2,
      position: { id: h.id, accountId, contractId: h.contractId, creationTimestamp: h.creationTimestamp, type: 0, size: 0, averagePrice: h.averagePrice },
    });
  }
  return events;
}

/** One Position/searchOpen answer and when its request was sent (epoch ms). */
export interface PositionsSnapshot {
  at: number;
  positions: readonly Position[];
}

/**
 * Applies a Position/searchOpen answer someone else already paid for (the executor's check after a close the hub
 * did not confirm) as a positions-only reconcile: no request of its own unless a contract's tick facts are
 * missing. Stamped with the time the read was sent, so a hub event newer than the read wins (ledger/apply.ts).
 * Returns how many events it applied.
 */
export async function applyPositionsSnapshot(deps: ReconcileDeps, accountId: number, snapshot: PositionsSnapshot): Promise<number> {
  const ledger = deps.registry.get(accountId);
  if (!ledger) return 0;
  await fetchMissingContracts(deps, snapshot.positions.map((p) => p.contractId), 'reconcile');
  const held = [...ledger.positionsByContract.values()];
  const events = positionSnapshotEvents(accountId, held, snapshot.positions.filter((p) => p.accountId === accountId), snapshot.at);
  for (const ev of events) deps.router.handle(ev);
  return events.length;
}

/** One Order/v2/query answer, when its request was sent (epoch ms), and the orders the ledger held working then. */
export interface OrdersSnapshot {
  at: number;
  orders: readonly Order[];
  /** Only these can have vanished from the answer: an order riskd learned of after the read was sent is not in it. */
  heldWorking?: readonly number[];
}

/**
 * Applies an Order/v2/query answer someone else already paid for (the executor's check after a cancel or a stop
 * move or placement the hub did not confirm) as an orders-only reconcile. Listed orders apply by their version,
 * so a hub event newer than the read wins (ledger/apply.ts). An order the ledger held working when the read was
 * sent and the answer no longer lists has ended: how is known without a request when riskd's fills cover it
 * (filled) or the gateway accepted riskd's cancel of it (`cancelled`); otherwise it is asked of Order/search, as
 * a full reconcile does. Returns how many events it applied.
 */
export async function applyOrdersSnapshot(deps: ReconcileDeps, accountId: number, snapshot: OrdersSnapshot, cancelled: readonly number[] = []): Promise<number> {
  const ledger = deps.registry.get(accountId);
  if (!ledger) return 0;
  const orders = snapshot.orders.filter((o) => o.accountId === accountId);
  const listed = new Set(orders.map((o) => o.id));
  const vanished = (snapshot.heldWorking ?? []).filter((id) => !listed.has(id)).flatMap((id) => ledger.working.get(id) ?? []);
  const cancels = new Set(cancelled);
  const unexplained = vanished.filter((o) => endKnownOf(ledger, o, cancels) === undefined);
  const [finals] = await Promise.all([
    unexplained.length > 0 ? searchFinals(deps, ledger, unexplained, 'reconcile') : Promise.resolve([]),
    fetchMissingContracts(deps, orders.map((o) => o.contractId), 'reconcile'),
  ]);
  const events: GatewayEvent[] = orders.map((order) => ({ kind: 'order', source: 'rest', receivedAt: snapshot.at, action: 1, order }));
  events.push(...vanishedOrderEvents(deps, ledger, vanished, finals, cancels, snapshot.at));
  for (const ev of events) deps.router.handle(ev);
  return events.length;
}

const NO_CANCELS: ReadonlySet<number> = new Set();

/** Order/search since the earliest of the orders (or the trading day): their final statuses. */
function searchFinals(deps: ReconcileDeps, ledger: Ledger, orders: readonly Order[], priority: Priority): Promise<Order[]> {
  const since = Math.min(ledger.tradingDayStart, ...orders.map((o) => o.creationTimestamp));
  return deps.rest.searchOrders(ledger.accountId, since, undefined, { priority });
}

/**
 * How a working order that left the working list ended, when riskd knows without asking: its fills cover its
 * size (filled), or the gateway accepted riskd's cancel of it (cancelled). At the version riskd had: the
 * gateway's own later report (a fill that beat the cancel after all) is newer and still wins.
 */
function endKnownOf(ledger: Ledger, held: Order, cancelled: ReadonlySet<number>): Order | undefined {
  const filled = ledger.filledSizeOf(held.id);
  if (filled >= held.size) return { ...held, status: OrderStatus.Filled, fillVolume: filled };
  if (cancelled.has(held.id)) return { ...held, status: OrderStatus.Cancelled };
  return undefined;
}

/** The end of each order that was working and is not listed as working any more, as order events stamped `at`. */
function vanishedOrderEvents(deps: ReconcileDeps, ledger: Ledger, vanished: readonly Order[], finals: readonly Order[], cancelled: ReadonlySet<number>, at: number): GatewayEvent[] {
  const finalById = new Map(finals.map((o) => [o.id, o]));
  const events: GatewayEvent[] = [];
  for (const held of vanished) {
    const final = finalById.get(held.id);
    if (final && isWorkingStatus(final.status)) {
      // The two endpoints disagree (a race): leave it working; the next reconcile or hub event settles it.
      deps.logger.warn('reconcile: order missing from the working snapshot but listed as working', { accountId: ledger.accountId, orderId: held.id });
      continue;
    }
    // Not listed at all: it is not working any more; without fills or a cancel that say how it ended, record it as
    // cancelled at the version riskd had (a terminal status outranks the same version), so any real later update
    // from the gateway still wins over the guess.
    const order: Order = final ?? endKnownOf(ledger, held, cancelled) ?? { ...held, status: OrderStatus.Cancelled };
    events.push({ kind: 'order', source: 'rest', receivedAt: at, action: 1, order });
  }
  return events;
}

/**
 * Contract lookups in flight, per registry: accounts reconciled side by side often hold the same contract, and
 * one Contract/searchById call is enough for all of them.
 */
const contractsInFlight = new WeakMap<LedgerRegistry, Map<string, Promise<Contract>>>();

/** Fetches tick facts for contracts not yet cached (one call each), storing them through the cache. */
async function fetchMissingContracts(deps: ReconcileDeps, ids: Iterable<string>, priority: Priority): Promise<number> {
  const missing = [...new Set(ids)].filter((id) => !deps.registry.contracts.has(id));
  let inFlight = contractsInFlight.get(deps.registry);
  if (!inFlight) contractsInFlight.set(deps.registry, (inFlight = new Map()));
  let n = 0;
  for (const id of missing) {
    let pending = inFlight.get(id);
    const mine = pending === undefined;
    if (!pending) {
      pending = deps.rest.contractById(id, { priority }).finally(() => inFlight.delete(id));
      inFlight.set(id, pending);
    }
    try {
      deps.registry.contracts.put(await pending); // idempotent: whoever resumes first stores it
      if (mine) n++;
    } catch (err) {
      // Without tick facts the position's unrealized stays null (no verdict); the router retries on events.
      if (mine) deps.logger.warn('reconcile: contract lookup failed', { contractId: id, error: String(err) });
    }
  }
  return n;
}

/**
 * Accounts reconciled side by side (each already sends its 3 snapshot calls at once). Serially, 20 accounts took
 * ~0.9 s of a start on the simulator, one round trip after another; 8 at a time keeps at most ~24 requests in
 * flight, and the 200/60 s budget (RateBudget) still counts and paces every call.
 */
export const RECONCILE_CONCURRENCY = 8;

/** Account/search, then every watched account. Accounts that fail are logged and reported, others proceed. */
export async function reconcileAll(deps: ReconcileDeps, opts: ReconcileOptions = {}): Promise<{ ok: ReconcileResult[]; failed: { accountId: number; error: unknown }[] }> {
  await reconcileAccounts(deps, opts.priority ?? 'reconcile');
  const ids = deps.registry.accountIds();
  const outcomes: ({ ok: ReconcileResult } | { accountId: number; error: unknown })[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const i = next++;
      const accountId = ids[i]!;
      try {
        outcomes[i] = { ok: await reconcileAccount(deps, accountId, opts) };
      } catch (error) {
        deps.logger.warn('reconcile: account failed', { accountId, error: String(error) });
        outcomes[i] = { accountId, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(RECONCILE_CONCURRENCY, ids.length) }, worker));
  // Reported in account order, whatever order the calls finished in.
  const ok: ReconcileResult[] = [];
  const failed: { accountId: number; error: unknown }[] = [];
  for (const o of outcomes) {
    if ('ok' in o) ok.push(o.ok);
    else failed.push(o);
  }
  return { ok, failed };
}
