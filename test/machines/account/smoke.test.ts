import { afterEach, describe, expect, it, vi } from 'vitest';
import { ct, intents, riskConfig, startAccount } from './fixtures.ts';
import { lockStatus } from '../../../machines/account/index.ts';

afterEach(() => vi.useRealTimers());

describe('smoke', () => {
  it('cooldown locks then unlocks at the deadline by timer', () => {
    vi.useFakeTimers({ now: ct('2026-06-10T10:00') });
    const { actor, emitted, errors } = startAccount(riskConfig());
    const now = Date.now();
    actor.send({ type: 'rule.verdicts', now, verdicts: [{ rule: 'RULE-006', intents: [], message: 'too many', numbers: {}, lock: { kind: 'cooldown', rule: 'RULE-006', reason: 'too many', until: now + 60_000 } }] });
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'locked' });
    vi.advanceTimersByTime(59_999);
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'locked' });
    vi.advanceTimersByTime(1);
    expect(actor.getSnapshot().value).toMatchObject({ lockout: 'unlocked' });
    expect(lockStatus(actor.getSnapshot().context).locked).toBe(false);
    expect(emitted.map((e) => e.type)).toEqual(['session.changed', 'lock.set', 'lock.released']);
    expect(errors).toEqual([]);
    expect(intents(emitted)).toEqual([]);
  });
});
