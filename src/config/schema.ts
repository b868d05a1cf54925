// The one source of truth for riskd's configuration files: risk.yaml (rules.md) and accounts.yaml (DESIGN §5).
// Validation, defaults, normalisation (durations -> ms, money -> magnitude, symbols -> upper case), the
// TypeScript types (types.ts derives from here) and the JSON Schemas editors use (jsonSchema.ts) all come
// from these zod schemas. Every object is strict: an unknown key is an error that names it.
import { z } from 'zod';
import {
  bool,
  calendarDate,
  clockTime,
  cooldown,
  count,
  describeValue,
  duration,
  instant,
  intRange,
  money,
  nonEmptyText,
  oneOf,
  normalizeSymbol,
  symbol,
  symbolText,
  timeZone,
  url,
  weekday,
} from './fields.ts';

/**
 * A strict mapping. The message for an unknown key lists the known ones; the loader turns zod's single
 * "unrecognized_keys" issue into one issue per unknown key, positioned on that key's line.
 */
function block<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? `known keys: ${known}` : `expected a mapping, got ${describeValue(iss.input)}`,
  });
}

function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: (iss) => `expected a list of ${what}, got ${describeValue(iss.input)}` });
}

function mapping<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V, what: string) {
  return z.record(key, value, { error: (iss) => `expected a mapping of ${what}, got ${describeValue(iss.input)}` });
}

/**
 * A mapping keyed by symbol, upper-cased once loaded. Two spellings of one symbol (mnq and MNQ) are an error
 * rather than a silent choice between two limits.
 */
function symbolMap<V extends z.ZodType>(value: V, what: string) {
  return mapping(symbolText(), value, what).transform((rec, ctx) => {
    const out: Record<string, z.output<V>> = {};
    for (const [written, v] of Object.entries(rec) as [string, z.output<V>][]) {
      const key = normalizeSymbol(written);
      if (Object.hasOwn(out, key)) {
        ctx.issues.push({ code: 'custom', input: written, path: [written], message: `symbol ${key} is listed twice` });
      }
      out[key] = v;
    }
    return out;
  });
}

/** A rule block: `enabled` is required, every other key falls back to the rules.md example value. */
function rule<S extends z.core.$ZodLooseShape>(id: string, description: string, shape: S) {
  return block({ enabled: bool(), ...shape })
    .prefault({ enabled: false } as never) // a rule missing from the file is disabled, with its defaults
    .meta({ description: `${id}: ${description}` });
}

// ---- risk.yaml -------------------------------------------------------------------------------------------

const frequencyWindow = (limit: number, cd: string) =>
  block({ limit: count().default(limit), cooldown: cooldown().prefault(cd) }).prefault({});

const sessionWindow = block({
  days: list(weekday(), 'weekdays (mon..sun)').min(1, { error: 'expected at least one weekday' }),
  start: clockTime(),
  end: clockTime(),
}).refine((w) => w.start !== w.end, { path: ['end'], error: 'a window must end at a different time than it starts' });

const blackout = block({
  start: instant(),
  end: instant(),
  flatten: bool().default(false),
}).refine((b) => b.end > b.start, { path: ['end'], error: 'a blackout must end after it starts' });

const lossTier = block({ loss: money(), cooldown: duration() });

export const rulesSchema = block({
  max_contracts: rule('RULE-001', 'total open contracts on the account', {
    limit: count().default(5),
    action: oneOf(['reduce_to_limit', 'close_all']).default('reduce_to_limit'),
  }),
  max_contracts_per_instrument: rule('RULE-002', 'open contracts per symbol', {
    limits: symbolMap(count(), 'symbol: contracts').default({ MNQ: 4, MES: 4, NQ: 1, ES: 1 }),
    default_limit: count().default(2),
    action: oneOf(['reduce_to_limit', 'close_position']).default('reduce_to_limit'),
  }),
  daily_realized_loss: rule('RULE-003', 'net realized loss today (dollars)', {
    limit: money().default(500),
    include_fees: bool().default(true),
  }),
  daily_unrealized_loss: rule('RULE-004', 'unrealized loss (dollars)', {
    limit: money().default(300),
    scope: oneOf(['per_position', 'total']).default('per_position'),
    respect_realized_budget: bool().default(true),
  }),
  max_unrealized_profit: rule('RULE-005', 'unrealized profit target (dollars)', {
    target: money().default(1000),
    scope: oneOf(['per_position', 'total']).default('per_position'),
  }),
  trade_frequency_limit: rule('RULE-006', 'entries (or fills) per minute, hour and trading day', {
    count: oneOf(['entries', 'fills']).default('entries'),
    per_minute: frequencyWindow(3, '60s'),
    per_hour: frequencyWindow(10, '30m'),
    per_day: frequencyWindow(30, 'until_reset'),
  }),
  cooldown_after_loss: rule('RULE-007', 'cooldown after a losing exit or a run of losers', {
    tiers: list(lossTier, 'tiers {loss, cooldown}').default([
      { loss: 100, cooldown: 300_000 },
      { loss: 200, cooldown: 900_000 },
    ]),
    consecutive_losses: block({ count: count().default(3), cooldown: duration().prefault('30m') }).prefault({}),
  }),
  no_stop_loss_grace: rule('RULE-008', 'a new position must get a protective stop within the grace period', {
    grace: duration().prefault('30s'),
  }),
  session_block_outside: rule('RULE-009', 'trade only inside the session windows', {
    timezone: timeZone().default('America/Chicago'),
    windows: list(sessionWindow, 'windows {days, start, end}').prefault([
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:30', end: '15:05' },
    ]),
    holidays: list(calendarDate(), 'dates').default(['2026-12-25', '2027-01-01']),
    early_close: mapping(calendarDate(), clockTime(), 'date: "HH:MM"').default({ '2026-11-27': '12:00' }),
    flatten_at_end: bool().default(true),
    blackouts: list(blackout, 'blackouts {start, end, flatten}').default([]),
  }),
  auth_loss_guard: rule('RULE-010', 'lock while the gateway reports canTrade: false', {}),
  symbol_blocks: rule('RULE-011', 'symbols that may not be traded', {
    symbols: list(symbol(), 'symbols').default(['RTY', 'CL']),
  }),
  trade_management: rule('RULE-012', 'move the stop to breakeven and trail it', {
    breakeven: block({ trigger_ticks: count().default(10), offset_ticks: count().default(1) }).prefault({}),
    trailing: block({ activation_ticks: count().default(20), distance_ticks: count().default(10) }).prefault({}),
  }),
  daily_realized_profit: rule('RULE-013', 'net realized profit target today (dollars)', {
    target: money().default(1000),
  }),
});

