// The account supervisor: one root actor per account (errors escalate to the root, so an account's fault stays
// in that account), an error observer on each, rebuild from the last good snapshot on a fault, and a fan-out of
// what the machines emit: lock changes to `onLockChange`, everything to `onEmitted`, and the intents one event
// (or one batch of events) decided as one batch to `onIntents`, after its lock changes. When that batch set or
// released a lock, it is delivered after the snapshot is saved; intents alone leave just before the write.
import type { InspectionEvent } from 'xstate';
import type { Intent, Verdict } from '../../rules/types.ts';
import type { RiskConfig } from '../../config/types.ts';
import type { Logger } from '../../log/logger.ts';
import type { LockRow } from '../../store/index.ts';
import type { AccountEmitted, AccountEvent, Clock, LockEntry, LockOwner } from '../../../machines/account/index.ts';
import { openAccountActor, type AccountActor, type AccountLogic, type RestoreReport } from './accountActor.ts';
import type { SnapshotRepo } from './persistence.ts';
import { DEFAULT_TICK_MS, startTicker, type Ticker } from './ticker.ts';

export interface IntentFact {
  accountId: number;
  intent: Intent;
  rule: LockOwner;
  reason: string;
  numbers?: Verdict['numbers'];
}
export type LockChange =
  | { type: 'lock.set'; accountId: number; lock: LockEntry; extended: boolean }
  | { type: 'lock.released'; accountId: number; lock: LockEntry; how: string; at: number };

export interface SupervisorOptions {
  repo: SnapshotRepo;
  clock: Clock;
  logger?: Logger;
  /** Per-account logic override (tests inject faults); default accountWithClock(clock). */
  logicFor?: (accountId: number) => AccountLogic | undefined;
  /** Active lock rows of an account, taken over by a fresh actor when its snapshot cannot be used. */
  seedLocks?: (accountId: number) => LockRow[];
  /** More rebuilds than this within REBUILD_WINDOW_MS start the account fresh instead of from its snapshot. */
  maxRebuilds?: number;
}

export interface AccountFault {
  accountId: number;
  error: string;
  at: number;
  /** How the account came back; 'dead' = it could not be rebuilt (no enforcement by machines until reopened). */
  rebuiltFrom: RestoreReport['source'] | 'dead';
}

const REBUILD_WINDOW_MS = 60_000;

export class AccountSupervisor {
  private readonly accounts = new Map<number, { handle: AccountActor; config: RiskConfig; rebuilds: number[] }>();
  private readonly intentListeners = new Set<(accountId: number, batch: IntentFact[]) => void>();
  /** Intents emitted by an account and not yet delivered (they go out as one batch when its flush ends). */
  private readonly outbox = new Map<number, IntentFact[]>();
  private readonly lockListeners = new Set<(c: LockChange) => void>();
  private readonly emittedListeners = new Set<(e: AccountEmitted) => void>();
  private readonly faultListeners = new Set<(f: AccountFault) => void>();
  private readonly inspectListeners = new Set<(accountId: number, e: InspectionEvent) => void>();
  private ticker: Ticker | undefined;
  /** Accounts whose actor could not be rebuilt: events to them are dropped (and logged). */
  private readonly dead = new Map<number, RiskConfig>();
  readonly faults: AccountFault[] = [];

  constructor(private readonly opts: SupervisorOptions) {}

  /** Start (restore or build) the actor of an account. Returns how it was restored. */
  open(accountId: number, config: RiskConfig): RestoreReport {
    if (this.accounts.has(accountId)) throw new Error(`account ${accountId} is already open`);
    this.dead.delete(accountId);
    const handle = this.spawn(accountId, config, true);
    this.accounts.set(accountId, { handle, config, rebuilds: [] });
    if (handle.restored.discarded) {
      this.opts.logger?.warn('account snapshot discarded, starting fresh (re-derive from ledger and REST)', {
        accountId,
        reason: handle.restored.discarded,
      });
    }
    if (handle.restored.migratedFrom !== undefined) {
      this.opts.logger?.info('account snapshot migrated to the current machine version', { accountId, from: handle.restored.migratedFrom });
    }
    return handle.restored;
  }

