// The two files `riskd init` writes, from the answers: accounts.yaml (gateway, user name, the environment
// variable holding the API key, accounts, control port) and a starter risk.yaml. The risk file is the shipped
// config/risk.yaml, every comment kept, with the answered values set in it, so the trader gets the full
// reference with their own numbers. Pure: text in, text out.
import { isScalar, parseDocument, stringify, visit } from 'yaml';
import type { GatewayUrls } from './firms.ts';

export interface AccountsAnswers {
  firm: string;
  urls: GatewayUrls;
  username: string;
  /** Name of the environment variable holding the API key (the key itself is never written). */
  apiKeyVar: string;
  /** Account names to watch; empty: every active account the key can see. */
  accounts: string[];
  controlPort: number;
}

export function accountsYamlText(a: AccountsAnswers): string {
  const body = stringify({
    gateway: a.urls,
    credentials: { username: a.username, api_key: `\${${a.apiKeyVar}}` },
    ...(a.accounts.length > 0 ? { accounts: a.accounts.map((name) => ({ name })) } : {}),
    control: { port: a.controlPort },
  });
  return [
    '# yaml-language-server: $schema=./accounts.schema.json',
    `# riskd accounts, written by \`npx riskd init\` for ${a.firm}.`,
    `# The API key is read from the environment variable ${a.apiKeyVar} (never stored here).`,
    '# Every key is explained in accounts.example.yaml; check with: npx riskd config validate --accounts <this file>',
    ...(a.accounts.length === 0 ? ['# accounts: left out, so riskd watches every active account the API key can see.'] : []),
    '',
    body,
  ].join('\n');
}

export interface RiskAnswers {
  timezone: string;
  /** Dollars; 0 = no daily loss limit. */
  dailyLoss: number;
  /** Contracts; 0 = no limit. */
  maxContracts: number;
  /** Dollars; 0 = no profit target. */
  profitTarget: number;
  /** A losing exit of at least this many dollars starts a pause (0 = no pause after a loss). */
  lossPauseAt: number;
  /** How long that pause lasts, e.g. "15m". */
  lossPause: string;
  /** "30s"; "0" = no stop required. */
  stopGrace: string;
  /** "08:30-15:05" on weekdays; null = any time. */
  hours: { start: string; end: string } | null;
  /** Symbols never traded. */
  blocked: string[];
  unlock: 'allowed' | 'delayed' | 'never';
}

/** The shipped risk.yaml (`template`) with the answers set; comments and every other default kept. */
export function riskYamlText(template: string, a: RiskAnswers): string {
  const doc = parseDocument(template);
  const set = (path: (string | number)[], v: unknown) => doc.setIn(path, v);
  const rule = (key: string) => ['rules', key];
  const flow = (v: unknown) => {
    const node = doc.createNode(v, { flow: true });
    // Clock times quoted, as the reference writes them ("08:30").
    visit(node, { Scalar: (_, s) => void (isScalar(s) && typeof s.value === 'string' && /^\d\d:\d\d$/.test(s.value) && (s.type = 'QUOTE_DOUBLE')) });
    return node;
  };
  set(['trading_day', 'timezone'], a.timezone);
  set([...rule('session_block_outside'), 'timezone'], a.timezone);

  set([...rule('daily_realized_loss'), 'enabled'], a.dailyLoss > 0);
  if (a.dailyLoss > 0) set([...rule('daily_realized_loss'), 'limit'], a.dailyLoss);

  set([...rule('max_contracts'), 'enabled'], a.maxContracts > 0);
  if (a.maxContracts > 0) set([...rule('max_contracts'), 'limit'], a.maxContracts);

  set([...rule('daily_realized_profit'), 'enabled'], a.profitTarget > 0);
  if (a.profitTarget > 0) set([...rule('daily_realized_profit'), 'target'], a.profitTarget);

  set([...rule('cooldown_after_loss'), 'enabled'], a.lossPauseAt > 0);
  if (a.lossPauseAt > 0) set([...rule('cooldown_after_loss'), 'tiers'], flow([{ loss: a.lossPauseAt, cooldown: a.lossPause }]));

  const grace = a.stopGrace.trim();
  set([...rule('no_stop_loss_grace'), 'enabled'], grace !== '0' && grace !== '');
  if (grace !== '0' && grace !== '') set([...rule('no_stop_loss_grace'), 'grace'], grace);

  set([...rule('session_block_outside'), 'enabled'], a.hours !== null);
  if (a.hours) set([...rule('session_block_outside'), 'windows'], flow([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: a.hours.start, end: a.hours.end }]));

  set([...rule('symbol_blocks'), 'enabled'], a.blocked.length > 0);
  set([...rule('symbol_blocks'), 'symbols'], flow(a.blocked));

  set(['admin', 'unlock'], a.unlock);
  const [modeline, ...rest] = doc.toString({ lineWidth: 0 }).split('\n');
  return [modeline, '# Written by `npx riskd init` from your answers; every other value is the documented default.', ...rest].join('\n');
}
