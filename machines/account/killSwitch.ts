// The kill switch's questions, pure: does a held lock forbid this position change or this working order? The
// account machine asks them as the guards of `lockout.locked` (account-wide locks: exposureIsNew,
// orderIsForbidden) and `symbolBlocks.blocking` (RULE-011: exposureInBlockedSymbol, orderInBlockedSymbol), and
// acts on the answer in the same transition (a close or cancel intent). Guards run before the event's time step,
// so "held" is judged at the event's time: a lock whose own condition this very event meets (deadline, delayed
// admin unlock, trading-day reset) no longer counts, though its child's `lock.released` is still to come.
import { heldLocks, isAccountWide, sameSymbol } from './locks.ts';
import type { AccountCore, AccountEvent, LockEntry, PositionFact } from './types.ts';

type KillCore = Pick<AccountCore, 'locks' | 'pendingUnlocks' | 'now' | 'tradingDay' | 'positions'>;
export type OrderFact = Extract<AccountEvent, { type: 'order.working' }>;

/** The locks that still hold at `now` (the register as the event's time step will leave it). */
function locksHeldAt(core: KillCore, now: number): LockEntry[] {
  const at = Math.max(core.now, now);
  // A reset due now ends every until_reset lock set before it (catchUpReset will tell their children).
  const tradingDay = at >= core.tradingDay.nextResetAt ? { ...core.tradingDay, lastResetAt: core.tradingDay.nextResetAt } : core.tradingDay;
  return heldLocks({ locks: core.locks, pendingUnlocks: core.pendingUnlocks, now: at, tradingDay });
}

/** Whether a position fact adds exposure: a position riskd did not track, a larger size, or a reversal. */
function addsExposure(core: KillCore, p: PositionFact): boolean {
  const prev = core.positions[p.contractId];
  return prev === undefined || p.side !== prev.side || p.size > prev.size;
}

/**
 * Whether an account-wide lock forbids exposure: any lock forbids it, except that a cooldown leaves exposure
 * whose fill riskd received before the cooldown began (one clock: `causeAt` and `since` are both riskd's
 * receive/event times, never a gateway stamp against local time).
 */
function forbidsExposure(lock: LockEntry, p: PositionFact): boolean {
  return !(lock.kind === 'cooldown' && p.causeAt !== undefined && p.causeAt <= lock.since);
}

/** The account-wide lock that makes this position change new exposure to close, if any. */
export function accountLockAgainst(core: KillCore, p: PositionFact): LockEntry | undefined {
  if (!addsExposure(core, p)) return undefined;
  return locksHeldAt(core, p.now).find((l) => isAccountWide(l) && forbidsExposure(l, p));
}

/** The symbol lock that closes this added exposure, when no account-wide lock already does (lockout.locked acts then). */
export function symbolLockAgainst(core: KillCore, p: PositionFact): LockEntry | undefined {
  if (!addsExposure(core, p) || accountLockAgainst(core, p)) return undefined;
  return locksHeldAt(core, p.now).find((l) => l.kind === 'symbol' && sameSymbol(l.symbol, p.symbol));
}

/** An order that can only reduce the position held in its contract (opposite side, no larger). */
function reducesOnly(core: KillCore, o: OrderFact): boolean {
  const held = core.positions[o.contractId];
  return held !== undefined && o.side !== undefined && o.size !== undefined && o.size <= held.size &&
    ((held.side === 'long' && o.side === 1) || (held.side === 'short' && o.side === 0));
}

/**
 * Whether `lock` forbids this working order. A market order that only reduces is a close in progress (riskd's
 * own closeContract among them: the venue accepts it and fills it moments later), never cancelled; a resting
 * order that only reduces (a stop, a target) survives a cooldown or any lock that did not flatten as it began.
 */
function forbidsOrder(lock: LockEntry, reducing: boolean, market: boolean): boolean {
  if (reducing && market) return false;
  return !(reducing && lock.kind !== 'symbol' && !lock.flattenOnSet);
}

/** The account-wide lock that cancels this working order, if any. */
export function accountLockAgainstOrder(core: KillCore, o: OrderFact): LockEntry | undefined {
  const reducing = reducesOnly(core, o);
  return locksHeldAt(core, o.now).find((l) => isAccountWide(l) && forbidsOrder(l, reducing, o.market === true));
}

/** The symbol lock that cancels this working order, when no account-wide lock already does. */
export function symbolLockAgainstOrder(core: KillCore, o: OrderFact): LockEntry | undefined {
  if (accountLockAgainstOrder(core, o)) return undefined;
  const reducing = reducesOnly(core, o);
  return locksHeldAt(core, o.now).find((l) => l.kind === 'symbol' && sameSymbol(l.symbol, o.symbol) && forbidsOrder(l, reducing, o.market === true));
}

/** The lock that forbids new exposure in `symbol` now, account-wide first (the replay asks it to skip blocked entries). */
export function forbidding(core: KillCore, symbol: string): LockEntry | undefined {
  const held = locksHeldAt(core, core.now);
  return held.find(isAccountWide) ?? held.find((l) => l.kind === 'symbol' && sameSymbol(l.symbol, symbol));
}
