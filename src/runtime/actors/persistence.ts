// Durable snapshots of one account's actor system (xstate-notes §1.4). Every `@xstate.snapshot` of EVERY actor
// in the system is seen through `inspect` (root `subscribe` misses child-only changes), de-duplicated by
// snapshot reference, and the root's persisted snapshot (children included) is written with the pending timers,
// machine id/version and the snapshot schema version.
//
// When is it written?
//  - after each root macrostep (the root's snapshot event), synchronously: better-sqlite3 keeps the order;
//  - after a child-only change (a child's own timer), in a microtask, once;
//  - inside `batch(fn)`: once, at the end of fn. The runtime calls `store.transaction(() => persister.batch(() =>
//    { ledger change; actor.send(ev) }))` so the snapshot commits with the ledger change that caused it.
// `onSettled` listeners run right after each write (or skipped write when nothing changed): the supervisor
// hands emitted lock changes (and the intents decided with them) to the outside world only then, so a lock is
// durable before acting on it. `onHandOver` listeners run right before the write: intents that change no lock
// leave there (the transport writes the request inside the call), so a plain close or reduce does not wait for
// the snapshot's JSON work (daemon.ts header).
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { SnapshotRow } from '../../store/index.ts';

/** Version of the row format (XState v5 persisted snapshot + PersistedTimer[]). */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** The part of the store's `snapshots` repository the actors need. */
export interface SnapshotRepo {
  save(r: SnapshotRow): void;
  load(accountId: number, machineId: string): SnapshotRow | undefined;
}

/** A delayed event pending in the actor system, with its absolute due time (diagnostics and audit). */
export interface PersistedTimer {
  id: string;
  event: string;
  dueAt: number;
  /** Path of child ids from the root to the actor that scheduled / receives it ([] = root). */
  source: string[] | null;
  target: string[] | null;
}

interface ScheduledEventLike {
  id: string;
  event: { type: string };
  delay: number;
  startedAt: number;
  source: AnyActorRef;
  target: AnyActorRef;
}

/** Every actor under `ref` with its path of child ids (a module function: no closure per save). */
function walkActors(ref: AnyActorRef, path: string[], paths: Map<AnyActorRef, string[]>): void {
  paths.set(ref, path);
  const children = (ref.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
  for (const [id, child] of Object.entries(children)) if (child) walkActors(child, [...path, id], paths);
}

/** The pending timers of `root`'s system, from the system's scheduler snapshot (xstate-notes §1.5 C). */
export function captureTimers(root: AnyActorRef): PersistedTimer[] {
  const paths = new Map<AnyActorRef, string[]>();
  walkActors(root, [], paths);
  const scheduled = (root.system.getSnapshot() as { _scheduledEvents: Record<string, ScheduledEventLike> })._scheduledEvents;
  return Object.values(scheduled).map((e) => ({
    id: e.id,
    event: e.event.type,
    dueAt: e.startedAt + e.delay,
    source: paths.get(e.source) ?? null,
    target: paths.get(e.target) ?? null,
  }));
}

/**
 * Cancels every delayed event pending in `root`'s system. A root that failed stops without stopping its children
 * (XState v5 leaves them orphaned), whose timers would still fire into the stopped root.
 */
export function cancelTimers(root: AnyActorRef): void {
  const scheduled = (root.system.getSnapshot() as { _scheduledEvents: Record<string, ScheduledEventLike> })._scheduledEvents;
  for (const e of Object.values(scheduled)) root.system.scheduler.cancel(e.source, e.id);
}

export interface PersisterOptions {
  accountId: number;
  machineId: string;
  machineVersion: number;
  repo: SnapshotRepo;
  now: () => number;
  /** A write failed: the caller logs it (the actor keeps running; the next change retries). */
  onSaveError?: (err: unknown) => void;
}

export class SnapshotPersister {
  private root: AnyActorRef | undefined;
  private readonly seen = new WeakMap<object, unknown>();
  private batching = 0;
  private microtaskQueued = false;
  private readonly settledListeners: (() => void)[] = [];
  private readonly handOverListeners: (() => void)[] = [];
  /** Saving starts only after restore finished (start, re-arm, system.resumed). */
  enabled = false;
  dirty = false;
  saves = 0;

  constructor(private readonly opts: PersisterOptions) {}

  /** Pass as `createActor(logic, { inspect: persister.inspect })`. Fires for every actor in the system. */
  readonly inspect = (ev: InspectionEvent): void => {
    if (ev.type !== '@xstate.snapshot') return;
    const isRoot = this.root !== undefined && ev.actorRef === this.root;
    if (this.seen.get(ev.actorRef) !== ev.snapshot) {
      this.seen.set(ev.actorRef, ev.snapshot);
      this.dirty = true;
    }
    if (this.root === undefined || this.batching > 0) return; // constructor-time events, or the batch ends later
    if (isRoot) this.settle();
    else this.queueChildSave();
  };

  attach(root: AnyActorRef): void {
    this.root = root;
  }

  onSettled(fn: () => void): void {
    this.settledListeners.push(fn);
  }

  /**
   * Runs right before each settle's write: the account actor hands its lock-free intents over there, and their
   * request is on the wire (the transport writes it inside the call) before the write starts.
   */
  onHandOver(fn: () => void): void {
    this.handOverListeners.push(fn);
  }

  /** Run fn (which sends events) and write once at its end; nested batches write at the outermost end. */
  batch<T>(fn: () => T): T {
    this.batching++;
    try {
      return fn();
    } finally {
      this.batching--;
      if (this.batching === 0) this.settle();
    }
  }

  /** Write the current snapshot now if anything changed (or `force`). */
  persistNow(force = false): boolean {
    const root = this.root;
    if (!root || !this.enabled || (!this.dirty && !force)) return false;
    const snap = root.getSnapshot() as { status: string };
    // Only a running actor is worth restoring: never overwrite the last good snapshot with a faulted or stopped one.
    if (snap.status !== 'active') return false;
    try {
      this.opts.repo.save({
        accountId: this.opts.accountId,
        machineId: this.opts.machineId,
        machineVersion: this.opts.machineVersion,
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        snapshot: root.getPersistedSnapshot(),
        timers: captureTimers(root),
        savedAt: this.opts.now(),
      });
      this.dirty = false;
      this.saves++;
      return true;
    } catch (err) {
      this.opts.onSaveError?.(err);
      return false;
    }
  }

  private settle(): void {
    if (!this.enabled) return; // restore in progress: the caller enables, writes and flushes once at the end
    for (const fn of this.handOverListeners) fn();
    this.persistNow();
    for (const fn of this.settledListeners) fn();
  }

  private queueChildSave(): void {
    if (this.microtaskQueued) return;
    this.microtaskQueued = true;
    queueMicrotask(() => {
      this.microtaskQueued = false;
      if (this.batching === 0) this.settle();
    });
  }
}
