// Pure reducers of the account machine: (core, event) -> new core + facts to emit. The machine calls them
// from named actions; keeping them plain functions makes the rules easy to read and to test exhaustively.
import { nextReset, tradingDayId, tradingDayStart, type ResetSpec } from '../../src/calendar/tradingDay.ts';
import { holidayAt, nextSessionBoundary, previousSessionClose, sessionStateAt, type SessionConfig, type SessionState } from '../../src/calendar/session.ts';
import type { RiskConfig } from '../../src/config/types.ts';
import type { Verdict } from '../../src/rules/types.ts';
import { forgetInFlight, IN_FLIGHT_MAX_MS, intentOut } from './intents.ts';
import { cancelOwnStop } from './ownOrders.ts';
import { chain, heldLocks, holdsLock, isAccountWide, releaseLocks, setLock, tellLocks, type Step } from './locks.ts';
import { deadlinePassed } from '../lock/lock.machine.ts';
import type { AccountCore, AccountEmitted, AccountEvent, AccountInput, LockEntry, PositionFact, SessionContext } from './types.ts';

const resetSpec = (c: RiskConfig): ResetSpec => ({ resetTime: c.trading_day.reset_time, timezone: c.trading_day.timezone });
const none = (core: AccountCore): Step => ({ core, out: [] });

export function initialCore(input: AccountInput): AccountCore {
  const spec = resetSpec(input.config);
  return {
    accountId: input.accountId,
    config: input.config,
    now: input.now,
    locks: [],
    pendingUnlocks: [],
    // The calendar is not read yet: its first boundary is due at once (the first event reads it).
    session: { phase: 'unknown', windowEnd: null, nextOpen: null, blackoutStart: null, blackoutEnd: null, nextBoundary: input.now },
    tradingDay: {
      id: tradingDayId(input.now, spec),
      lastResetAt: tradingDayStart(input.now, spec),
      nextResetAt: nextReset(input.now, spec),
    },
    positions: {},
    canTrade: null,
    inFlight: [],
    fillWatches: {},
    ownStops: {},
  };
}

// ---- time: reset, session calendar, deadlines -------------------------------------------------------
// The reset and the session boundaries are transitions of the machine (regions tradingDay and session); these
// reducers are their actions, and the guards below say when they are due. Any event carrying a later `now`
// first runs what is due, in a fixed order: reset -> deadlines -> session (account.machine.ts `catchUpFirst`).

/** Whether the trading-day reset is due at `now` (however many were missed, one reset catches up). */
export function resetDue(core: AccountCore, now: number): boolean {
  return now >= core.tradingDay.nextResetAt;
}

/**
 * Whether the session calendar must be read again at `now`: its next boundary passed, or the clock went back
 * before the last reading. Until then nothing in the calendar changes, so the hot path does no calendar math.
 */
export function sessionDue(core: AccountCore, now: number): boolean {
  const s = core.session;
  return (s.nextBoundary !== null && now >= s.nextBoundary) || (s.evaluatedAt != null && now < s.evaluatedAt);
}

/** The trading-day reset (one, however many were missed): until_reset locks hear of it and end; a new day starts. */
export function startNewDay(core: AccountCore, now: number): Step {
  if (!resetDue(core, now)) return none(core);
  const spec = resetSpec(core.config);
  const tradingDay = { id: tradingDayId(now, spec), lastResetAt: tradingDayStart(now, spec), nextResetAt: nextReset(now, spec) };
  const told = tellLocks({ ...core, tradingDay }, (l) => l.kind === 'until_reset', { type: 'tradingDay.reset', lastResetAt: tradingDay.lastResetAt, now });
  return { ...told, out: [{ type: 'tradingDay.reset', accountId: core.accountId, tradingDay: tradingDay.id, at: tradingDay.lastResetAt }] };
}

/** The state of the session region the calendar asks for at `now` (see account.machine.ts). */
export type SessionRegionState = 'disabled' | 'inside' | 'outside' | 'blackout' | 'closed';

let lastReading: { now: number; cfg: SessionConfig; st: SessionState } | null = null;
/** sessionStateAt, remembered for the last (now, config): the boundary's guards and its action ask the same question. */
function calendarAt(now: number, cfg: SessionConfig): SessionState {
  if (lastReading?.now !== now || lastReading.cfg !== cfg) lastReading = { now, cfg, st: sessionStateAt(now, cfg) };
  return lastReading.st;
}

/** Where the calendar stands at `now`: a news blackout first, then the window, a holiday, or simply outside. */
export function sessionStateOf(core: AccountCore, now: number): SessionRegionState {
  const cfg = core.config.rules.session_block_outside;
  if (!cfg.enabled) return 'disabled';
  const st = calendarAt(now, cfg);
  if (st.blackout) return 'blackout';
  if (st.inside) return 'inside';
  return holidayAt(now, cfg, st).closedUntil !== null ? 'closed' : 'outside';
}

