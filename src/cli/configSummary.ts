// The short, human summary `riskd config validate` prints for a valid configuration.
import { RULE_IDS } from '../config/schema.ts';
import type { AccountsConfig, RiskConfig } from '../config/types.ts';

function duration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

export function summarizeRisk(file: string, risk: RiskConfig): string[] {
  const keys = Object.keys(RULE_IDS) as (keyof typeof RULE_IDS)[];
  const enabled = keys.filter((k) => risk.rules[k].enabled);
  const disabled = keys.filter((k) => !risk.rules[k].enabled);
  const names = (ks: typeof keys) => (ks.length ? ks.map((k) => `${RULE_IDS[k]} ${k}`).join(', ') : 'none');
  return [
    `${file}: ok`,
    `  trading day resets at ${risk.trading_day.reset_time} ${risk.trading_day.timezone}`,
    `  enabled (${enabled.length}/${keys.length}): ${names(enabled)}`,
    `  disabled: ${names(disabled)}`,
    `  admin unlock: ${risk.admin.unlock}${risk.admin.unlock === 'delayed' ? ` (after ${duration(risk.admin.unlock_delay)})` : ''}`,
  ];
}

/** The top-level sections and rules whose effective values differ from the shared config. */
export function differences(shared: RiskConfig, own: RiskConfig): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const out: string[] = [];
  if (!same(shared.trading_day, own.trading_day)) out.push('trading_day');
  for (const k of Object.keys(RULE_IDS) as (keyof typeof RULE_IDS)[]) {
    if (!same(shared.rules[k], own.rules[k])) out.push(k);
  }
  if (!same(shared.admin, own.admin)) out.push('admin');
  return out;
}

export function summarizeAccounts(
  file: string,
  accounts: AccountsConfig,
  shared: RiskConfig,
  perAccount: Record<string, RiskConfig>,
): string[] {
  const names = accounts.accounts.map((a) => {
    const own = perAccount[a.name];
    const diff = own ? differences(shared, own) : [];
    return diff.length ? `${a.name} (overrides: ${diff.join(', ')})` : a.name;
  });
  return [
    `${file}: ok`,
    `  gateway: ${accounts.gateway.api_url}`,
    `  accounts: ${names.length ? names.join(', ') : 'every active account the API key can see'}`,
    `  control port: ${accounts.control.port} (loopback)`,
    `  notifications: ${accounts.notifications?.webhooks.length ?? 0} webhook(s)`,
  ];
}
