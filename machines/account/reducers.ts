// Pure reducers of the account machine: (core, event) -> new core + facts to emit. The machine calls them
// from named actions; keeping them plain functions makes the rules easy to read and to test exhaustively.
import { nextReset, tradingDayId, tradingDayStart, type ResetSpec } from '../../src/calendar/tradingDay.ts';
import { nextSessionBoundary, previousSessionClose, sessionStateAt } from '../../src/calendar/session.ts';
import type { RiskConfig } from '../../src/config/types.ts';
import type { Verdict } from '../../src/rules/types.ts';
import { forgetInFlight, IN_FLIGHT_MAX_MS, intentOut } from './intents.ts';
import {
  blockingLock,
  chain,
  holdsLock,
  isAccountWide,
  releaseLocks,
  setLock,
  symbolLock,
  type Step,
} from './locks.ts';
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
    session: { phase: 'unknown', windowEnd: null, nextOpen: null, blackoutStart: null, blackoutEnd: null, nextBoundary: null },
    tradingDay: {
      id: tradingDayId(input.now, spec),
      lastResetAt: tradingDayStart(input.now, spec),
      nextResetAt: nextReset(input.now, spec),
    },
    positions: {},
    canTrade: null,
    inFlight: [],
  };
}

// ---- time: reset, session calendar, deadlines -------------------------------------------------------

/** The trading-day reset (one, however many were missed): releases until_reset locks. */
function catchUpReset(core: AccountCore, now: number): Step {
  if (now < core.tradingDay.nextResetAt) return none(core);
  const spec = resetSpec(core.config);
  const tradingDay = { id: tradingDayId(now, spec), lastResetAt: tradingDayStart(now, spec), nextResetAt: nextReset(now, spec) };
  const released = releaseLocks({ ...core, tradingDay }, (l) => l.kind === 'until_reset', 'trading-day reset', now);
  return {
    core: released.core,
    out: [...released.out, { type: 'tradingDay.reset', accountId: core.accountId, tradingDay: tradingDay.id, at: tradingDay.lastResetAt }],
  };
}

/** Where the calendar stands; locks until_session on entering "outside", flattens at a window end if configured. */
export function evaluateSession(core: AccountCore, now: number, force = false): Step {
  const cfg = core.config.rules.session_block_outside;
  const prev = core.session;
  // Nothing in the calendar changes before the next boundary (unless the clock went backwards): skip the
  // calendar math on the hot path of every event.
  const settled = prev.phase === 'inside' || prev.phase === 'outside';
  if (!force && cfg.enabled && settled && prev.nextBoundary !== null && now < prev.nextBoundary && prev.evaluatedAt != null && now >= prev.evaluatedAt) {
    return none(core);
  }
  if (!cfg.enabled) {
    const session: SessionContext = { phase: 'disabled', windowEnd: null, nextOpen: null, blackoutStart: null, blackoutEnd: null, nextBoundary: null };
    const r = releaseLocks({ ...core, session }, (l) => l.kind === 'until_session' && l.rule === 'RULE-009', 'session rule disabled', now);
    return { core: r.core, out: prev.phase !== 'disabled' ? [...r.out, sessionChanged(r.core, now)] : r.out };
  }
  const st = sessionStateAt(now, cfg);
  const phase = st.inside ? 'inside' : 'outside';
  // A new "outside" period: we were not outside, or a whole window opened and closed while we slept.
  const newOutside = phase === 'outside' && (prev.phase !== 'outside' || (prev.nextOpen !== null && prev.nextOpen <= now));
  const windowEnded = prev.phase === 'inside' && prev.windowEnd !== null && prev.windowEnd <= now;
  let step: Step = {
    core: {
      ...core,
      session: {
        ...prev,
        phase,
        windowEnd: st.windowEnd,
        nextOpen: st.nextOpen,
        blackoutEnd: st.blackout?.end ?? null,
        nextBoundary: nextSessionBoundary(now, cfg, st),
        evaluatedAt: now,
      },
    },
    out: [],
  };
  if (phase === 'inside' || newOutside) {
    step = chain(step, (c) => releaseLocks(c, (l) => l.kind === 'until_session' && l.rule === 'RULE-009', 'session window opened', now));
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
        core: r.core,
        out: [...r.out, intentOut({ type: 'flatten', accountId: c.accountId }, 'RULE-009', why)],
      };
    });
  }
  if (prev.phase !== phase) step = { core: step.core, out: [...step.out, sessionChanged(step.core, now)] };
  return step;
}

