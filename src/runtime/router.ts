// The event router: every GatewayEvent (hub or REST reconciliation) goes through here into the right account's
// ledger, and each resulting LedgerChange is handed to onChange (rules and machines) with the account's view.
// It never throws: a malformed event or a failing subscriber is logged and skipped, the next event still flows.
// Quotes take a fast path: one in-place merge, then only the accounts holding that contract are told.
// A hub position on a contract riskd has no tick facts for (not in Contract/available, never seen) is held
// "unverified" (rules never see it) until Contract/searchById names the contract, so a size rule never reduces a
// real position because of a phantom; it is applied, and enforced, the moment the gateway confirms it. When the
// gateway says it has no such contract, the event is dropped and reported as bad input. When REST cannot answer
// (an error, or no answer within maxHoldMs) the held position is applied UNCONFIRMED and the rules enforce it:
// the hub event is the gateway's own word, and a missed enforcement can blow the account while a wrong one costs
// a trade. The lookup goes on in the background; should the gateway later deny the contract, the unconfirmed
// position is closed in the ledger again. REST snapshots are the gateway's own truth and are applied at once.
import type { Contract, GatewayEvent } from '../gateway/models.ts';
import { GatewayError, GatewayProtocolError } from '../gateway/errors.ts';
import type { LedgerChange } from '../ledger/change.ts';
import type { Ledger, LedgerLogger } from '../ledger/ledger.ts';
import type { LedgerRegistry } from '../ledger/registry.ts';
import { applyEvent, rollIfDue } from '../ledger/apply.ts';

export type ChangeHandler = (accountId: number, change: LedgerChange, view: Ledger) => void;

export interface RouterOptions {
  registry: LedgerRegistry;
  onChange: ChangeHandler;
  logger: LedgerLogger;
  /** Fetches tick facts for a contract riskd has not seen (REST Contract/searchById); none = never fetched here. */
  fetchContract?: (contractId: string) => Promise<Contract>;
  /** A hub event dropped because the gateway cannot name its contract (counted as bad input by the daemon). */
  onUnknownContract?: (failure: UnknownContractFailure) => void;
  /**
   * Runs the application of held events once their contract is confirmed, like the daemon runs any gateway event
   * (one store transaction, then the quote subscription refreshed). Default: run as is.
   */
  runReleased?: (apply: () => void) => void;
  /** First delay before re-asking for a contract whose lookup failed transiently (doubles up to 60 s). Default 2 s. */
  contractRetryMs?: number;
  /** Longest a position waits for Contract/searchById before it is applied unconfirmed. Default 3 s. */
  maxHoldMs?: number;
}

export interface UnknownContractFailure {
  contractId: string;
  reason: string;
  /** The dropped event's payload (gateway data: ids, sizes, prices; never credentials). */
  payload: unknown;
}

/** At most this many unverified events are held per contract (a flood of them keeps only the newest). */
const MAX_HELD_PER_CONTRACT = 50;
/**
 * A contract the gateway just said it does not list is not asked about again for this long (event time): a flood
 * of events naming it costs no REST budget. Short, because a newly listed contract must not be refused for long.
 */
const UNLISTED_TTL_MS = 60_000;
const MAX_UNLISTED = 1_000;
const MAX_RETRY_MS = 60_000;

export interface Router {
  /** Applies one event; never throws. */
  handle(ev: GatewayEvent): void;
  /** Rolls every ledger whose trading day ended at or before `now` (called by the trading-day timer). */
  rollDue(now: number): void;
  /** riskd placed `orderId` for the account: its fills are riskd's own (re-attributing any already seen). */
  markEnforcementOrder(accountId: number, orderId: number): void;
  /** riskd is closing `contractId` (closeContract returns no orderId): its exits in [sinceMs, untilMs] are riskd's. */
  markEnforcementPending(accountId: number, contractId: string, untilMs: number, sinceMs?: number, contracts?: number): void;
  /** Resolves when every contract fetch started so far has settled (tests, orderly shutdown). */
  idle(): Promise<void>;
  /** Hub events held until their contract is confirmed, per contract id. */
  unverified(): ReadonlyMap<string, number>;
  /** Contracts whose positions were applied without the gateway's confirmation (REST unreachable). */
  unconfirmed(): ReadonlySet<string>;
}

/** The account an event belongs to (quotes belong to none). */
export function accountIdOf(ev: GatewayEvent): number | undefined {
  switch (ev.kind) {
    case 'account':
      return ev.account?.id;
    case 'order':
      return ev.order?.accountId;
    case 'position':
      return ev.position?.accountId;
    case 'trade':
      return ev.trade?.accountId;
    default:
      return undefined;
  }
}

function contractIdOf(ev: GatewayEvent): string | undefined {
  switch (ev.kind) {
    case 'order':
      return ev.order.contractId;
    case 'position':
      return ev.position.contractId;
    case 'trade':
      return ev.trade.contractId;
    default:
      return undefined;
  }
}

