// The resolved configuration that the rest of riskd reads, after loading, validation and normalisation:
// durations are milliseconds, money is a positive magnitude, times are "HH:MM", zones are valid IANA names,
// symbols are upper-case trader tickers. Every rule block is fully populated with defaults (rules.md);
// a rule missing from risk.yaml is present here with enabled: false.
// These types are DERIVED from the zod schemas in schema.ts (the source of truth); test/config/types.test.ts
// pins them to the shape others code against.
import type { z } from 'zod';
import type { accountsConfigSchema, riskConfigSchema } from './schema.ts';
import type { RuleKey } from '../rules/registry.ts';

export type RiskConfig = z.output<typeof riskConfigSchema>;
export type RiskRules = RiskConfig['rules'];

/** Type check: the rule registry (src/rules/registry.ts) has one entry per rule block of the config, and no other. */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type MustHold<T extends true> = T;
export type RegistryMatchesConfig = MustHold<SameKeys<RuleKey, keyof RiskRules>>;
export type AccountsConfig = z.output<typeof accountsConfigSchema>;

/** mon..sun; a session window's `days` names the day it starts. */
export type Weekday = RiskRules['session_block_outside']['windows'][number]['days'][number];

/** { days, start "HH:MM", end "HH:MM" }; an end earlier than start runs past midnight. */
export type SessionWindow = RiskRules['session_block_outside']['windows'][number];

/** { start, end (epoch ms), flatten }. */
export type Blackout = RiskRules['session_block_outside']['blackouts'][number];

/** A cooldown is a duration in ms, or the literal until_reset (lock until the next trading-day reset). */
export type CooldownSpec = RiskRules['trade_frequency_limit']['per_minute']['cooldown'];

/** One webhook target of accounts.yaml `notifications.webhooks`. */
export type WebhookConfig = NonNullable<AccountsConfig['notifications']>['webhooks'][number];

/** What `loadConfig` returns: the shared risk config plus the effective config per named account. */
export interface LoadedConfig {
  risk: RiskConfig;
  accounts: AccountsConfig;
  /** Effective risk config per account name (overrides merged key by key). */
  perAccount: Record<string, RiskConfig>;
  /** Non-fatal notices (e.g. negative money read as magnitude), each naming file, line and key. */
  notices: string[];
}
