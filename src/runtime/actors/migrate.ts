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

interface PersistedV2 {
  value: { tradingDay?: unknown; session?: unknown; lockout?: unknown; wake?: unknown };
  context: { now: number; session: { phase: string; nextBoundary: number | null; blackoutEnd: number | null }; locks?: { kind?: unknown }[] } & Record<string, unknown>;
}

const V2_SESSION_STATES = ['unknown', 'disabled', 'inside', 'outside'];

/**
 * v2 -> v3: the session region's states mirrored context.session.phase and a `wake` region ran the one timer;
 * in v3 tradingDay (`current`) and session (+ `blackout`, `closed`) are timed states and `wake` is gone. Locks,
 * deadlines and the trading day are unchanged. The session keeps its phase as its state (a blackout in force
 * becomes `blackout`), and its next boundary is due at once, so the first event after the upgrade reads the
 * calendar again and lands in the exact state (a holiday: `closed`) without setting or releasing anything twice.
 * v3 also has the `symbolBlocks` region (the RULE-011 kill switch): `blocking` while a symbol lock is held.
 */
function v2ToV3(snapshot: unknown): unknown {
  const s = snapshot as PersistedV2;
  const session = s?.context?.session;
  if (typeof s?.value !== 'object' || typeof session !== 'object' || session === null) throw new Error('v2 snapshot without a session');
  const phase = V2_SESSION_STATES.includes(String(s.value.session)) ? String(s.value.session) : 'unknown';
  const inBlackout = (phase === 'inside' || phase === 'outside') && session.blackoutEnd !== null && session.blackoutEnd > s.context.now;
  const { wake: _timerRegion, ...value } = s.value;
  const symbolLocked = (s.context.locks ?? []).some((l) => l?.kind === 'symbol');
  return {
    ...s,
    value: { ...value, tradingDay: 'current', session: inBlackout ? 'blackout' : phase, symbolBlocks: symbolLocked ? 'blocking' : 'clear' },
    context: { ...s.context, session: { ...session, nextBoundary: Math.min(session.nextBoundary ?? s.context.now, s.context.now) } },
  };
}

/**
 * v3 -> v4: close-on-fill watches and riskd's own stops moved from the executor's process memory into context.
 * A v3 release kept them nowhere durable, so the upgraded snapshot starts with none (as that release's restart did).
 */
function v3ToV4(snapshot: unknown): unknown {
  const s = snapshot as { context?: Record<string, unknown> };
  if (typeof s?.context !== 'object' || s.context === null) throw new Error('v3 snapshot without a context');
  return { ...s, context: { fillWatches: {}, ownStops: {}, ...s.context } };
}

const STEPS: Record<number, (snapshot: unknown) => unknown> = { 1: v1ToV2, 2: v2ToV3, 3: v3ToV4 };

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
