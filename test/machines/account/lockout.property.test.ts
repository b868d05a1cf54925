// Property test: random sequences of verdicts (cooldowns, until-reset and symbol locks), canTrade, admin unlocks,
// fills (new positions, scaling in) and working orders, time passing (timers firing, clock jumps) and restores
// (persist -> new actor from the snapshot -> system.resumed, as after a kill -9) -> the machine's answer to "is the
// account locked, until when, by what" equals a small reference model after every step (no lock active past its
// release condition, none released early), and the kill switch acts exactly when the reference says: a new
// position or a size increase while a lock forbids it gets a close intent, one held from before a cooldown (its
// fill received no later than the cooldown began) does not; a new working order gets a cancel intent, a stop of
// a held position survives a cooldown but not a flattening lock.
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createActor } from 'xstate';
import { nextReset } from '../../../src/calendar/tradingDay.ts';
import { accountWithClock, lockStatus, type AccountEmitted, type AccountEvent } from '../../../machines/account/index.ts';
import { IN_FLIGHT_MAX_MS } from '../../../machines/account/intents.ts';
import type { RiskConfig } from '../../../src/config/types.ts';
import type { RuleId } from '../../../src/rules/types.ts';
import { CT, ct, riskConfig } from './fixtures.ts';

type Step =
  | { t: 'cooldown'; rule: RuleId; ms: number }
  | { t: 'untilReset'; rule: RuleId }
  | { t: 'canTrade'; v: boolean }
  | { t: 'unlock'; rule: RuleId | null }
  | { t: 'advance'; ms: number } // timers fire on the way
  | { t: 'jump'; ms: number } // wall clock jumps (sleep), then a tick arrives
  | { t: 'symbol' } // RULE-011 blocks RTY
  | { t: 'open'; symbol: 'ES' | 'RTY'; causeBack: number | null } // a fill opens a new position (causeAt = now - causeBack)
  | { t: 'scaleIn'; pick: number; causeBack: number | null } // a fill adds to a held position
  | { t: 'order'; symbol: 'ES' | 'RTY' } // a new entry order starts working
  | { t: 'stop'; pick: number; market: boolean } // an order that only reduces a held position
  | { t: 'restore' }; // kill -9 and restart: persisted snapshot -> new actor -> system.resumed

const ruleArb = fc.constantFrom<RuleId>('RULE-006', 'RULE-007', 'RULE-003', 'RULE-013');
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ t: fc.constant('cooldown' as const), rule: fc.constantFrom<RuleId>('RULE-006', 'RULE-007'), ms: fc.integer({ min: -10_000, max: 3 * 3600_000 }) }),
  fc.record({ t: fc.constant('untilReset' as const), rule: fc.constantFrom<RuleId>('RULE-003', 'RULE-013') }),
  fc.record({ t: fc.constant('canTrade' as const), v: fc.boolean() }),
  fc.record({ t: fc.constant('unlock' as const), rule: fc.option(ruleArb, { nil: null }) }),
  fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4 * 3600_000 }) }),
  fc.record({ t: fc.constant('jump' as const), ms: fc.integer({ min: 0, max: 40 * 3600_000 }) }),
  fc.constant<Step>({ t: 'symbol' }),
  fc.record({ t: fc.constant('open' as const), symbol: fc.constantFrom<'ES' | 'RTY'>('ES', 'RTY'), causeBack: fc.option(fc.integer({ min: -1, max: 2_000 }), { nil: null }) }),
  fc.record({ t: fc.constant('scaleIn' as const), pick: fc.nat(), causeBack: fc.option(fc.integer({ min: -1, max: 2_000 }), { nil: null }) }),
  fc.record({ t: fc.constant('order' as const), symbol: fc.constantFrom<'ES' | 'RTY'>('ES', 'RTY') }),
  fc.record({ t: fc.constant('stop' as const), pick: fc.nat(), market: fc.boolean() }),
  fc.constant<Step>({ t: 'restore' }),
);

