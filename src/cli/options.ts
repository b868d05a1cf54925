// Parsers for command-line option values; a bad value is a usage error (exit 2) naming the option.
import { InvalidArgumentError } from 'commander';
import { RULE_IDS } from '../config/schema.ts';
import { closest } from '../config/didYouMean.ts';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return n;
}

export function parseInteger(value: string): number {
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a whole number.');
  }
  return Number(value);
}

/**
 * A rule as the trader may write it: RULE-003, 003, 3, or its risk.yaml key (daily_realized_loss). A misspelt
 * one is a usage error with the closest rule.
 */
export function parseRule(value: string): string {
  const v = value.trim();
  const num = /^(?:rule-?)?(\d{1,3})$/i.exec(v);
  const ids = Object.values(RULE_IDS) as string[];
  if (num) {
    const id = `RULE-${num[1]!.padStart(3, '0')}`;
    if (ids.includes(id)) return id;
  }
  const byKey = (RULE_IDS as Record<string, string>)[v.toLowerCase()];
  if (byKey) return byKey;
  const [near] = closest(v, [...ids, ...Object.keys(RULE_IDS)]);
  const hint = near === undefined ? '' : ` Did you mean ${(RULE_IDS as Record<string, string>)[near] ?? near}${near.startsWith('RULE-') ? '' : ` (${near})`}?`;
  throw new InvalidArgumentError(`unknown rule "${value}": expected RULE-001..RULE-013 or a rule key such as daily_realized_loss.${hint}`);
}
