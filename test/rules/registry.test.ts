// The rule registry is the one list of rules: the evaluator's per-trigger lists, the settling list, the config
// ids and the dashboard labels all come from it.
import { describe, expect, it } from 'vitest';
import { EVENT_RULES, RULE_IDS, RULE_LABELS, RULES, SETTLING_RULES } from '../../src/rules/registry.ts';
import { RULE_RUNNERS } from '../../src/rules/evaluate.ts';
import { RULE_IDS as CONFIG_RULE_IDS } from '../../src/config/schema.ts';

describe('rule registry', () => {
  it('lists the 13 rules once, in id order, each with its config key and label', () => {
    const ids = Object.values(RULES).map((r) => r.id);
    expect(ids).toEqual(Array.from({ length: 13 }, (_, i) => `RULE-${String(i + 1).padStart(3, '0')}`));
    expect(RULE_IDS.max_contracts).toBe('RULE-001');
    expect(CONFIG_RULE_IDS).toBe(RULE_IDS);
    expect(RULE_LABELS.symbol_blocks).toBe('blocked syms');
  });

  it('the evaluator runs exactly the rules it owns; the machines own 008/009/010', () => {
    const evaluator = Object.values(RULES).filter((r) => r.owner === 'evaluator').map((r) => r.id);
    expect(Object.keys(RULE_RUNNERS).sort()).toEqual(evaluator);
    expect(Object.values(RULES).filter((r) => r.owner === 'machine').map((r) => r.id)).toEqual(['RULE-008', 'RULE-009', 'RULE-010']);
  });

  it('derives the per-trigger lists: quotes run 004/005/012; fills run every evaluator rule', () => {
    expect(EVENT_RULES.quote).toEqual(['RULE-004', 'RULE-005', 'RULE-012']);
    expect(EVENT_RULES.fill).toEqual(['RULE-001', 'RULE-002', 'RULE-003', 'RULE-004', 'RULE-005', 'RULE-006', 'RULE-007', 'RULE-011', 'RULE-012', 'RULE-013']);
    expect(EVENT_RULES.position).not.toContain('RULE-006'); // cooldowns judge a fill, nothing else
  });

  it('while a REST snapshot settles only the fill-dated cooldowns run, and only on fills', () => {
    expect(SETTLING_RULES.fill).toEqual(['RULE-006', 'RULE-007']);
    for (const kind of ['position', 'order', 'quote', 'account', 'clock'] as const) expect(SETTLING_RULES[kind]).toEqual([]);
  });
});
