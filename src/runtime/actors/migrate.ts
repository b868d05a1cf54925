// Snapshot migrations of the account machine, one function per version step. A migration turns the persisted
// snapshot of one version into the next one's shape, keeping every deadline as it was; `openAccountActor`
// runs them before restoring. A row no migration can read is refused and rebuilt from the lock rows.
import { lockChildId } from '../../../machines/account/index.ts';
import type { LockEntry, PendingUnlock } from '../../../machines/account/index.ts';

interface PersistedV1 {
  value: Record<string, unknown>;
  context: { now: number; locks: LockEntry[]; pendingUnlocks: PendingUnlock[] } & Record<string, unknown>;
  children?: Record<string, unknown>;
}

/**
 * v1 -> v2: locks were entries in context timed by the account's wake region; in v2 each is a `lock` child
 * machine (machines/lock) holding the same lock, deadline and pending admin unlock. The account keeps its
 * register (context.locks, pendingUnlocks) and its lockout value.
 */
function v1ToV2(snapshot: unknown): unknown {
  const s = snapshot as PersistedV1;
  if (!Array.isArray(s?.context?.locks) || !Array.isArray(s.context.pendingUnlocks)) throw new Error('v1 snapshot without locks/pendingUnlocks');
  const children: Record<string, unknown> = { ...(s.children ?? {}) };
  for (const lock of s.context.locks) {
    const pending = s.context.pendingUnlocks.find((p) => p.lockId === lock.id);
    children[lockChildId(lock.id)] = {
      snapshot: {
        status: 'active',
        value: { held: pending ? 'releasePending' : 'active' },
        historyValue: {},
        context: {
          lock,
          unlockAt: pending?.effectiveAt ?? null,
          unlockBy: pending?.by ?? null,
          unlockRequestedAt: pending?.requestedAt ?? null,
          now: s.context.now,
          releasedHow: null,
          releasedAt: null,
        },
        children: {},
      },
      src: 'lock',
      syncSnapshot: false,
    };
  }
  return { ...s, children };
}

const STEPS: Record<number, (snapshot: unknown) => unknown> = { 1: v1ToV2 };

/** The snapshot carried from `from` to `to`, or an error saying which step failed. */
export function migrateSnapshot(snapshot: unknown, from: number, to: number): { snapshot: unknown } | { error: string } {
  let s = snapshot;
  for (let v = from; v < to; v++) {
    const step = STEPS[v];
    if (!step) return { error: `no migration from machine version ${v} to ${v + 1}` };
    try {
      s = step(s);
    } catch (err) {
      return { error: `migration ${v} -> ${v + 1} failed: ${(err as Error).message}` };
    }
  }
  return { snapshot: s };
}