function sessionChanged(core: AccountCore, now: number): AccountEmitted {
  const s = core.session;
  return { type: 'session.changed', accountId: core.accountId, phase: s.phase, windowEnd: s.windowEnd, nextOpen: s.nextOpen, at: now };
}

/** Cooldowns and until_session deadlines that passed; admin unlocks whose delay ran out. */
function expireDeadlines(core: AccountCore, now: number): Step {
  const expired = releaseLocks(
    core,
    (l) => (l.kind === 'cooldown' || l.kind === 'until_session') && l.until !== null && l.until <= now,
    'deadline passed',
    now,
  );
  const due = new Set(expired.core.pendingUnlocks.filter((p) => p.effectiveAt <= now).map((p) => p.lockId));
  if (due.size === 0) return expired;
  return chain(expired, (c) => releaseLocks(c, (l) => due.has(l.id), 'admin unlock (after delay)', now));
}

/** Everything that depends only on the passage of time, in a fixed order. */
export function advanceTime(core: AccountCore, now: number): Step {
  const current = forgetInFlight({ ...core, now: Math.max(core.now, now) }, (f) => f.at + IN_FLIGHT_MAX_MS <= now);
  let step = chain(none(current), (c) => catchUpReset(c, now));
  step = chain(step, (c) => expireDeadlines(c, now));
  step = chain(step, (c) => evaluateSession(c, now));
  return step;
}

/** The earliest instant the machine must look at the clock again (null: nothing scheduled). */
export function nextDeadline(core: AccountCore): number | null {
  const times: number[] = [core.tradingDay.nextResetAt];
  for (const l of core.locks) if (l.until !== null && (l.kind === 'cooldown' || l.kind === 'until_session')) times.push(l.until);
  for (const p of core.pendingUnlocks) times.push(p.effectiveAt);
  if (core.session.nextBoundary !== null) times.push(core.session.nextBoundary);
  return Math.min(...times);
}

/**
 * After a restart: a lock that flattened the account as it began (a hard lock) allows no position at all, so
 * positions still open under it are flattened at once (the flatten may have been cut short by the crash, or a
 * position opened while riskd was down). Cooldowns and seeded locks leave positions held before them alone.
 */
export function onResumed(core: AccountCore): Step {
  const hard = core.locks.find((l) => isAccountWide(l) && l.flattenOnSet);
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
  return { core: step.core, out: [...step.out, ...intents] };
}

/** Kill switch for new exposure: the lock that forbids a new position or order in `symbol`, if any (also asked by the replay). */
export function forbidding(core: AccountCore, symbol: string) {
  return blockingLock(core) ?? symbolLock(core, symbol);
}

/**
 * The lock a position change breaks, if any: a cooldown forbids only exposure from fills riskd received after
 * it began. One clock: `causeAt` and `since` are both riskd's (receive time, event time), never a gateway stamp.
 */
function forbiddingChange(core: AccountCore, p: PositionFact) {
  const lock = forbidding(core, p.symbol);
  if (lock && lock.kind === 'cooldown' && p.causeAt !== undefined && p.causeAt <= lock.since) return undefined;
  return lock;
}

export function onPositionOpened(core: AccountCore, p: PositionFact): Step {
  // A position we already track (e.g. re-reported by a reconcile after a restart) is not new exposure.
  if (core.positions[p.contractId]) return onPositionChanged(core, p);
  const tracked = { contractId: p.contractId, symbol: p.symbol, size: p.size, side: p.side, openedAt: p.now };
  const next = { ...core, positions: { ...core.positions, [p.contractId]: tracked } };
  const lock = forbiddingChange(core, p);
  if (!lock) return none(next);
  return {
    core: next,
    out: [intentOut({ type: 'close', accountId: core.accountId, contractId: p.contractId }, lock.rule, `new position while locked: ${lock.reason}`)],
  };
}

export function onPositionChanged(core: AccountCore, p: PositionFact): Step {
  const prev = core.positions[p.contractId];
  if (!prev) return onPositionOpened(core, p);
  const next = { ...core, positions: { ...core.positions, [p.contractId]: { ...prev, size: p.size, side: p.side, symbol: p.symbol } } };
  // Adding to (or reversing) a position while locked is new exposure: close it.
  const added = p.side !== prev.side || p.size > prev.size;
  const lock = added ? forbiddingChange(core, p) : undefined;
  if (!lock) return none(next);
  return {
    core: next,
    out: [intentOut({ type: 'close', accountId: core.accountId, contractId: p.contractId }, lock.rule, `position increased while locked: ${lock.reason}`)],
  };
}