/**
 * The session boundary: the calendar read at `now`. Locks until_session on entering "outside" (a hard lock,
 * flattening when flatten_at_end), releases the session lock when a window opens, flattens at a window end
 * slept through, and turns a news blackout into a cooldown (+ flatten). The next boundary goes to context.
 */
export function crossSessionBoundary(core: AccountCore, now: number): Step {
  const cfg = core.config.rules.session_block_outside;
  const prev = core.session;
  if (!cfg.enabled) {
    const session: SessionContext = { phase: 'disabled', windowEnd: null, nextOpen: null, blackoutStart: null, blackoutEnd: null, nextBoundary: null };
    const r = tellLocks({ ...core, session }, (l) => l.kind === 'until_session' && l.rule === 'RULE-009', { type: 'session.opened', now });
    return { ...r, out: prev.phase !== 'disabled' ? [sessionChanged(r.core, now)] : [] };
  }
  const st = calendarAt(now, cfg);
  const phase = st.inside ? 'inside' : 'outside';
  // A new "outside" period: we were not outside, or a whole window opened and closed while we slept.
  const newOutside = phase === 'outside' && (prev.phase !== 'outside' || (prev.nextOpen !== null && prev.nextOpen <= now));
  const windowEnded = prev.phase === 'inside' && prev.windowEnd !== null && prev.windowEnd <= now;
  // Holidays change the state (outside -> closed -> outside) where the window they dropped would start and end.
  const holiday = holidayAt(now, cfg, st);
  const times = [nextSessionBoundary(now, cfg, st), holiday.closedUntil, holiday.nextClosed].filter((t): t is number => t !== null);
  let step: Step = {
    core: {
      ...core,
      session: {
        ...prev,
        phase,
        windowEnd: st.windowEnd,
        nextOpen: st.nextOpen,
        blackoutEnd: st.blackout?.end ?? null,
        nextBoundary: times.length > 0 ? Math.min(...times) : null,
        evaluatedAt: now,
      },
    },
    out: [],
  };
  if (phase === 'inside' || newOutside) {
    // (One whose own deadline, the window's start, passed heard that from the deadline step already.)
    const sessionLock = (l: LockEntry) => l.kind === 'until_session' && l.rule === 'RULE-009' && !deadlinePassed(l, now);
    step = chain(step, (c) => tellLocks(c, sessionLock, { type: 'session.opened', now }));
  }
  if (newOutside) {
    const reason = st.nextOpen !== null ? 'outside the allowed session windows' : 'outside the allowed session windows (no window scheduled)';
    // Catching up after downtime, the lock began when the last window closed (as if we had been awake).
    const closedAt = prev.phase === 'inside' || prev.phase === 'outside' ? previousSessionClose(now, cfg) : null;
    const since = closedAt !== null ? Math.min(closedAt, now) : now;
    step = chain(step, (c) => setLock(c, { kind: 'until_session', rule: 'RULE-009', reason, until: st.nextOpen ?? undefined }, now, { flattenOnSet: cfg.flatten_at_end, since }));
  } else if (windowEnded && cfg.flatten_at_end) {
    // Slept through a window end into the next window: the missed end-of-window flatten still happens.
    step = chain(step, (c) => ({
      core: c,
      out: [intentOut({ type: 'flatten', accountId: c.accountId }, 'RULE-009', 'session window ended (flatten_at_end)')],
    }));
  }
  if (st.blackout && prev.blackoutStart !== st.blackout.start) {
    const b = st.blackout;
    step = chain(step, (c) => {
      const marked = { ...c, session: { ...c.session, blackoutStart: b.start } };
      const r = setLock(marked, { kind: 'cooldown', rule: 'RULE-009', reason: 'news blackout', until: b.end }, now, { flattenOnSet: b.flatten, since: b.start });
      const flattenedBySet = r.out.some((o) => o.type === 'lock.set' && !o.extended);
      if (!b.flatten || flattenedBySet) return r;
      // The cooldown already existed (merged): the blackout's flatten still happens.
      const why = 'news blackout (flatten)';
      return {
        ...r,
        out: [...r.out, intentOut({ type: 'flatten', accountId: c.accountId }, 'RULE-009', why)],
      };
    });
  }
  if (prev.phase !== phase) step = { ...step, out: [...step.out, sessionChanged(step.core, now)] };
  return step;
}