const FLATTENS_ON_SET: Record<string, boolean> = { cooldown: false, until_reset: true, until_can_trade: true, symbol: true };

/** The reference: a list of lock instances and pending unlocks, processed in the obvious way. */
class Reference {
  locks: { n: number; kind: string; rule: string; until: number | null; since: number }[] = [];
  /** Closes decided and still in flight (a repeat is not decided again until settled, a restart, or 60 s). */
  closing = new Map<string, number>();
  pending: { n: number; at: number }[] = [];
  nextResetAt: number;
  private seq = 0;
  constructor(private readonly cfg: RiskConfig, now: number) {
    this.nextResetAt = nextReset(now, { resetTime: '17:00', timezone: CT });
  }
  time(now: number): void {
    if (now >= this.nextResetAt) {
      this.drop((l) => l.kind === 'until_reset');
      this.nextResetAt = nextReset(now, { resetTime: '17:00', timezone: CT });
    }
    this.drop((l) => l.kind === 'cooldown' && l.until! <= now);
    const due = new Set(this.pending.filter((p) => p.at <= now).map((p) => p.n));
    this.drop((l) => due.has(l.n));
  }
  drop(pred: (l: Reference['locks'][number]) => boolean): void {
    const gone = new Set(this.locks.filter(pred).map((l) => l.n));
    this.locks = this.locks.filter((l) => !gone.has(l.n));
    this.pending = this.pending.filter((p) => !gone.has(p.n));
  }
  add(kind: string, rule: string, until: number | null, now: number): void {
    const same = this.locks.find((l) => l.kind === kind && l.rule === rule);
    if (same) {
      if (kind === 'cooldown' && until! > same.until!) same.until = until;
      return;
    }
    this.locks.push({ n: this.seq++, kind, rule, until, since: now });
  }
  /** Whether a position change whose fill riskd received at causeAt (undefined: unknown) is closed (`symbol` blocked or not). */
  forbidsExposure(symbol: string, causeAt: number | undefined): boolean {
    return this.locks.some((l) =>
      l.kind === 'symbol' ? symbol === 'RTY' : !(l.kind === 'cooldown' && causeAt !== undefined && causeAt <= l.since));
  }
  /** Whether a working order is cancelled: an entry under any lock (its symbol's, or account-wide); a reducing one only under a flattening lock, never at market. */
  forbidsOrder(symbol: string, reducing: boolean, market: boolean): boolean {
    if (reducing && market) return false;
    return this.locks.some((l) => (l.kind === 'symbol' ? symbol === 'RTY' : !reducing || FLATTENS_ON_SET[l.kind]));
  }
  /** A close decided now for `contractId`: emitted unless the same close is still in flight. */
  close(contractId: string, now: number): boolean {
    const at = this.closing.get(contractId);
    if (at !== undefined && at + IN_FLIGHT_MAX_MS > now) return false;
    this.closing.set(contractId, now);
    return true;
  }
  unlock(rule: string | null, now: number): void {
    const targets = this.locks.filter((l) => rule === null || l.rule === rule);
    if (this.cfg.admin.unlock === 'allowed') this.drop((l) => targets.includes(l));
    if (this.cfg.admin.unlock === 'delayed') {
      for (const l of targets) if (!this.pending.some((p) => p.n === l.n)) this.pending.push({ n: l.n, at: now + this.cfg.admin.unlock_delay });
    }
  }
  status() {
    const wide = this.locks.filter((l) => l.kind !== 'symbol');
    const indefinite = wide.some((l) => l.until === null);
    return {
      locked: wide.length > 0,
      until: wide.length === 0 || indefinite ? null : Math.max(...wide.map((l) => l.until!)),
      by: [...new Set(wide.map((l) => l.rule))].sort(),
      symbols: this.locks.some((l) => l.kind === 'symbol') ? ['RTY'] : [],
    };
  }
}

afterEach(() => vi.useRealTimers());