export function onPositionClosed(core: AccountCore, contractId: string): Step {
  // Its close or reduce has landed: a position opened after this is new exposure, decided anew.
  const settled = forgetInFlight(core, (f) => f.contractId === contractId);
  if (!core.positions[contractId]) return none(settled);
  const { [contractId]: _gone, ...rest } = core.positions;
  return none({ ...settled, positions: rest });
}

export function onOrderWorking(core: AccountCore, e: Extract<AccountEvent, { type: 'order.working' }>): Step {
  const lock = forbidding(core, e.symbol);
  if (!lock) return none(core);
  // During a cooldown (or a non-flattening lock) an order that only reduces a held position may stay.
  const held = core.positions[e.contractId];
  const reducesOnly =
    held !== undefined && e.side !== undefined && e.size !== undefined && e.size <= held.size &&
    ((held.side === 'long' && e.side === 1) || (held.side === 'short' && e.side === 0));
  if (reducesOnly && lock.kind !== 'symbol' && !lock.flattenOnSet) return none(core);
  // A market order that only reduces is a close in progress (riskd's own closeContract among them: the venue
  // accepts it and fills it moments later); cancelling it would keep the exposure the lock is removing.
  if (reducesOnly && e.market === true) return none(core);
  return {
    core,
    out: [intentOut({ type: 'cancel', accountId: core.accountId, orderId: e.orderId }, lock.rule, `new order while locked: ${lock.reason}`)],
  };
}

export function onCanTrade(core: AccountCore, canTrade: boolean, now: number): Step {
  const next = { ...core, canTrade };
  if (canTrade) return releaseLocks(next, (l) => l.kind === 'until_can_trade', 'canTrade true', now);
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
  const blocked = new Set(config.rules.symbol_blocks.enabled ? config.rules.symbol_blocks.symbols.map((s) => s.toUpperCase()) : []);
  let step = releaseLocks(next, (l) => l.kind === 'symbol' && !blocked.has(l.symbol ?? ''), 'symbol no longer blocked', now);
  step = chain(step, (c) => evaluateSession(c, now, true));
  return step;
}

export function onAdminUnlock(core: AccountCore, e: Extract<AccountEvent, { type: 'admin.unlock' }>): Step {
  const targets = core.locks.filter((l) => (e.lockId === undefined || l.id === e.lockId) && (e.rule === undefined || l.rule === e.rule));
  const policy = core.config.admin.unlock;
  const base = { type: 'unlock.requested', accountId: core.accountId, by: e.by, at: e.now, lockId: e.lockId ?? null, rule: e.rule ?? null, lockIds: targets.map((l) => l.id) } as const;
  if (targets.length === 0) return { core, out: [{ ...base, outcome: 'no_match', effectiveAt: null }] };
  if (policy === 'never') return { core, out: [{ ...base, outcome: 'refused', effectiveAt: null }] };
  if (policy === 'allowed') {
    const r = releaseLocks(core, (l) => targets.includes(l), `admin unlock by ${e.by}`, e.now);
    return { core: r.core, out: [{ ...base, outcome: 'released', effectiveAt: e.now }, ...r.out] };
  }
  // delayed: a repeated request never moves an earlier effective time later.
  const effectiveAt = e.now + core.config.admin.unlock_delay;
  const pending = core.pendingUnlocks.filter((p) => !targets.some((l) => l.id === p.lockId));
  const kept = core.pendingUnlocks.filter((p) => targets.some((l) => l.id === p.lockId));
  const added = targets
    .filter((l) => !kept.some((p) => p.lockId === l.id))
    .map((l) => ({ lockId: l.id, by: e.by, requestedAt: e.now, effectiveAt }));
  return {
    core: { ...core, pendingUnlocks: [...pending, ...kept, ...added] },
    out: [{ ...base, outcome: 'scheduled', effectiveAt: Math.max(...[...kept, ...added].map((p) => p.effectiveAt)) }],
  };
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
  let step = chain(seeded, (c) => releaseLocks(c, (l) => l.kind === 'until_reset' && l.since < c.tradingDay.lastResetAt, 'trading-day reset', now));
  step = chain(step, (c) => releaseLocks(c, (l) => l.kind === 'symbol' && !blocked.has(l.symbol ?? ''), 'symbol no longer blocked', now));
  return chain(step, (c) => advanceTime(c, now));
}