function sessionChanged(core: AccountCore, now: number): AccountEmitted {
  const s = core.session;
  return { type: 'session.changed', accountId: core.accountId, phase: s.phase, windowEnd: s.windowEnd, nextOpen: s.nextOpen, at: now };
}

/**
 * Locks whose deadline or delayed admin unlock is due hear the time now: each has its own timer, but an event
 * may carry a later time than any timer has seen yet (a wall-clock jump, a laptop waking up).
 */
function expireDeadlines(core: AccountCore, now: number): Step {
  return tellLocks(core, (l) => lockDue(core, l, now), { type: 'clock.tick', now });
}

/** Whether a lock's own deadline or its delayed admin unlock is due at `now`. */
function lockDue(core: Pick<AccountCore, 'pendingUnlocks'>, l: LockEntry, now: number): boolean {
  return deadlinePassed(l, now) || core.pendingUnlocks.some((p) => p.lockId === l.id && p.effectiveAt <= now);
}

/**
 * The time-only work every event does before its own (the reset and the calendar are transitions that ran
 * before it, see resetDue/sessionDue): the latest time, due lock deadlines, in-flight entries too old to wait
 * for. Due locks are told when time moves forward; at a time already seen they were told then.
 */
export function advanceTime(core: AccountCore, now: number): Step {
  const current = forgetInFlight({ ...core, now: Math.max(core.now, now) }, (f) => f.at + IN_FLIGHT_MAX_MS <= now);
  return now > core.now ? expireDeadlines(current, now) : none(current);
}

/** The earliest instant the machine must look at the clock again (null: nothing scheduled). */
export function nextDeadline(core: AccountCore): number | null {
  // Lock deadlines and delayed unlocks are not here: every lock child keeps its own timer.
  const times: number[] = [core.tradingDay.nextResetAt];
  if (core.session.nextBoundary !== null) times.push(core.session.nextBoundary);
  return Math.min(...times);
}

/**
 * After a restart: a lock that flattened the account as it began (a hard lock) allows no position at all, so
 * positions still open under it are flattened at once (the flatten may have been cut short by the crash, or a
 * position opened while riskd was down). Cooldowns and seeded locks leave positions held before them alone.
 */
export function onResumed(core: AccountCore): Step {
  const hard = heldLocks(core).find((l) => isAccountWide(l) && l.flattenOnSet);
  if (!hard || Object.keys(core.positions).length === 0) return none(core);
  return { core, out: [intentOut({ type: 'flatten', accountId: core.accountId }, hard.rule, `${hard.rule} lock held after a restart with positions open (${hard.reason})`)] };
}

// ---- facts ------------------------------------------------------------------------------------------

/**
 * The evaluator's findings: locks first (a new hard lock flattens as it begins), then what each breach asks for.
 * RULE-003/013 (until_reset) and RULE-011 (symbol) keep breaching on every event while their lock is held; that
 * lock already acted as it began and its kill switch guards new exposure, so the repeat is not a new decision.
 * Cooldown rules (006/007) fire only on a counted fill and always count: a breach may extend the cooldown.
 */
export function onVerdicts(core: AccountCore, verdicts: Verdict[], now: number): Step {
  let step = none(core);
  const fresh = verdicts.filter((v) => !(v.lock && v.lock.kind !== 'cooldown' && holdsLock(core, v.lock)));
  for (const v of fresh) if (v.lock) step = chain(step, (c) => setLock(c, v.lock!, now));
  const intents = fresh.flatMap((v) => v.intents.map((intent) => intentOut(intent, v.rule, v.message, v.numbers)));
  return { ...step, out: [...step.out, ...intents] };
}

/**
 * Track a position riskd learned of (opened, or re-reported by a reconcile) or its change. Whether it is new
 * exposure to close is the kill switch's question (killSwitch.ts), asked by the machine's lockout and
 * symbolBlocks regions before this runs.
 */
export function trackPosition(core: AccountCore, p: PositionFact): AccountCore {
  const prev = core.positions[p.contractId];
  // A position we already track keeps the instant riskd first saw it.
  const tracked = prev
    ? { ...prev, size: p.size, side: p.side, symbol: p.symbol }
    : { contractId: p.contractId, symbol: p.symbol, size: p.size, side: p.side, openedAt: p.now };
  return { ...core, positions: { ...core.positions, [p.contractId]: tracked } };
}

export function onPositionClosed(core: AccountCore, contractId: string): Step {
  // Its close or reduce has landed: a position opened after this is new exposure, decided anew.
  const settled = forgetInFlight(core, (f) => f.contractId === contractId);
  const { [contractId]: _gone, ...positions } = settled.positions;
  // The stop riskd placed on it would open a new position if it triggered: cancelled.
  return cancelOwnStop({ ...settled, positions }, contractId);
}

