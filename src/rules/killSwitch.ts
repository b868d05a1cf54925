// The locks' kill switch (rules.md "While locked"): while an account-wide lock is active, every position opened
// after the lock began is closed and every working order created after it is cancelled. Positions that existed
// before the lock are left alone (a hard lock's own rule has already flattened them; a cooldown spares them),
// and so are new orders that only exit such a position (the trader's stop or target). A symbol lock closes and
// cancels everything in that symbol. Pure: the caller passes the active locks.
import type { Order } from '../gateway/models.ts';
import type { LedgerView, PositionView } from '../ledger/view.ts';
import type { RuleContext } from './context.ts';
import type { Intent, LockKind, Verdict } from './types.ts';
import { exitSide } from './util.ts';

/** An active lock as the account machine / store holds it (a store LockRow fits). */
export interface ActiveLock {
  id?: string;
  kind: LockKind;
  rule: string;
  reason?: string;
  /** When the lock began, epoch ms. */
  since: number;
  until?: number | null;
  symbol?: string | null;
}

export type ActiveLocks = readonly ActiveLock[];

/** What the kill switch asks for, attributed to the lock that demands it. */
export interface KillSwitchVerdict {
  lock: ActiveLock;
  intents: Intent[];
  message: string;
  numbers: Verdict['numbers'];
}

const NONE: readonly KillSwitchVerdict[] = Object.freeze([]) as readonly KillSwitchVerdict[];

/** The active account-wide lock that began first (a cooldown past its deadline no longer counts). */
export function earliestAccountLock(locks: ActiveLocks, now: number): ActiveLock | undefined {
  let first: ActiveLock | undefined;
  for (const l of locks) {
    if (l.kind === 'symbol') continue;
    if (l.kind === 'cooldown' && l.until !== null && l.until !== undefined && l.until <= now) continue;
    if (!first || l.since < first.since) first = l;
  }
  return first;
}

/** An order that can only exit a position that predates the lock: same contract, exit side, within its size. */
function exitsOldPosition(o: Order, view: LedgerView, since: number): boolean {
  const p = view.position(o.contractId);
  return !!p && p.openedAt <= since && o.side === exitSide(p) && o.size - (o.fillVolume ?? 0) <= p.size;
}

export function killSwitch(ctx: RuleContext, locks: ActiveLocks): readonly KillSwitchVerdict[] {
  if (locks.length === 0) return NONE;
  const { view } = ctx;
  const out: KillSwitchVerdict[] = [];

  const lock = earliestAccountLock(locks, ctx.now);
  if (lock) {
    const fresh: PositionView[] = view.positions().filter((p) => p.openedAt > lock.since);
    const orders = view.workingOrders().filter((o) => o.creationTimestamp > lock.since && !exitsOldPosition(o, view, lock.since));
    if (fresh.length > 0 || orders.length > 0) {
      out.push({
        lock,
        intents: [
          ...fresh.map((p): Intent => ({ type: 'close', accountId: view.accountId, contractId: p.contractId })),
          ...orders.map((o): Intent => ({ type: 'cancel', accountId: view.accountId, orderId: o.id })),
        ],
        message: `Account is locked (${lock.reason ?? lock.rule}): ${describe(fresh, orders)}`,
        numbers: fresh.length === 1 ? { symbol: fresh[0]!.symbol, contractId: fresh[0]!.contractId, size: fresh[0]!.size } : {},
      });
    }
  }

  for (const l of locks) {
    if (l.kind !== 'symbol' || !l.symbol) continue;
    const sym = l.symbol.toUpperCase();
    const held = view.positions().filter((p) => p.symbol.toUpperCase() === sym);
    const orders = view.workingOrders().filter((o) => view.symbolOf(o.contractId).toUpperCase() === sym);
    if (held.length === 0 && orders.length === 0) continue;
    out.push({
      lock: l,
      intents: [
        ...held.map((p): Intent => ({ type: 'close', accountId: view.accountId, contractId: p.contractId })),
        ...orders.map((o): Intent => ({ type: 'cancel', accountId: view.accountId, orderId: o.id })),
      ],
      message: `${sym} is locked (${l.reason ?? l.rule}): ${describe(held, orders)}`,
      numbers: { symbol: sym },
    });
  }
  return out.length > 0 ? out : NONE;
}

function describe(positions: readonly PositionView[], orders: readonly Order[]): string {
  const parts: string[] = [];
  if (positions.length > 0) {
    parts.push(`closed ${positions.map((p) => `${p.symbol} ${p.side} ${p.size}`).join(', ')}`);
  }
  if (orders.length > 0) parts.push(`cancelled ${orders.length} order${orders.length === 1 ? '' : 's'}`);
  return parts.join(' and ');
}