  /** Send a fact to an account's actor; a failed actor is rebuilt first (and after, if this event broke it). */
  send(accountId: number, e: AccountEvent): void {
    if (this.dropIfDead(accountId, e.type)) return;
    const entry = this.entry(accountId);
    if (entry.handle.failed()) this.rebuild(accountId, 'found failed before send');
    if (this.dropIfDead(accountId, e.type)) return;
    this.entry(accountId).handle.send(e);
    if (this.entry(accountId).handle.failed()) this.rebuild(accountId, `failed on ${e.type}`);
  }

  /** Send several facts with one snapshot write at the end (wrap in store.transaction with the ledger change). */
  batch<T>(accountId: number, fn: (send: (e: AccountEvent) => void) => T): T {
    if (this.dead.has(accountId)) return fn((e) => void this.dropIfDead(accountId, e.type));
    if (this.entry(accountId).handle.failed()) this.rebuild(accountId, 'found failed before batch');
    if (this.dead.has(accountId)) return fn((e) => void this.dropIfDead(accountId, e.type));
    const handle = this.entry(accountId).handle;
    const result = handle.batch(() => fn((e) => handle.send(e)));
    if (handle.failed()) this.rebuild(accountId, 'failed in batch');
    return result;
  }

  /** Accounts that could not be rebuilt after a fault. */
  deadAccounts(): number[] {
    return [...this.dead.keys()];
  }

  private dropIfDead(accountId: number, what: string): boolean {
    if (!this.dead.has(accountId)) return false;
    this.opts.logger?.error('event dropped: account actor is dead', { accountId, event: what });
    return true;
  }

  /** A reloaded config: the actor hears it, and a later rebuild after a fault starts from it too. */
  updateConfig(accountId: number, config: RiskConfig, now: number): void {
    this.entry(accountId).config = config;
    this.send(accountId, { type: 'config.updated', config, now });
  }

  /** Same event to every account (clock ticks). */
  broadcast(make: (accountId: number) => AccountEvent): void {
    for (const id of [...this.accounts.keys()]) this.send(id, make(id));
  }

  startTicker(intervalMs = DEFAULT_TICK_MS): void {
    this.ticker?.stop();
    this.ticker = startTicker((now) => this.broadcast(() => ({ type: 'clock.tick', now })), { intervalMs, now: () => this.opts.clock.now() });
  }

  get(accountId: number): AccountActor | undefined {
    return this.accounts.get(accountId)?.handle;
  }

  accountIds(): number[] {
    return [...this.accounts.keys()];
  }

  /** Each batch of intents the machine decided for one event (or one batch of events), in decision order. */
  onIntents(fn: (accountId: number, batch: IntentFact[]) => void): () => void {
    this.intentListeners.add(fn);
    return () => this.intentListeners.delete(fn);
  }
  onLockChange(fn: (c: LockChange) => void): () => void {
    this.lockListeners.add(fn);
    return () => this.lockListeners.delete(fn);
  }
  onEmitted(fn: (e: AccountEmitted) => void): () => void {
    this.emittedListeners.add(fn);
    return () => this.emittedListeners.delete(fn);
  }
  /** Every XState inspection event of every account's actor system (root and position children). */
  onInspect(fn: (accountId: number, e: InspectionEvent) => void): () => void {
    this.inspectListeners.add(fn);
    return () => this.inspectListeners.delete(fn);
  }
  onFault(fn: (f: AccountFault) => void): () => void {
    this.faultListeners.add(fn);
    return () => this.faultListeners.delete(fn);
  }

  close(accountId: number): void {
    const entry = this.accounts.get(accountId);
    if (!entry) return;
    entry.handle.persistNow();
    entry.handle.stop();
    this.accounts.delete(accountId);
  }

  stop(): void {
    this.ticker?.stop();
    this.ticker = undefined;
    for (const id of [...this.accounts.keys()]) this.close(id);
  }

  private entry(accountId: number) {
    const entry = this.accounts.get(accountId);
    if (!entry) throw new Error(`account ${accountId} is not open in the supervisor`);
    return entry;
  }