export function onCanTrade(core: AccountCore, canTrade: boolean, now: number): Step {
  const next = { ...core, canTrade };
  if (canTrade) return tellLocks(next, (l) => l.kind === 'until_can_trade', { type: 'account.canTrade', canTrade, now });
  if (!core.config.rules.auth_loss_guard.enabled) return none(next);
  return setLock(next, { kind: 'until_can_trade', rule: 'RULE-010', reason: 'the gateway reports canTrade false' }, now);
}

export function onConfigUpdated(core: AccountCore, config: RiskConfig, now: number): Step {
  const spec = resetSpec(config);
  const next: AccountCore = {
    ...core,
    config,
    // The old schedule governed the past, the new one governs the future: the next reset is the new schedule's
    // next one after now (a new time that already passed today waits for tomorrow: locks are held longer,
    // never released early). The current day keeps its id until then.
    tradingDay: { ...core.tradingDay, nextResetAt: nextReset(Math.max(now, core.tradingDay.lastResetAt), spec) },
  };
  const symbols = config.rules.symbol_blocks.enabled ? config.rules.symbol_blocks.symbols : [];
  // The session calendar is read again by a boundary transition right after this (account.machine.ts).
  return tellLocks(next, (l) => l.kind === 'symbol', { type: 'symbols.blocked', symbols, now });
}

export function onAdminUnlock(core: AccountCore, e: Extract<AccountEvent, { type: 'admin.unlock' }>): Step {
  const targets = heldLocks(core).filter((l) => (e.lockId === undefined || l.id === e.lockId) && (e.rule === undefined || l.rule === e.rule));
  const policy = core.config.admin.unlock;
  const base = { type: 'unlock.requested', accountId: core.accountId, by: e.by, at: e.now, lockId: e.lockId ?? null, rule: e.rule ?? null, lockIds: targets.map((l) => l.id) } as const;
  if (targets.length === 0) return { core, out: [{ ...base, outcome: 'no_match', effectiveAt: null }] };
  if (policy === 'never') return { core, out: [{ ...base, outcome: 'refused', effectiveAt: null }] };
  // Each target's machine releases it now (allowed) or at now + delay (delayed; a repeat never postpones it).
  const delayMs = policy === 'allowed' ? 0 : core.config.admin.unlock_delay;
  const ids = new Set(targets.map((l) => l.id));
  const told = tellLocks(core, (l) => ids.has(l.id), { type: 'admin.unlock', by: e.by, delayMs, now: e.now });
  if (policy === 'allowed') return { ...told, out: [{ ...base, outcome: 'released', effectiveAt: e.now }] };
  const effectiveAt = Math.max(
    ...targets.map((l) => core.pendingUnlocks.find((p) => p.lockId === l.id)?.effectiveAt ?? e.now + core.config.admin.unlock_delay),
  );
  return { ...told, out: [{ ...base, outcome: 'scheduled', effectiveAt }] };
}

export { isAccountWide };

/**
 * Take over locks persisted elsewhere (the store's locks table) when no snapshot could be used. They were
 * enforced when they began, so nothing is flattened again; ones a reset or a config change already ended are
 * released at once (audited), deadlines are checked by the usual time step.
 */
export function onSeedLocks(core: AccountCore, locks: LockEntry[], now: number): Step {
  const known = new Set(core.locks.map((l) => l.id));
  const added = locks.filter((l) => !known.has(l.id)).map((l) => ({ ...l, flattenOnSet: false }));
  if (added.length === 0) return none(core);
  const seeded: Step = {
    core: { ...core, locks: [...core.locks, ...added] },
    out: added.map((lock) => ({ type: 'lock.set', accountId: core.accountId, lock, extended: false }) as const),
  };
  const blocked = new Set(core.config.rules.symbol_blocks.enabled ? core.config.rules.symbol_blocks.symbols.map((x) => x.toUpperCase()) : []);
  // Seeds already over are released here, before any lock machine runs for them; the rest get one.
  const isNew = (l: LockEntry) => added.some((a) => a.id === l.id);
  let step = chain(seeded, (c) => releaseLocks(c, (l) => isNew(l) && l.kind === 'until_reset' && l.since < c.tradingDay.lastResetAt, 'trading-day reset', now));
  step = chain(step, (c) => releaseLocks(c, (l) => isNew(l) && l.kind === 'symbol' && !blocked.has(l.symbol ?? ''), 'symbol no longer blocked', now));
  step = chain(step, (c) => releaseLocks(c, (l) => isNew(l) && deadlinePassed(l, now), 'deadline passed', now));
  return chain(step, (c) => advanceTime(c, now));
}
