// "Did you mean" for misspelt config keys, rule names and time zones.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { closest } from '../../src/config/didYouMean.ts';
import { parseRiskConfig } from '../../src/config/index.ts';
import { parseRule } from '../../src/cli/options.ts';

const problems = (input: unknown): string => {
  try {
    parseRiskConfig(input);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('closest', () => {
  it('finds a typo, ignores case, and suggests nothing far away', () => {
    expect(closest('limt', ['enabled', 'limit', 'action'])).toEqual(['limit']);
    expect(closest('LIMIT', ['limit'])).toEqual([]); // the same name is not a suggestion
    expect(closest('Americ/Chicago', ['America/Chicago', 'America/Denver'])).toEqual(['America/Chicago']);
    expect(closest('zzzzzz', ['enabled', 'limit', 'action'])).toEqual([]);
  });
});

describe('config errors suggest the name meant', () => {
  it('a misspelt key, rule key or time zone', () => {
    expect(problems({ rules: { max_contracts: { enabled: true, limt: 3 } } })).toMatch(/did you mean "limit"\? known keys: enabled, limit, action/);
    expect(problems({ rules: { daily_realized_los: { enabled: true } } })).toMatch(/did you mean "daily_realized_loss"\?/);
    expect(problems({ trading_day: { timezone: 'America/Chicgo' } })).toMatch(/got "America\/Chicgo" \(did you mean "America\/Chicago"\?\)/);
    expect(problems({ rules: { max_contracts: { enabled: true, qqqqqqq: 1 } } })).not.toContain('did you mean');
  });
});

describe('rule names on the command line', () => {
  it('accepts RULE-003, 003, 3 and the rule key; a typo names the closest rule', () => {
    for (const v of ['RULE-003', 'rule-003', '003', '3', 'daily_realized_loss']) expect(parseRule(v)).toBe('RULE-003');
    expect(() => parseRule('daily_realised_loss')).toThrow(InvalidArgumentError);
    expect(() => parseRule('daily_realised_loss')).toThrow(/Did you mean RULE-003 \(daily_realized_loss\)\?/);
    expect(() => parseRule('RULE-099')).toThrow(/unknown rule "RULE-099"/);
  });
});
