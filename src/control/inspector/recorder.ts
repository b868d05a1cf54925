// The transitions audit trail: every state change of every actor of every account (the account root, its
// position children and each enforcement action's chart, 'action:<audit row id>'), plus every non-time event even when it changed nothing (rule verdicts, fills, admin
// commands), written to store.transitions as (account, actor, event, from, to, at).
//
// Fed by the supervisor's inspection events: `@xstate.snapshot` carries the event that produced the snapshot,
// so comparing with the actor's previous value gives from -> to. Time-only events (clock ticks, wake timers)
// are recorded only when they changed a state, or a tick every 5 s would fill the table.
// Snapshots are kept as they come and turned into rows and written together on the next turn of the event loop,
// outside the machine's own step and transaction (an inspector must never delay or fail an enforcement). Retention: pruned at start and hourly by age
// and count. Listeners (the inspector page) get each row as it is written.
import type { InspectionEvent, StateValue } from 'xstate';
import type { Logger } from '../../log/logger.ts';
import type { Store, TransitionRow } from '../../store/index.ts';
import { stateText } from './stateText.ts';

export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_ROWS = 200_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const QUIET_EVENTS = new Set(['clock.tick', 'wake.rearm']);

export interface RecorderOptions {
  store: Pick<Store, 'transitions' | 'transaction'>;
  now?: () => number;
  logger?: Logger;
  retentionMs?: number;
  maxRows?: number;
  /** Buffer flush scheduler (tests flush synchronously). Default setImmediate. */
  schedule?: (fn: () => void) => void;
}

export type RecordedTransition = Required<Pick<TransitionRow, 'accountId' | 'actorId' | 'event' | 'from' | 'to' | 'at'>>;

/** An actor's snapshot as the inspection event brought it, until the flush turns it into a row. */
interface SeenSnapshot {
  accountId: number;
  actorRef: object;
  value: StateValue;
  event: string;
  at: number;
  label: string | undefined;
}

/** Is this the root of its actor system (the account actor)? */
const isRoot = (ref: object): boolean => (ref as { _parent?: unknown })._parent === undefined;

export class TransitionRecorder {
  private readonly last = new WeakMap<object, string>();
  private seen: SeenSnapshot[] = [];
  private flushQueued = false;
  private pruneTimer: ReturnType<typeof setInterval> | undefined;
  private readonly listeners = new Set<(r: RecordedTransition) => void>();
  private readonly now: () => number;

  constructor(private readonly opts: RecorderOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Start periodic pruning (prunes once now). */
  start(): void {
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  stop(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    this.flush();
  }

  onTransition(fn: (r: RecordedTransition) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Remember an actor's current state (attached after it started), so its next transition has a "from". */
  prime(actorRef: object, value: StateValue | undefined): void {
    if (value === undefined) return;
    this.flush(); // what was seen before comes first
    this.last.set(actorRef, stateText(value));
  }

  /**
   * The supervisor's inspection listener: `supervisor.onInspect((id, e) => recorder.inspect(id, e))`; an actor of
   * its own system (an enforcement action's chart) comes with its label: `executor.onInspect(recorder.inspect)`.
   */
  inspect(accountId: number, e: InspectionEvent, label?: string): void {
    if (e.type !== '@xstate.snapshot') return;
    const value = (e.snapshot as { value?: StateValue }).value;
    if (value === undefined) return; // not a state machine actor
    // Only what the row needs is kept now; the text and the from -> to comparison wait for the flush (the next
    // turn), off the path of the machine step that may be deciding an enforcement. Snapshots are immutable.
    const ev = e.event as { type: string; now?: unknown };
    const at = typeof ev.now === 'number' && Number.isFinite(ev.now) ? ev.now : this.now();
    this.seen.push({ accountId, actorRef: e.actorRef, value, event: ev.type, at, label });
    this.scheduleFlush();
  }

  /** The rows of the snapshots seen since the last flush, in order: state changes and non-time events. */
  private rowsOfSeen(): RecordedTransition[] {
    const seen = this.seen;
    this.seen = [];
    const rows: RecordedTransition[] = [];
    for (const s of seen) {
      const to = stateText(s.value);
      const from = this.last.get(s.actorRef);
      this.last.set(s.actorRef, to);
      const quiet = QUIET_EVENTS.has(s.event) || s.event.startsWith('xstate.after.');
      if (from === to && quiet) continue;
      const actorId = s.label ?? (isRoot(s.actorRef) ? 'account' : String((s.actorRef as { id?: unknown }).id ?? '?'));
      rows.push({ accountId: s.accountId, actorId, event: s.event, from: from ?? '', to, at: s.at });
    }
    return rows;
  }

  /** Write buffered rows now (one transaction). */
  flush(): void {
    this.flushQueued = false;
    if (this.seen.length === 0) return;
    const rows = this.rowsOfSeen();
    if (rows.length === 0) return;
    try {
      this.opts.store.transaction(() => {
        for (const r of rows) this.opts.store.transitions.insert(r);
      });
    } catch (err) {
      this.opts.logger?.warn('transition audit write failed; rows dropped', { rows: rows.length, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    for (const r of rows) {
      for (const fn of this.listeners) {
        try {
          fn(r);
        } catch (err) {
          this.opts.logger?.warn('transition listener failed', { error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
  }

  /** Drop rows older than the retention and beyond the row cap. Returns the number deleted. */
  prune(): number {
    try {
      return this.opts.store.transitions.prune({
        olderThanMs: this.now() - (this.opts.retentionMs ?? DEFAULT_RETENTION_MS),
        keepLast: this.opts.maxRows ?? DEFAULT_MAX_ROWS,
      });
    } catch (err) {
      this.opts.logger?.warn('transition audit prune failed', { error: err instanceof Error ? err.message : String(err) });
      return 0;
    }
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    (this.opts.schedule ?? setImmediate)(() => this.flush());
  }
}
