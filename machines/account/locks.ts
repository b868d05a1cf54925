// Pure lock bookkeeping: set (merge/extend), release, and the question every other part asks:
// "is the account locked, until when, by what?". Each function returns the new lock list plus the facts
// to emit, in the order the runtime must act on them (lock changes before the intents they cause).
import type { LockRequest } from '../../src/rules/types.ts';
import { deadlinePassed } from '../lock/lock.machine.ts';
import type { LockEvent } from '../lock/types.ts';
import type { AccountCore, AccountEmitted, LockEntry, LockOwner } from './types.ts';
import { intentOut } from './intents.ts';

export const ACCOUNT_WIDE_KINDS = ['until_reset', 'until_session', 'until_can_trade', 'cooldown'] as const;
export const isAccountWide = (l: LockEntry): boolean => l.kind !== 'symbol';
export const sameSymbol = (a: string | null, b: string): boolean => a !== null && a.toUpperCase() === b.toUpperCase();

/** A fact for one lock child (its machine decides whether the lock ends). */
export interface LockCommand {
  lockId: string;
  event: LockEvent;
}

export interface Step {
  core: AccountCore;
  out: AccountEmitted[];
  /** Facts for lock children, sent after the step (a child's answer arrives as the account's next event). */
  toLocks?: LockCommand[];
}

/**
 * The locks that still hold at the core's time. A lock child releases itself and tells the account right after
 * the event that met its condition; within that same event the account must not act on it any more: its own
 * deadline passed, its delayed admin unlock fell due, or (until_reset) a reset happened since it began.
 */
export function heldLocks(core: Pick<AccountCore, 'locks' | 'pendingUnlocks' | 'now' | 'tradingDay'>): LockEntry[] {
  return core.locks.filter((l) => {
    if (deadlinePassed(l, core.now)) return false;
    if (l.kind === 'until_reset' && l.since < core.tradingDay.lastResetAt) return false;
    const pending = core.pendingUnlocks.find((p) => p.lockId === l.id);
    return !(pending && pending.effectiveAt <= core.now);
  });
}

/** Send `event` to every lock matching `pred` (no state change here: each child decides). */
export function tellLocks(core: AccountCore, pred: (l: LockEntry) => boolean, event: LockEvent): Step {
  const toLocks = core.locks.filter(pred).map((l) => ({ lockId: l.id, event }));
  return toLocks.length === 0 ? { core, out: [] } : { core, out: [], toLocks };
}

const RELEASE_CONDITION: Record<LockEntry['kind'], string> = {
  until_reset: 'the next trading-day reset',
  until_session: 'the next allowed session window opens',
  until_can_trade: 'the gateway reports canTrade true',
  cooldown: 'its deadline passes',
  symbol: 'the symbol leaves symbol_blocks.symbols',
};

/** Locks of the same kind from the same rule (and symbol) are one lock: a new request merges into it. */
function sameLock(l: LockEntry, kind: LockEntry['kind'], rule: LockOwner, symbol: string | null): boolean {
  return l.kind === kind && l.rule === rule && (symbol === null ? l.symbol === null : sameSymbol(l.symbol, symbol));
}

/** Whether the lock a request asks for is already held (same kind, rule and symbol). */
export function holdsLock(core: AccountCore, req: LockRequest): boolean {
  const symbol = req.kind === 'symbol' ? (req.symbol ?? '').toUpperCase() : null;
  return heldLocks(core).some((l) => sameLock(l, req.kind, req.rule, symbol));
}

/** What a hard lock does as it begins: flatten (every position closed, every order cancelled; a symbol lock: that symbol only). */
function enforceOnSet(core: AccountCore, lock: LockEntry): AccountEmitted[] {
  const accountId = core.accountId;
  const why = `${lock.rule} locked the account (${lock.reason})`;
  if (lock.kind === 'symbol' && lock.symbol !== null) {
    const out: AccountEmitted[] = Object.values(core.positions)
      .filter((p) => sameSymbol(lock.symbol, p.symbol))
      .map((p) => intentOut({ type: 'close', accountId, contractId: p.contractId }, lock.rule, `${lock.symbol} is blocked`));
    out.push(intentOut({ type: 'cancelAll', accountId, symbol: lock.symbol }, lock.rule, `${lock.symbol} is blocked`));
    return out;
  }
  if (!lock.flattenOnSet) return [];
  return [intentOut({ type: 'flatten', accountId }, lock.rule, why)];
}

export interface LockDeadlines {
  /** Deadline for until_reset locks. */
  nextResetAt: number;
  /** Deadline for until_session locks (null when no window is known). */
  nextOpen: number | null;
}