export function createRouter(opts: RouterOptions): Router {
  const { registry, onChange, logger } = opts;
  const quoteChanges = new Map<string, LedgerChange>(); // one immutable change object per contract, reused
  const fetching = new Map<string, Promise<void>>();
  const held = new Map<string, GatewayEvent[]>(); // contractId -> unverified hub events, in arrival order
  const retries = new Map<string, ReturnType<typeof setTimeout>>();
  const unlisted = new Map<string, number>(); // contractId -> receivedAt of the newest event dropped on it

  const emit = (ledger: Ledger, change: LedgerChange): void => {
    try {
      onChange(ledger.accountId, change, ledger);
    } catch (err) {
      logger.error('router: change handler failed', { accountId: ledger.accountId, change: change.kind, error: String(err) });
    }
  };

  const quoteChange = (contractId: string): LedgerChange => {
    let c = quoteChanges.get(contractId);
    if (!c) quoteChanges.set(contractId, (c = Object.freeze({ kind: 'quote', contractId }) as LedgerChange));
    return c;
  };

  const unconfirmed = new Set<string>(); // contracts applied without the gateway's confirmation
  const holdTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const retryDelays = new Map<string, number>();

  const clearHold = (contractId: string): void => {
    const t = holdTimers.get(contractId);
    if (t) clearTimeout(t);
    holdTimers.delete(contractId);
  };

  const ensureContract = (contractId: string): void => {
    if (!opts.fetchContract || registry.contracts.has(contractId) || fetching.has(contractId)) return;
    const p = opts
      .fetchContract(contractId)
      .then((c) => {
        if (c.id !== contractId) throw new Error(`asked for ${contractId}, gateway returned ${c.id}`);
        const changed = registry.contracts.put(c);
        clearHold(contractId);
        retryDelays.delete(contractId);
        if (unconfirmed.delete(contractId)) logger.info('router: the gateway confirmed a contract applied unconfirmed', { contractId });
        release(contractId);
        if (!changed) return;
        const change: LedgerChange = { kind: 'contract', contractId };
        for (const l of registry.holding(contractId)) emit(l, change);
      })
      .catch((err: unknown) => {
        // The gateway answered and does not know the contract: what was held on it never existed.
        if ((err instanceof GatewayError && err.codeName === 'ContractNotFound') || err instanceof GatewayProtocolError) {
          clearHold(contractId);
          retryDelays.delete(contractId);
          const evs = held.get(contractId) ?? [];
          held.delete(contractId);
          drop(contractId, String(err), evs, true);
          if (unconfirmed.delete(contractId)) closeUnconfirmed(contractId, String(err));
          return;
        }
        logger.warn('router: contract fetch failed; will retry', { contractId, error: String(err), held: held.get(contractId)?.length ?? 0 });
        releaseUnconfirmed(contractId, `Contract/searchById failed: ${String(err)}`);
        if (unconfirmed.has(contractId) && !retries.has(contractId)) {
          const delay = retryDelays.get(contractId) ?? opts.contractRetryMs ?? 2_000;
          retryDelays.set(contractId, Math.min(MAX_RETRY_MS, delay * 2));
          const t = setTimeout(() => {
            retries.delete(contractId);
            ensureContract(contractId);
          }, delay);
          t.unref?.();
          retries.set(contractId, t);
        }
      })
      .finally(() => fetching.delete(contractId));
    fetching.set(contractId, p);
  };

  /** The contract is confirmed: its held events go through like any other, in arrival order. */
  const release = (contractId: string): void => {
    const evs = held.get(contractId);
    if (!evs) return;
    held.delete(contractId);
    const apply = (): void => {
      for (const ev of evs) {
        try {
          handleEvent(ev);
        } catch (err) {
          logger.error('router: held event skipped after an error', { contractId, error: String(err) });
        }
      }
    };
    if (opts.runReleased) opts.runReleased(apply);
    else apply();
  };

  /** REST cannot confirm the contract now: what is held goes through unconfirmed (enforcing beats waiting). */
  const releaseUnconfirmed = (contractId: string, why: string): void => {
    clearHold(contractId);
    if (!held.has(contractId)) return;
    unconfirmed.add(contractId);
    logger.warn('router: position on a contract the gateway has not confirmed applied UNCONFIRMED; the rules enforce it', {
      contractId,
      why,
      events: held.get(contractId)!.length,
    });
    release(contractId);
  };

  /** The gateway denies a contract whose positions were applied unconfirmed: they leave the ledger again. */
  const closeUnconfirmed = (contractId: string, reason: string): void => {
    const apply = (): void => {
      for (const l of [...registry.holding(contractId)]) {
        const p = l.positionsByContract.get(contractId);
        if (!p) continue;
        logger.warn('router: an unconfirmed position was on a contract the gateway does not list; removed', { accountId: l.accountId, contractId, reason });
        handleEvent({
          kind: 'position',
          source: 'rest',
          receivedAt: (l.positionLatest.get(contractId)?.at ?? p.observedAt) + 1, // just after what was applied
          action: 2,
          position: { id: p.id, accountId: l.accountId, contractId, creationTimestamp: p.creationTimestamp, type: 0, size: 0, averagePrice: p.averagePrice },
        });
      }
    };
    if (opts.runReleased) opts.runReleased(apply);
    else apply();
  };

  /** Drops events on a contract the gateway does not list; `answered`: the gateway just said so (remembered). */
  const drop = (contractId: string, reason: string, evs: readonly GatewayEvent[], answered: boolean): void => {
    if (answered && evs.length > 0) {
      // Remembered from the newest held event's time (the answer came after it), never extended by later drops.
      unlisted.delete(contractId); // re-inserted last: the oldest entry goes first when full
      unlisted.set(contractId, Math.max(...evs.map((e) => e.receivedAt)));
      if (unlisted.size > MAX_UNLISTED) unlisted.delete(unlisted.keys().next().value!);
    }
    for (const ev of evs) {
      const payload = ev.kind === 'position' ? ev.position : ev;
      logger.warn('router: position on a contract the gateway does not list dropped', { contractId, reason, payload });
      try {
        opts.onUnknownContract?.({ contractId, reason, payload });
      } catch (err) {
        logger.error('router: unknown-contract handler failed', { contractId, error: String(err) });
      }
    }
  };

  /** A hub position the account does not hold yet, on a contract without tick facts, waits for the gateway to name it. */
  const holdIfUnverified = (ev: GatewayEvent, ledger: Ledger): boolean => {
    if (!opts.fetchContract || ev.kind !== 'position' || ev.source !== 'hub') return false;
    const contractId = ev.position.contractId;
    if (registry.contracts.has(contractId) || unconfirmed.has(contractId) || ledger.positionsByContract.has(contractId)) return false;
    const refusedAt = unlisted.get(contractId);
    if (refusedAt !== undefined && ev.receivedAt - refusedAt < UNLISTED_TTL_MS && !fetching.has(contractId)) {
      drop(contractId, 'the gateway did not list this contract moments ago', [ev], false);
      return true;
    }
    let evs = held.get(contractId);
    if (!evs) {
      held.set(contractId, (evs = []));
      // REST gets maxHoldMs to answer; then the position is enforced unconfirmed (see the header).
      const t = setTimeout(() => releaseUnconfirmed(contractId, `no answer from Contract/searchById within ${opts.maxHoldMs ?? 3_000} ms`), opts.maxHoldMs ?? 3_000);
      t.unref?.();
      holdTimers.set(contractId, t);
    }
    evs.push(ev);
    if (evs.length > MAX_HELD_PER_CONTRACT) evs.shift();
    logger.debug('router: position on an unconfirmed contract held until the gateway names it', { contractId, accountId: ledger.accountId });
    ensureContract(contractId);
    return true;
  };

  const handleEvent = (ev: GatewayEvent): void => {
    const accountId = accountIdOf(ev);
    if (accountId === undefined) {
      logger.warn('router: event without an account id skipped', { kind: (ev as { kind?: unknown }).kind, source: ev.source });
      return;
    }
    const ledger = registry.get(accountId);
    if (!ledger) {
      logger.debug('router: event for an account riskd does not watch ignored', { accountId, kind: ev.kind });
      return;
    }
    if (holdIfUnverified(ev, ledger)) return;
    const changes = applyEvent(ledger, ev);
    for (const c of changes) emit(ledger, c);
    const contractId = contractIdOf(ev);
    if (contractId) ensureContract(contractId);
  };

  const handleQuote = (ev: Extract<GatewayEvent, { kind: 'quote' }>): void => {
    const contractId = ev.quote?.contractId;
    if (typeof contractId !== 'string' || contractId === '') {
      logger.warn('router: quote without contractId skipped', { receivedAt: ev.receivedAt });
      return;
    }
    registry.quotes.merge(ev.quote, ev.receivedAt);
    const holders = registry.holding(contractId);
    if (holders.size === 0) return;
    const change = quoteChange(contractId);
    for (const l of holders) if (l.onQuote(contractId)) emit(l, change);
  };

  return {
    handle(ev) {
      try {
        if (ev.kind === 'quote') return handleQuote(ev);
        handleEvent(ev);
      } catch (err) {
        logger.error('router: event skipped after an error', { kind: (ev as { kind?: unknown })?.kind, error: String(err) });
      }
    },

    rollDue(now) {
      for (const l of registry.all()) {
        try {
          const c = rollIfDue(l, now);
          if (c) emit(l, c);
        } catch (err) {
          logger.error('router: trading-day roll failed', { accountId: l.accountId, error: String(err) });
        }
      }
    },

    markEnforcementOrder(accountId, orderId) {
      const l = registry.get(accountId);
      if (!l) return;
      for (const fill of l.markEnforcementOrder(orderId)) emit(l, { kind: 'fillAttributed', fill });
    },

    markEnforcementPending(accountId, contractId, untilMs, sinceMs, contracts) {
      registry.get(accountId)?.markEnforcementPending(contractId, untilMs, sinceMs, contracts);
    },

    async idle() {
      while (fetching.size > 0) await Promise.allSettled([...fetching.values()]);
    },

    unverified() {
      return new Map([...held].map(([c, evs]) => [c, evs.length]));
    },

    unconfirmed() {
      return unconfirmed;
    },
  };
}
