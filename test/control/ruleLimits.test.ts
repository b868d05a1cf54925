// The limits in force as the status snapshot carries them: used vs limit per enabled rule, from the daemon's
// effective configuration.
import { describe, expect, it } from 'vitest';
import { parseRiskConfig } from '../../src/config/index.ts';
import { ruleLimits, type LimitFacts } from '../../src/control/ruleLimits.ts';

const NOW = Date.UTC(2026, 10, 24, 15, 0); // 09:00 CT
const RISK = parseRiskConfig({
  rules: {
    max_contracts: { enabled: true, limit: 5 },
    daily_realized_loss: { enabled: true, limit: 500 },
    daily_unrealized_loss: { enabled: true, limit: 300, scope: 'total', respect_realized_budget: false },
    trade_frequency_limit: { enabled: true },
    cooldown_after_loss: { enabled: true },
    session_block_outside: { enabled: true, windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:30', end: '15:05' }] },
    auth_loss_guard: { enabled: true },
  },
});

const facts = (over: Partial<LimitFacts> = {}): LimitFacts => ({
  openContracts: 6,
  positions: [{ symbol: 'MNQ', size: 6, unrealized: -35.5 }],
  realized: -650,
  unrealized: -35.5,
  entriesToday: 15,
  consecutiveLosses: 3,
  canTrade: true,
  session: { phase: 'inside', windowEnd: NOW + 6 * 3_600_000 + 300_000, nextOpen: null, blackoutEnd: null },
  locks: [{ rule: 'RULE-007' }],
  ...over,
});

describe('ruleLimits', () => {
  it('used vs limit per enabled rule, in rule order; breached is above 1', () => {
    const g = ruleLimits(facts(), RISK, NOW);
    const by = (id: string) => g.find((x) => x.rule === id)!;
    expect(g.map((x) => x.rule)).toEqual(['RULE-001', 'RULE-003', 'RULE-004', 'RULE-006', 'RULE-007', 'RULE-009', 'RULE-010']);
    expect(by('RULE-001')).toMatchObject({ key: 'max_contracts', used: 6, limit: 5, unit: 'contracts', ratio: 1.2, text: '6 of 5' });
    expect(by('RULE-003')).toMatchObject({ used: 650, limit: 500, unit: 'usd', ratio: 1.3, text: '$650.00 of $500' });
    expect(by('RULE-004')).toMatchObject({ used: 35.5, limit: 300, ratio: 35.5 / 300 });
    expect(by('RULE-006')).toMatchObject({ used: 15, limit: 30, unit: 'entries', ratio: 0.5 });
    expect(by('RULE-007')).toMatchObject({ used: 3, limit: 3, ratio: 1, locked: true });
    expect(by('RULE-009')).toMatchObject({ used: null, limit: null, ratio: null, text: 'open until 15:05 CT', alarm: false, until: NOW + 6 * 3_600_000 + 300_000 });
    expect(by('RULE-010')).toMatchObject({ text: 'broker allows trading', alarm: false });
  });

  it('unknown figures (daemon down, no quotes) keep the limit and say so', () => {
    const g = ruleLimits(facts({ realized: null, unrealized: null, positions: [], entriesToday: null, consecutiveLosses: null, canTrade: null, session: null }), RISK, NOW);
    const by = (id: string) => g.find((x) => x.rule === id)!;
    expect(by('RULE-003')).toMatchObject({ used: null, limit: 500, ratio: null, text: 'limit $500' });
    expect(by('RULE-004')).toMatchObject({ used: null, limit: 300, ratio: null });
    expect(by('RULE-006')).toMatchObject({ used: null, limit: 30, text: 'limit 30 a day' });
  });

  it('a zero limit is fully used by anything, and the result survives JSON (no Infinity)', () => {
    const zero = parseRiskConfig({ rules: { max_contracts: { enabled: true, limit: 0 } } });
    const [g] = ruleLimits(facts(), zero, NOW);
    expect(g).toMatchObject({ rule: 'RULE-001', ratio: 1 });
    expect(JSON.parse(JSON.stringify(g))).toEqual(g);
  });
});