/**
 * Apply one lock request at `now`. A request for an existing lock of the same kind+rule(+symbol) merges:
 * a cooldown only ever gets longer; other kinds are already as strong as they get.
 */
export function setLock(
  core: AccountCore,
  req: LockRequest,
  now: number,
  opts: { flattenOnSet?: boolean; since?: number } = {},
): Step {
  const symbol = req.kind === 'symbol' ? (req.symbol ?? '').toUpperCase() : null;
  if (req.kind === 'symbol' && !symbol) {
    return { core, out: [{ type: 'machine.warning', accountId: core.accountId, message: `${req.rule}: symbol lock without a symbol ignored` }] };
  }
  if (req.kind === 'cooldown' && (req.until === undefined || !Number.isFinite(req.until))) {
    return { core, out: [{ type: 'machine.warning', accountId: core.accountId, message: `${req.rule}: cooldown lock without a deadline ignored` }] };
  }
  if (req.kind === 'cooldown' && req.until! <= now) return { core, out: [] }; // already over
  const until =
    req.kind === 'cooldown' ? req.until!
    : req.kind === 'until_reset' ? core.tradingDay.nextResetAt
    : req.kind === 'until_session' ? (req.until ?? core.session.nextOpen)
    : null;
  const existing = heldLocks(core).find((l) => sameLock(l, req.kind, req.rule, symbol));
  if (existing) {
    // The lock's own machine decides: a later deadline extends a cooldown, anything else is ignored.
    if (req.kind !== 'cooldown' || until === null) return { core, out: [] };
    return { core, out: [], toLocks: [{ lockId: existing.id, event: { type: 'lock.extend', until, reason: req.reason, now } }] };
  }
  const hard = req.kind === 'until_reset' || req.kind === 'until_can_trade' || req.kind === 'until_session';
  const lock: LockEntry = {
    id: `${core.accountId}:${req.rule}:${req.kind}${symbol ? `:${symbol}` : ''}:${opts.since ?? now}`,
    kind: req.kind,
    rule: req.rule,
    reason: req.reason,
    symbol,
    since: opts.since ?? now,
    until,
    releaseCondition: RELEASE_CONDITION[req.kind],
    flattenOnSet: opts.flattenOnSet ?? hard,
  };
  // The same lock asked for again at the same instant while its predecessor is still being released.
  if (core.locks.some((l) => l.id === lock.id)) return { core, out: [] };
  const next = { ...core, locks: [...core.locks, lock] };
  return { core: next, out: [{ type: 'lock.set', accountId: core.accountId, lock, extended: false }, ...enforceOnSet(next, lock)] };
}

/** Release every lock matching `pred`, with `how` for the audit. Pending admin unlocks for them are dropped. */
export function releaseLocks(core: AccountCore, pred: (l: LockEntry) => boolean, how: string, at: number): Step {
  const gone = core.locks.filter(pred);
  if (gone.length === 0) return { core, out: [] };
  const ids = new Set(gone.map((l) => l.id));
  return {
    core: {
      ...core,
      locks: core.locks.filter((l) => !ids.has(l.id)),
      pendingUnlocks: core.pendingUnlocks.filter((p) => !ids.has(p.lockId)),
    },
    out: gone.map((lock) => ({ type: 'lock.released', accountId: core.accountId, lock, how, at }) as const),
  };
}

export interface LockStatus {
  locked: boolean;
  /** The latest known deadline among account-wide locks; null when unlocked or when a lock has no deadline. */
  until: number | null;
  /** Rules holding account-wide locks, sorted. */
  by: string[];
  symbols: string[];
}

/** The answer to "is the account locked, until when, by what". */
export function lockStatus(core: Pick<AccountCore, 'locks'>): LockStatus {
  const wide = core.locks.filter(isAccountWide);
  const indefinite = wide.some((l) => l.until === null);
  return {
    locked: wide.length > 0,
    until: wide.length === 0 || indefinite ? null : Math.max(...wide.map((l) => l.until!)),
    by: [...new Set(wide.map((l) => l.rule))].sort(),
    symbols: [...new Set(core.locks.filter((l) => l.kind === 'symbol').map((l) => l.symbol!))].sort(),
  };
}

export function chain(first: Step, next: (core: AccountCore) => Step): Step {
  const r = next(first.core);
  const toLocks = [...(first.toLocks ?? []), ...(r.toLocks ?? [])];
  return toLocks.length > 0 ? { core: r.core, out: [...first.out, ...r.out], toLocks } : { core: r.core, out: [...first.out, ...r.out] };
}