/** The account as the runtime runs it, restorable: every emitted fact lands in one list across restarts. */
class Daemon {
  readonly emitted: AccountEmitted[] = [];
  readonly errors: unknown[] = [];
  private readonly logic = accountWithClock({ now: () => Date.now() });
  actor;
  private readonly input;
  constructor(cfg: RiskConfig, now: number) {
    this.input = { accountId: 7, config: cfg, now };
    this.actor = this.open(createActor(this.logic, { input: this.input }));
  }
  private open(actor: ReturnType<typeof createActor<ReturnType<typeof accountWithClock>>>) {
    actor.on('*', (e) => this.emitted.push(e as AccountEmitted));
    actor.subscribe({ error: (e) => this.errors.push(e) });
    actor.start();
    actor.send({ type: 'system.resumed', now: Date.now() });
    return actor;
  }
  send(e: AccountEvent): AccountEmitted[] {
    const before = this.emitted.length;
    this.actor.send(e);
    return this.emitted.slice(before);
  }
  /** kill -9 and restart: the persisted snapshot (through JSON, as stored) into a new actor, then system.resumed. */
  restore(): void {
    const persisted = JSON.parse(JSON.stringify(this.actor.getPersistedSnapshot()));
    this.actor.stop();
    const now = Date.now();
    vi.clearAllTimers(); // (also resets the fake clock to its start: put the time back)
    vi.setSystemTime(now);
    this.actor = this.open(createActor(this.logic, { snapshot: persisted, input: this.input }));
  }
}

const closesOf = (out: AccountEmitted[], contractId: string) =>
  out.filter((e) => e.type === 'intent' && e.intent.type === 'close' && e.intent.contractId === contractId).length;
const cancelsOf = (out: AccountEmitted[], orderId: number) =>
  out.filter((e) => e.type === 'intent' && e.intent.type === 'cancel' && e.intent.orderId === orderId).length;

