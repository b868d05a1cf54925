// One account's live actor: restore from the last snapshot (or build fresh), persist every change, re-arm
// timers, and hand emitted facts to the caller only after the state that produced them is saved.
//
// Restore order (xstate-notes §1.5): load row -> check machine id/version + schema version -> createActor with
// the snapshot and an error observer -> start -> config.updated (if the config changed) -> system.resumed { now }
// -> enable saving and write once -> deliver what the machine emitted meanwhile.
// Timers are re-armed with pattern A: every timed state of the account and position machines re-enters on
// `system.resumed`, recomputing its delay from the absolute deadlines in context (XState v5 restores no timers).
// The saved `timers` column (captureTimers) is kept for diagnostics only; it is never replayed.
// Any problem with the row (unreadable, other machine/version, wrong account, restore error) is reported and a
// fresh actor is built instead; the runtime then re-derives state from the ledger and REST. Never a crash.
import { createActor, type Actor, type InspectionEvent, type Snapshot } from 'xstate';
import {
  ACCOUNT_MACHINE_ID,
  ACCOUNT_MACHINE_VERSION,
  accountWithClock,
  type AccountEmitted,
  type AccountEvent,
  type Clock,
} from '../../../machines/account/index.ts';
import type { RiskConfig } from '../../config/types.ts';
import type { LockRow } from '../../store/index.ts';
import type { LockEntry, LockOwner } from '../../../machines/account/index.ts';
import { migrateSnapshot } from './migrate.ts';
import { SNAPSHOT_SCHEMA_VERSION, SnapshotPersister, cancelTimers, type SnapshotRepo } from './persistence.ts';

export type AccountLogic = ReturnType<typeof accountWithClock>;

export interface RestoreReport {
  source: 'snapshot' | 'fresh';
  /** Why a stored snapshot was not used (absent when there was none or it was used). */
  discarded?: string;
  savedAt?: number;
  /** The stored snapshot was written by an older machine version and migrated from it. */
  migratedFrom?: number;
}

export interface AccountActorOptions {
  accountId: number;
  config: RiskConfig;
  repo: SnapshotRepo;
  clock: Clock;
  /** Defaults to accountWithClock(clock); tests inject faults here. */
  logic?: AccountLogic;
  /** false: ignore any stored snapshot and start fresh. */
  restore?: boolean;
  /** Every fact the machine emitted, after the snapshot that contains its cause is saved (intents that change no lock: just before). */
  onEmitted: (e: AccountEmitted) => void;
  /** After each delivery of emitted facts: what one event (or one batch) decided is complete. */
  onFlushed?: () => void;
  /** The actor failed (an action threw): it is dead; the supervisor rebuilds it. */
  onError: (err: unknown) => void;
  onSaveError?: (err: unknown) => void;
  /** Every inspection event of the actor system (the inspector's audit trail, `--inspect`). Must not throw. */
  inspect?: (e: InspectionEvent) => void;
  /**
   * Active lock rows (e.g. `() => store.locks.active(accountId)`): when no snapshot can be used, the fresh actor
   * takes these over, so a discarded snapshot never drops a lock.
   */
  seedLocks?: () => LockRow[];
}

/** A locks-table row as the machine keeps it. */
export function lockEntryOf(r: LockRow): LockEntry {
  return {
    id: r.id,
    kind: r.kind,
    rule: r.rule as LockOwner,
    reason: r.reason,
    symbol: r.symbol ?? null,
    since: r.since,
    until: r.until ?? null,
    releaseCondition: r.releaseCondition ?? '',
    flattenOnSet: false,
  };
}

export interface AccountActor {
  readonly accountId: number;
  readonly actor: Actor<AccountLogic>;
  readonly persister: SnapshotPersister;
  readonly restored: RestoreReport;
  send(e: AccountEvent): void;
  /** Send inside fn; one snapshot write at the end (wrap in store.transaction to commit with the ledger change). */
  batch<T>(fn: () => T): T;
  persistNow(): boolean;
  failed(): boolean;
  stop(): void;
}

/** Why a stored row cannot be used, or null when it looks restorable. */
export function rowProblem(row: { machineId: string; machineVersion: number; schemaVersion: number; snapshot: unknown }, accountId: number): string | null {
  if (row.machineId !== ACCOUNT_MACHINE_ID) return `machine id "${row.machineId}" is not "${ACCOUNT_MACHINE_ID}"`;
  if (row.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) return `snapshot schema version ${row.schemaVersion} (this build reads ${SNAPSHOT_SCHEMA_VERSION})`;
  if (row.machineVersion !== ACCOUNT_MACHINE_VERSION) return `machine version ${row.machineVersion} (this build runs ${ACCOUNT_MACHINE_VERSION}; no migration defined)`;
  const snap = row.snapshot as { status?: unknown; value?: unknown; context?: { accountId?: unknown } } | null;
  if (typeof snap !== 'object' || snap === null || typeof snap.value !== 'object' || typeof snap.context !== 'object') return 'snapshot is not an XState snapshot object';
  if (snap.status !== 'active') return `snapshot status is "${String(snap.status)}"`;
  if (snap.context?.accountId !== accountId) return `snapshot belongs to account ${String(snap.context?.accountId)}`;
  return null;
}

