// `riskd admin test-connection`: with accounts.yaml alone (no daemon), checks login, both hubs, that every
// configured account is visible, and whether each can trade. Each step says ok or why it failed.
import type { AccountsConfig } from '../config/types.ts';
import type { Logger } from '../log/logger.ts';
import { RateBudget } from '../gateway/rateBudget.ts';
import { TokenManager } from '../gateway/auth.ts';
import { ProjectXRest } from '../gateway/rest.ts';
import { HubClient } from '../gateway/hubs.ts';

export interface CheckLine {
  ok: boolean;
  what: string;
  detail: string;
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

export async function testConnection(cfg: AccountsConfig, logger: Logger, opts: { timeoutMs?: number } = {}): Promise<CheckLine[]> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const lines: CheckLine[] = [];
  const budget = new RateBudget();
  const gw = cfg.gateway;
  logger.addSecret(cfg.credentials.api_key);
  const tokens = new TokenManager({ baseUrl: gw.api_url, userName: cfg.credentials.username, apiKey: cfg.credentials.api_key, budget, log: logger });
  const rest = new ProjectXRest({ baseUrl: gw.api_url, tokens, budget, log: logger, readRetryDelaysMs: [] });
  let hubs: HubClient | undefined;
  try {
    try {
      await withTimeout(tokens.ensure(), timeoutMs, 'login');
      lines.push({ ok: true, what: 'login', detail: `${gw.api_url} accepted the API key` });
    } catch (e) {
      lines.push({ ok: false, what: 'login', detail: msg(e) });
      return lines;
    }
    let accountIds: number[] = [];
    try {
      const visible = await withTimeout(rest.searchAccounts(true), timeoutMs, 'Account/search');
      const wanted = cfg.accounts.length > 0 ? cfg.accounts.map((a) => a.name) : visible.map((a) => a.name);
      for (const name of wanted) {
        const a = visible.find((v) => v.name === name);
        if (!a) lines.push({ ok: false, what: `account ${name}`, detail: `not visible to this API key (visible: ${visible.map((v) => v.name).join(', ') || 'none'})` });
        else {
          accountIds.push(a.id);
          lines.push({ ok: a.canTrade, what: `account ${name}`, detail: `visible, id ${a.id}, canTrade ${a.canTrade}${a.canTrade ? '' : ' (the gateway refuses trading on it now)'}` });
        }
      }
      if (wanted.length === 0) lines.push({ ok: false, what: 'accounts', detail: 'no active account is visible to this API key' });
    } catch (e) {
      lines.push({ ok: false, what: 'accounts', detail: msg(e) });
      accountIds = [];
    }
    hubs = new HubClient({
      userHubUrl: gw.user_hub_url,
      marketHubUrl: gw.market_hub_url,
      tokens,
      accountIds,
      log: logger,
      onEvent: () => {},
      autoRestart: false,
      maxReconnectAttempts: 0,
    });
    try {
      await withTimeout(hubs.start(), timeoutMs, 'hubs');
    } catch (e) {
      lines.push({ ok: false, what: 'hubs', detail: msg(e) });
    }
    const st = hubs.status();
    for (const h of ['user', 'market'] as const) {
      const s = st[h];
      const url = h === 'user' ? gw.user_hub_url : gw.market_hub_url;
      lines.push({ ok: s.state === 'connected', what: `${h} hub`, detail: s.state === 'connected' ? `connected to ${url}` : `${s.state}${s.lastError ? `: ${s.lastError}` : ''}` });
    }
    return lines;
  } finally {
    await hubs?.stop().catch(() => {});
    tokens.stop();
    budget.close();
  }
}