describe('lockout and kill switch vs reference model, with restores', () => {
  it('agree on locked / until / by and on every close and cancel after every step', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), fc.constantFrom<'allowed' | 'delayed' | 'never'>('allowed', 'delayed', 'never'), (steps, policy) => {
        const start = ct('2026-03-06T09:00'); // a Friday before the spring DST switch: resets cross it
        vi.useFakeTimers({ now: start });
        const cfg = riskConfig({ admin: { unlock: policy, unlock_delay: 15 * 60_000 }, rules: { no_stop_loss_grace: { enabled: false, grace: 30_000 } } });
        const daemon = new Daemon(cfg, start);
        const ref = new Reference(cfg, start);
        const positions: { contractId: string; symbol: string; size: number }[] = [];
        let orderId = 0;
        for (const s of steps) {
          const now = Date.now();
          switch (s.t) {
            case 'cooldown':
              ref.time(now);
              if (now + s.ms > now) ref.add('cooldown', s.rule, now + s.ms, now);
              daemon.send({ type: 'rule.verdicts', now, verdicts: [{ rule: s.rule, intents: [], message: 'c', numbers: {}, lock: { kind: 'cooldown', rule: s.rule, reason: 'c', until: now + s.ms } }] });
              break;
            case 'untilReset':
              ref.time(now);
              ref.add('until_reset', s.rule, ref.nextResetAt, now);
              daemon.send({ type: 'rule.verdicts', now, verdicts: [{ rule: s.rule, intents: [], message: 'r', numbers: {}, lock: { kind: 'until_reset', rule: s.rule, reason: 'r' } }] });
              break;
            case 'symbol':
              ref.time(now);
              // As it begins, a symbol lock closes what is open in its symbol (those closes are then in flight).
              if (!ref.locks.some((l) => l.kind === 'symbol')) for (const p of positions.filter((x) => x.symbol === 'RTY')) ref.close(p.contractId, now);
              ref.add('symbol', 'RULE-011', null, now);
              daemon.send({ type: 'rule.verdicts', now, verdicts: [{ rule: 'RULE-011', intents: [], message: 's', numbers: {}, lock: { kind: 'symbol', rule: 'RULE-011', reason: 'RTY blocked', symbol: 'RTY' } }] });
              break;
            case 'canTrade':
              ref.time(now);
              if (s.v) ref.drop((l) => l.kind === 'until_can_trade');
              else ref.add('until_can_trade', 'RULE-010', null, now);
              daemon.send({ type: 'account.canTrade', canTrade: s.v, now });
              break;
            case 'unlock':
              ref.time(now);
              ref.unlock(s.rule, now);
              daemon.send({ type: 'admin.unlock', ...(s.rule ? { rule: s.rule } : {}), now, by: 'prop' });
              break;
            case 'advance':
              vi.advanceTimersByTime(s.ms);
              ref.time(Date.now());
              break;
            case 'jump':
              vi.setSystemTime(now + s.ms); // timers do not fire: a sleep; the ticker catches up
              daemon.send({ type: 'clock.tick', now: Date.now() });
              ref.time(Date.now());
              break;
            case 'restore':
              daemon.restore();
              ref.time(now);
              ref.closing.clear(); // a restart forgets what was in flight
              break;
            case 'open': {
              ref.time(now);
              const p = { contractId: `C${positions.length}`, symbol: s.symbol, size: 1 };
              positions.push(p);
              const causeAt = s.causeBack === null ? undefined : now - s.causeBack;
              const expected = ref.forbidsExposure(p.symbol, causeAt) && ref.close(p.contractId, now);
              const out = daemon.send({ type: 'position.opened', contractId: p.contractId, symbol: p.symbol, size: 1, side: 'long', now, ...(causeAt !== undefined ? { causeAt } : {}) });
              expect(closesOf(out, p.contractId), `${p.symbol} position opened at ${now} (fill at ${causeAt})`).toBe(expected ? 1 : 0);
              break;
            }
            case 'scaleIn': {
              if (positions.length === 0) break;
              ref.time(now);
              const p = positions[s.pick % positions.length]!;
              p.size += 1;
              const causeAt = s.causeBack === null ? undefined : now - s.causeBack;
              const expected = ref.forbidsExposure(p.symbol, causeAt) && ref.close(p.contractId, now);
              const out = daemon.send({ type: 'position.changed', contractId: p.contractId, symbol: p.symbol, size: p.size, side: 'long', now, ...(causeAt !== undefined ? { causeAt } : {}) });
              expect(closesOf(out, p.contractId), `${p.symbol} position scaled in at ${now} (fill at ${causeAt})`).toBe(expected ? 1 : 0);
              break;
            }
            case 'order': {
              ref.time(now);
              const id = ++orderId;
              const out = daemon.send({ type: 'order.working', orderId: id, contractId: `O${id}`, symbol: s.symbol, side: 0, size: 1, now });
              expect(cancelsOf(out, id), `${s.symbol} entry order`).toBe(ref.forbidsOrder(s.symbol, false, false) ? 1 : 0);
              break;
            }
            case 'stop': {
              if (positions.length === 0) break;
              ref.time(now);
              const p = positions[s.pick % positions.length]!;
              const id = ++orderId;
              const out = daemon.send({ type: 'order.working', orderId: id, contractId: p.contractId, symbol: p.symbol, side: 1, size: 1, market: s.market, now });
              expect(cancelsOf(out, id), `${s.market ? 'market' : 'stop'} order reducing ${p.symbol}`).toBe(ref.forbidsOrder(p.symbol, true, s.market) ? 1 : 0);
              break;
            }
          }
          const got = lockStatus(daemon.actor.getSnapshot().context);
          expect(got).toEqual(ref.status());
          expect(daemon.actor.getSnapshot().value).toMatchObject({
            lockout: got.locked ? 'locked' : 'unlocked',
            symbolBlocks: got.symbols.length > 0 ? 'blocking' : 'clear',
          });
        }
        expect(daemon.errors).toEqual([]);
        daemon.actor.stop();
        vi.useRealTimers();
      }),
      { numRuns: 150 },
    );
  });
});
