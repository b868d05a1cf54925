// Pins the zod-derived config types to the hand-written contract others coded against (the original
// src/config/types.ts). If a schema change alters the resolved shape, this fails to type-check.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  AccountsConfig,
  Blackout,
  CooldownSpec,
  RiskConfig,
  RiskRules,
  SessionWindow,
  Weekday,
} from '../../src/config/types.ts';

namespace Contract {
  export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
  export interface SessionWindow { days: Weekday[]; start: string; end: string }
  export interface Blackout { start: number; end: number; flatten: boolean }
  export type CooldownSpec = number | 'until_reset';
  export interface RiskRules {
    max_contracts: { enabled: boolean; limit: number; action: 'reduce_to_limit' | 'close_all' };
    max_contracts_per_instrument: {
      enabled: boolean;
      limits: Record<string, number>;
      default_limit: number;
      action: 'reduce_to_limit' | 'close_position';
    };
    daily_realized_loss: { enabled: boolean; limit: number; include_fees: boolean };
    daily_unrealized_loss: {
      enabled: boolean;
      limit: number;
      scope: 'per_position' | 'total';
      respect_realized_budget: boolean;
    };
    max_unrealized_profit: { enabled: boolean; target: number; scope: 'per_position' | 'total' };
    trade_frequency_limit: {
      enabled: boolean;
      count: 'entries' | 'fills';
      per_minute: { limit: number; cooldown: CooldownSpec };
      per_hour: { limit: number; cooldown: CooldownSpec };
      per_day: { limit: number; cooldown: CooldownSpec };
    };
    cooldown_after_loss: {
      enabled: boolean;
      tiers: { loss: number; cooldown: number }[];
      consecutive_losses: { count: number; cooldown: number };
    };
    no_stop_loss_grace: { enabled: boolean; grace: number };
    session_block_outside: {
      enabled: boolean;
      timezone: string;
      windows: SessionWindow[];
      holidays: string[];
      early_close: Record<string, string>;
      flatten_at_end: boolean;
      blackouts: Blackout[];
    };
    auth_loss_guard: { enabled: boolean };
    symbol_blocks: { enabled: boolean; symbols: string[] };
    trade_management: {
      enabled: boolean;
      breakeven: { trigger_ticks: number; offset_ticks: number };
      trailing: { activation_ticks: number; distance_ticks: number };
    };
    daily_realized_profit: { enabled: boolean; target: number };
  }
  export interface RiskConfig {
    trading_day: { reset_time: string; timezone: string };
    rules: RiskRules;
    admin: { unlock: 'allowed' | 'delayed' | 'never'; unlock_delay: number };
  }
  export interface AccountsConfig {
    gateway: { api_url: string; user_hub_url: string; market_hub_url: string };
    credentials: { username: string; api_key: string };
    accounts: { name: string; risk?: string; rules?: unknown }[];
    control: { port: number };
    notifications?: unknown;
  }
}

describe('config types derived from the zod schema', () => {
  it('match the published contract exactly', () => {
    expectTypeOf<Weekday>().toEqualTypeOf<Contract.Weekday>();
    expectTypeOf<SessionWindow>().toEqualTypeOf<Contract.SessionWindow>();
    expectTypeOf<Blackout>().toEqualTypeOf<Contract.Blackout>();
    expectTypeOf<CooldownSpec>().toEqualTypeOf<Contract.CooldownSpec>();
    expectTypeOf<RiskRules>().toEqualTypeOf<Contract.RiskRules>();
    expectTypeOf<RiskConfig>().toEqualTypeOf<Contract.RiskConfig>();
    // notifications was `unknown` in the contract; it is now typed (still optional), which only narrows it.
    expectTypeOf<Omit<AccountsConfig, 'notifications'>>().toEqualTypeOf<Omit<Contract.AccountsConfig, 'notifications'>>();
    expectTypeOf<AccountsConfig>().toExtend<Contract.AccountsConfig>();
  });
});