export const riskConfigSchema = block({
  trading_day: block({
    reset_time: clockTime().prefault('17:00'),
    timezone: timeZone().default('America/Chicago'),
  }).prefault({}),
  rules: rulesSchema.prefault({}),
  admin: block({
    unlock: oneOf(['allowed', 'delayed', 'never']).default('delayed'),
    unlock_delay: duration().prefault('15m'),
  }).prefault({}),
}).meta({ title: 'riskd risk.yaml', description: 'Risk rules enforced by riskd (see reference/rules.md).' });

/** The rule id (rules.md) of each rule key, in evaluation order: from the rule registry. */
export { RULE_IDS } from '../rules/registry.ts';

/** Keys holding dollar amounts ("*" = every list item): a negative value there is read as its magnitude. */
export const MONEY_PATHS: readonly (readonly string[])[] = [
  ['rules', 'daily_realized_loss', 'limit'],
  ['rules', 'daily_unrealized_loss', 'limit'],
  ['rules', 'max_unrealized_profit', 'target'],
  ['rules', 'cooldown_after_loss', 'tiers', '*', 'loss'],
  ['rules', 'daily_realized_profit', 'target'],
];

// ---- accounts.yaml ---------------------------------------------------------------------------------------

const HTTP = ['http', 'https'] as const;
const HUB = ['http', 'https', 'ws', 'wss'] as const;

export const NOTIFICATION_EVENTS = ['lock', 'unlock', 'enforcement', 'breach', 'connection', 'daemon'] as const;

const webhookCommon = {
  url: url(HTTP),
  events: list(oneOf(NOTIFICATION_EVENTS), 'events').default([...NOTIFICATION_EVENTS]),
};

const webhook = z.discriminatedUnion(
  'type',
  [
    block({ type: z.literal('discord'), ...webhookCommon }),
    block({ type: z.literal('json'), ...webhookCommon }),
    block({
      type: z.literal('telegram'),
      ...webhookCommon,
      chat_id: z
        .union([nonEmptyText('a chat id'), z.int()], { error: () => 'expected a chat id (a number or text)' })
        .transform(String),
    }),
  ],
  {
    error: (iss) =>
      `expected a webhook type discord, telegram or json, got ${describeValue((iss.input as { type?: unknown } | undefined)?.type)}`,
  },
);

/**
 * Inline per-account rule overrides. Parsed as an opaque mapping here; the loader merges it key by key over
 * the shared risk.yaml and validates the result with riskConfigSchema, so its errors point into accounts.yaml.
 */
export const accountRulesOverride = z
  .unknown()
  .refine((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
    error: (iss) => `expected a mapping of rule overrides, got ${describeValue(iss.input)}`,
  });

const accountEntry = block({
  name: nonEmptyText('an account name'),
  risk: nonEmptyText('a path to a risk file (relative to accounts.yaml)').optional(),
  rules: accountRulesOverride.optional(),
});

export const accountsConfigSchema = block({
  gateway: block({
    api_url: url(HTTP).meta({ description: 'REST base URL, e.g. https://api.topstepx.com' }),
    user_hub_url: url(HUB).meta({ description: 'SignalR user hub, e.g. https://rtc.topstepx.com/hubs/user' }),
    market_hub_url: url(HUB).meta({ description: 'SignalR market hub, e.g. https://rtc.topstepx.com/hubs/market' }),
  }),
  credentials: block({
    username: nonEmptyText('a user name', { secret: true }),
    api_key: nonEmptyText('an API key, e.g. ${PROJECTX_API_KEY}', { secret: true }),
  }),
  // `accounts:` left empty (everything under it commented out) means the same as leaving it out.
  accounts: list(accountEntry, 'accounts {name, risk?, rules?}')
    .nullable()
    .transform((v) => v ?? [])
    .default([])
    .superRefine((accounts, ctx) => {
      const seen = new Set<string>();
      accounts.forEach((a, i) => {
        if (seen.has(a.name)) {
          ctx.addIssue({ code: 'custom', path: [i, 'name'], input: a.name, message: `duplicate account "${a.name}"` });
        }
        seen.add(a.name);
      });
    }),
  control: block({ port: intRange(1, 65535).default(8765) }).prefault({}),
  notifications: block({ webhooks: list(webhook, 'webhooks {type, url, events?}').default([]) }).optional(),
}).meta({ title: 'riskd accounts.yaml', description: 'Gateway, credentials and accounts watched by riskd.' });