  private spawn(accountId: number, config: RiskConfig, restore: boolean): AccountActor {
    return openAccountActor({
      accountId,
      config,
      repo: this.opts.repo,
      clock: this.opts.clock,
      logic: this.opts.logicFor?.(accountId),
      restore,
      ...(this.opts.seedLocks ? { seedLocks: () => this.opts.seedLocks!(accountId) } : {}),
      onEmitted: (e) => this.fanOut(accountId, e),
      onFlushed: () => this.deliverIntents(accountId),
      // An inspector must never break the machine it watches: its failures are logged and swallowed.
      inspect: (e) => {
        for (const fn of this.inspectListeners) {
          try {
            fn(accountId, e);
          } catch (err) {
            this.opts.logger?.warn('inspection listener failed', { accountId, error: err instanceof Error ? err.message : String(err) });
          }
        }
      },
      // Errors from timers arrive outside send(): rebuild on the next microtask.
      onError: (err) => {
        this.opts.logger?.error('account actor failed', { accountId, error: err instanceof Error ? err.message : String(err) });
        queueMicrotask(() => {
          const entry = this.accounts.get(accountId);
          if (entry?.handle.failed()) this.rebuild(accountId, 'failed outside send');
        });
      },
      onSaveError: (err) =>
        this.opts.logger?.error('account snapshot save failed', { accountId, error: err instanceof Error ? err.message : String(err) }),
    });
  }

  private rebuild(accountId: number, why: string): void {
    const entry = this.entry(accountId);
    const now = this.opts.clock.now();
    entry.rebuilds = entry.rebuilds.filter((t) => now - t < REBUILD_WINDOW_MS);
    entry.rebuilds.push(now);
    const fromSnapshot = entry.rebuilds.length <= (this.opts.maxRebuilds ?? 3);
    const err = (entry.handle.actor.getSnapshot() as { error?: unknown }).error;
    try {
      entry.handle.stop();
    } catch {
      // a failed actor may refuse to stop cleanly; it is dropped either way
    }
    const error = `${why}: ${err instanceof Error ? err.message : String(err)}`;
    let fault: AccountFault;
    try {
      const handle = this.spawn(accountId, entry.config, fromSnapshot);
      entry.handle = handle;
      fault = { accountId, error, at: now, rebuiltFrom: handle.restored.source };
      this.opts.logger?.error('account actor rebuilt', { ...fault, discarded: handle.restored.discarded });
    } catch (e) {
      // Not even a fresh actor starts: the account is dead until reopened. Loud, but the process and the
      // other accounts keep running.
      this.accounts.delete(accountId);
      this.dead.set(accountId, entry.config);
      fault = { accountId, error: `${error}; rebuild failed: ${e instanceof Error ? e.message : String(e)}`, at: now, rebuiltFrom: 'dead' };
      this.opts.logger?.error('account actor could not be rebuilt; account is NOT supervised', { ...fault });
    }
    this.faults.push(fault);
    for (const fn of this.faultListeners) fn(fault);
  }

  private fanOut(accountId: number, e: AccountEmitted): void {
    const safe = <T>(fn: (x: T) => void, x: T): void => {
      try {
        fn(x);
      } catch (err) {
        this.opts.logger?.error('listener failed', { accountId, event: e.type, error: err instanceof Error ? err.message : String(err) });
      }
    };
    for (const fn of this.emittedListeners) safe(fn, e);
    if (e.type === 'intent') {
      const fact: IntentFact = { accountId, intent: e.intent, rule: e.rule, reason: e.reason, ...(e.numbers ? { numbers: e.numbers } : {}) };
      const pending = this.outbox.get(accountId);
      if (pending) pending.push(fact);
      else this.outbox.set(accountId, [fact]);
    }
    if (e.type === 'lock.set' || e.type === 'lock.released') for (const fn of this.lockListeners) safe(fn, e);
  }

  private deliverIntents(accountId: number): void {
    const batch = this.outbox.get(accountId);
    if (!batch) return;
    this.outbox.delete(accountId);
    for (const fn of this.intentListeners) {
      try {
        fn(accountId, batch);
      } catch (err) {
        this.opts.logger?.error('listener failed', { accountId, event: 'intents', error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}
