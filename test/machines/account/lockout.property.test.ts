// Property test: random sequences of lock / canTrade / admin unlock / time passing (timers firing, clock jumps)
// -> the machine's answer to "is the account locked, until when, by what" equals a small reference model.
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { nextReset } from '../../../src/calendar/tradingDay.ts';
import { lockStatus } from '../../../machines/account/index.ts';
import type { RiskConfig } from '../../../src/config/types.ts';
import type { RuleId } from '../../../src/rules/types.ts';
import { CT, ct, riskConfig, startAccount } from './fixtures.ts';

type Step =
  | { t: 'cooldown'; rule: RuleId; ms: number }
  | { t: 'untilReset'; rule: RuleId }
  | { t: 'canTrade'; v: boolean }
  | { t: 'unlock'; rule: RuleId | null }
  | { t: 'advance'; ms: number } // timers fire on the way
  | { t: 'jump'; ms: number }; // wall clock jumps (sleep), then a tick arrives

const ruleArb = fc.constantFrom<RuleId>('RULE-006', 'RULE-007', 'RULE-003', 'RULE-013');
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ t: fc.constant('cooldown' as const), rule: fc.constantFrom<RuleId>('RULE-006', 'RULE-007'), ms: fc.integer({ min: -10_000, max: 3 * 3600_000 }) }),
  fc.record({ t: fc.constant('untilReset' as const), rule: fc.constantFrom<RuleId>('RULE-003', 'RULE-013') }),
  fc.record({ t: fc.constant('canTrade' as const), v: fc.boolean() }),
  fc.record({ t: fc.constant('unlock' as const), rule: fc.option(ruleArb, { nil: null }) }),
  fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4 * 3600_000 }) }),
  fc.record({ t: fc.constant('jump' as const), ms: fc.integer({ min: 0, max: 40 * 3600_000 }) }),
);

/** The reference: a list of lock instances and pending unlocks, processed in the obvious way. */
class Reference {
  locks: { n: number; kind: string; rule: string; until: number | null }[] = [];
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
  add(kind: string, rule: string, until: number | null): void {
    const same = this.locks.find((l) => l.kind === kind && l.rule === rule);
    if (same) {
      if (kind === 'cooldown' && until! > same.until!) same.until = until;
      return;
    }
    this.locks.push({ n: this.seq++, kind, rule, until });
  }
  unlock(rule: string | null, now: number): void {
    const targets = this.locks.filter((l) => rule === null || l.rule === rule);
    if (this.cfg.admin.unlock === 'allowed') this.drop((l) => targets.includes(l));
    if (this.cfg.admin.unlock === 'delayed') {
      for (const l of targets) if (!this.pending.some((p) => p.n === l.n)) this.pending.push({ n: l.n, at: now + this.cfg.admin.unlock_delay });
    }
  }
  status() {
    const indefinite = this.locks.some((l) => l.until === null);
    return {
      locked: this.locks.length > 0,
      until: this.locks.length === 0 || indefinite ? null : Math.max(...this.locks.map((l) => l.until!)),
      by: [...new Set(this.locks.map((l) => l.rule))].sort(),
      symbols: [],
    };
  }
}

afterEach(() => vi.useRealTimers());

describe('lockout region vs reference model', () => {
  it('agrees on locked / until / by after every step', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), fc.constantFrom<'allowed' | 'delayed' | 'never'>('allowed', 'delayed', 'never'), (steps, policy) => {
        const start = ct('2026-03-06T09:00'); // a Friday before the spring DST switch: resets cross it
        vi.useFakeTimers({ now: start });
        const cfg = riskConfig({ admin: { unlock: policy, unlock_delay: 15 * 60_000 } });
        const { actor, errors } = startAccount(cfg, 7, start);
        const ref = new Reference(cfg, start);
        for (const s of steps) {
          const now = Date.now();
          switch (s.t) {
            case 'cooldown':
              ref.time(now);
              if (now + s.ms > now) ref.add('cooldown', s.rule, now + s.ms);
              actor.send({ type: 'rule.verdicts', now, verdicts: [{ rule: s.rule, intents: [], message: 'c', numbers: {}, lock: { kind: 'cooldown', rule: s.rule, reason: 'c', until: now + s.ms } }] });
              break;
            case 'untilReset':
              ref.time(now);
              ref.add('until_reset', s.rule, ref.nextResetAt);
              actor.send({ type: 'rule.verdicts', now, verdicts: [{ rule: s.rule, intents: [], message: 'r', numbers: {}, lock: { kind: 'until_reset', rule: s.rule, reason: 'r' } }] });
              break;
            case 'canTrade':
              ref.time(now);
              if (s.v) ref.drop((l) => l.kind === 'until_can_trade');
              else ref.add('until_can_trade', 'RULE-010', null);
              actor.send({ type: 'account.canTrade', canTrade: s.v, now });
              break;
            case 'unlock':
              ref.time(now);
              ref.unlock(s.rule, now);
              actor.send({ type: 'admin.unlock', ...(s.rule ? { rule: s.rule } : {}), now, by: 'prop' });
              break;
            case 'advance':
              vi.advanceTimersByTime(s.ms);
              ref.time(Date.now());
              break;
            case 'jump':
              vi.setSystemTime(now + s.ms); // timers do not fire: a sleep; the ticker catches up
              actor.send({ type: 'clock.tick', now: Date.now() });
              ref.time(Date.now());
              break;
          }
          const got = lockStatus(actor.getSnapshot().context);
          expect(got).toEqual(ref.status());
          expect(actor.getSnapshot().value).toMatchObject({ lockout: got.locked ? 'locked' : 'unlocked' });
        }
        expect(errors).toEqual([]);
        actor.stop();
        vi.useRealTimers();
      }),
      { numRuns: 150 },
    );
  });
});
