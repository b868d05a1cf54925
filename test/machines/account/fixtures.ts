// A fully populated RiskConfig for machine tests, with helpers to tweak one rule.
import { DateTime } from 'luxon';
import { createActor } from 'xstate';
import type { RiskConfig } from '../../../src/config/types.ts';
import { accountWithClock, type AccountEmitted } from '../../../machines/account/index.ts';

export const CT = 'America/Chicago';
export const ct = (iso: string): number => DateTime.fromISO(iso, { zone: CT }).toMillis();

export function riskConfig(over: { rules?: Partial<RiskConfig['rules']>; admin?: Partial<RiskConfig['admin']> } = {}): RiskConfig {
  const base: RiskConfig = {
    trading_day: { reset_time: '17:00', timezone: CT },
    admin: { unlock: 'delayed', unlock_delay: 15 * 60_000 },
    rules: {
      max_contracts: { enabled: true, limit: 5, action: 'reduce_to_limit' },
      max_contracts_per_instrument: { enabled: true, limits: { ES: 1 }, default_limit: 2, action: 'reduce_to_limit' },
      daily_realized_loss: { enabled: true, limit: 500, include_fees: true },
      daily_unrealized_loss: { enabled: true, limit: 300, scope: 'per_position', respect_realized_budget: true },
      max_unrealized_profit: { enabled: false, target: 1000, scope: 'per_position' },
      trade_frequency_limit: {
        enabled: true,
        count: 'entries',
        per_minute: { limit: 3, cooldown: 60_000 },
        per_hour: { limit: 10, cooldown: 1_800_000 },
        per_day: { limit: 30, cooldown: 'until_reset' },
      },
      cooldown_after_loss: { enabled: true, tiers: [{ loss: 100, cooldown: 300_000 }], consecutive_losses: { count: 3, cooldown: 1_800_000 } },
      no_stop_loss_grace: { enabled: true, grace: 30_000 },
      session_block_outside: {
        enabled: false,
        timezone: CT,
        windows: [{ days: ['sun', 'mon', 'tue', 'wed', 'thu'], start: '17:00', end: '15:10' }],
        holidays: [],
        early_close: {},
        flatten_at_end: true,
        blackouts: [],
      },
      auth_loss_guard: { enabled: true },
      symbol_blocks: { enabled: true, symbols: ['RTY', 'CL'] },
      trade_management: { enabled: false, breakeven: { trigger_ticks: 10, offset_ticks: 1 }, trailing: { activation_ticks: 20, distance_ticks: 10 } },
      daily_realized_profit: { enabled: false, target: 1000 },
    },
  };
  return { ...base, admin: { ...base.admin, ...over.admin }, rules: { ...base.rules, ...over.rules } };
}

export const sessionOn = (over: Partial<RiskConfig['rules']['session_block_outside']> = {}) =>
  ({ ...riskConfig().rules.session_block_outside, enabled: true, ...over });

/** A started account actor on the system clock (use with vi fake timers), recording everything it emits. */
export function startAccount(config: RiskConfig, accountId = 7, now = Date.now()) {
  const emitted: AccountEmitted[] = [];
  const actor = createActor(accountWithClock({ now: () => Date.now() }), { input: { accountId, config, now } });
  actor.on('*', (e) => emitted.push(e as AccountEmitted));
  const errors: unknown[] = [];
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  actor.send({ type: 'system.resumed', now });
  return { actor, emitted, errors };
}

export const intents = (emitted: AccountEmitted[]) =>
  emitted.flatMap((e) => (e.type === 'intent' ? [{ ...e.intent, rule: e.rule }] : []));
