// The resolved configuration that the rest of riskd reads, after loading, validation and normalisation:
// durations are milliseconds, money is a positive magnitude, times are "HH:MM", zones are valid IANA names,
// symbols are upper-case trader tickers. Every rule block is fully populated with defaults (rules.md);
// a rule missing from risk.yaml is present here with enabled: false.
// CONTRACT: src/config/schema.ts (zod) is the source of truth; this file must stay equal to its output types.

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface SessionWindow {
  days: Weekday[]; // the day the window starts
  start: string; // HH:MM
  end: string; // HH:MM; earlier than start = runs past midnight
}

export interface Blackout {
  start: number; // epoch ms
  end: number; // epoch ms
  flatten: boolean;
}

/** A cooldown is a duration in ms, or the literal until_reset (lock until the next trading-day reset). */
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
    holidays: string[]; // YYYY-MM-DD
    early_close: Record<string, string>; // YYYY-MM-DD -> HH:MM
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
  /** Empty = every active account the key can see. */
  accounts: { name: string; risk?: string; rules?: unknown }[];
  control: { port: number };
  notifications?: unknown;
}

/** What `loadConfig` returns: the shared risk config plus the effective config per named account. */
export interface LoadedConfig {
  risk: RiskConfig;
  accounts: AccountsConfig;
  /** Effective risk config per account name (overrides merged key by key). */
  perAccount: Record<string, RiskConfig>;
  /** Non-fatal notices (e.g. negative money read as magnitude), each naming file, line and key. */
  notices: string[];
}