export function openAccountActor(opts: AccountActorOptions): AccountActor {
  const logic = opts.logic ?? accountWithClock(opts.clock);
  let discarded: string | undefined;
  let row;
  if (opts.restore !== false) {
    try {
      row = opts.repo.load(opts.accountId, ACCOUNT_MACHINE_ID);
    } catch (err) {
      discarded = `unreadable snapshot row: ${(err as Error).message}`;
    }
  }
  let migratedFrom: number | undefined;
  if (row && row.machineId === ACCOUNT_MACHINE_ID && row.machineVersion < ACCOUNT_MACHINE_VERSION && row.schemaVersion === SNAPSHOT_SCHEMA_VERSION) {
    const migrated = migrateSnapshot(row.snapshot, row.machineVersion, ACCOUNT_MACHINE_VERSION);
    if ('error' in migrated) discarded = migrated.error;
    else {
      migratedFrom = row.machineVersion;
      row = { ...row, machineVersion: ACCOUNT_MACHINE_VERSION, snapshot: migrated.snapshot };
    }
  }
  if (row && !discarded) {
    discarded = rowProblem(row, opts.accountId) ?? undefined;
    if (!discarded) {
      const restored = build(opts, logic, row.snapshot as Snapshot<unknown>);
      if ('actor' in restored) return finish(opts, restored, { source: 'snapshot', savedAt: row.savedAt, ...(migratedFrom !== undefined ? { migratedFrom } : {}) });
      discarded = `restore failed: ${restored.error}`;
    }
  }
  const fresh = build(opts, logic, undefined);
  if (!('actor' in fresh)) throw new Error(`account ${opts.accountId}: a fresh account actor failed to start: ${fresh.error}`);
  const seed = (opts.seedLocks?.() ?? []).filter((r) => r.accountId === opts.accountId && r.releasedAt == null);
  if (seed.length > 0) fresh.actor.send({ type: 'locks.seed', locks: seed.map(lockEntryOf), now: opts.clock.now() });
  return finish(opts, fresh, discarded ? { source: 'fresh', discarded } : { source: 'fresh' });
}

interface Built {
  actor: Actor<AccountLogic>;
  persister: SnapshotPersister;
  buffer: AccountEmitted[];
  state: { ready: boolean; failed: boolean };
}

/** Create and start the actor (fresh when snapshot is undefined), then resume it. Saving is still off. */
function build(opts: AccountActorOptions, logic: AccountLogic, snapshot: Snapshot<unknown> | undefined): Built | { error: string } {
  const persister = new SnapshotPersister({
    accountId: opts.accountId,
    machineId: ACCOUNT_MACHINE_ID,
    machineVersion: ACCOUNT_MACHINE_VERSION,
    repo: opts.repo,
    now: () => opts.clock.now(),
    onSaveError: opts.onSaveError,
  });
  const buffer: AccountEmitted[] = [];
  const state = { ready: false, failed: false };
  let startError: unknown;
  let actor: Actor<AccountLogic>;
  const now = opts.clock.now();
  try {
    actor = createActor(logic, {
      ...(snapshot ? { snapshot } : {}),
      input: { accountId: opts.accountId, config: opts.config, now },
      inspect: opts.inspect
        ? (e: InspectionEvent) => {
            persister.inspect(e);
            opts.inspect!(e);
          }
        : persister.inspect,
    });
    persister.attach(actor);
    actor.on('*', (e) => buffer.push(e as AccountEmitted));
    actor.subscribe({
      error: (err) => {
        state.failed = true;
        buffer.length = 0; // facts of a macrostep that failed half-way are not trusted
        if (state.ready) opts.onError(err);
        else startError = err;
      },
    });
    actor.start();
    if (actor.getSnapshot().status === 'error' || startError !== undefined) throw startError ?? new Error('actor in error after start');
    const ctx = actor.getSnapshot().context;
    if (JSON.stringify(ctx.config) !== JSON.stringify(opts.config)) actor.send({ type: 'config.updated', config: opts.config, now });
    actor.send({ type: 'system.resumed', now });
    if (actor.getSnapshot().status === 'error' || startError !== undefined) throw startError ?? new Error('actor in error after resume');
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  return { actor, persister, buffer, state };
}

function finish(opts: AccountActorOptions, b: Built, restored: RestoreReport): AccountActor {
  const { actor, persister, buffer, state } = b;
  const flush = (): void => {
    if (buffer.length === 0) return;
    while (buffer.length > 0) {
      const e = buffer.shift()!;
      opts.onEmitted(e);
    }
    opts.onFlushed?.();
  };
  persister.onSettled(flush);
  // What decided only intents (no lock set or released) is handed over before the snapshot write: the request
  // leaves first (written inside the transport call), the snapshot right after, in the same turn (daemon.ts
  // header). A lock change keeps everything of its flush after the write, so the lock is durable before anything
  // acts on it.
  persister.onHandOver(() => {
    if (buffer.some((e) => e.type === 'intent') && !buffer.some((e) => e.type === 'lock.set' || e.type === 'lock.released')) flush();
  });
  state.ready = true;
  persister.enabled = true;
  persister.persistNow(true);
  flush();
  return {
    accountId: opts.accountId,
    actor,
    persister,
    restored,
    send: (e) => actor.send(e),
    batch: (fn) => persister.batch(fn),
    persistNow: () => persister.persistNow(),
    failed: () => state.failed || actor.getSnapshot().status === 'error',
    stop: () => {
      persister.persistNow();
      persister.enabled = false;
      actor.stop();
      cancelTimers(actor);
    },
  };
}
