// The replay's way to the gateway: the daemon's REST client and token manager for fills, orders, accounts and
// contracts (the shared 200 / 60 s budget), and History/retrieveBars on its own 50 / 30 s budget.
import type { AccountsConfig } from '../config/types.ts';
import type { Logger } from '../log/logger.ts';
import { RateBudget } from '../gateway/rateBudget.ts';
import { TokenManager } from '../gateway/auth.ts';
import { ProjectXRest } from '../gateway/rest.ts';
import { postJson } from '../gateway/http.ts';
import { socketTransport } from '../gateway/socketTransport.ts';
import { GatewayError, GatewayHttpError, GatewayProtocolError } from '../gateway/errors.ts';
import { parseBarsResponse } from '../gateway/parse/responses.ts';
import type { GatewayAccess } from './gather.ts';
import type { Bar } from './types.ts';

export const BARS_ENDPOINT = '/api/History/retrieveBars';

export interface OpenedGateway extends GatewayAccess {
  close(): void;
}

/** Decodes a retrieveBars body (bars newest first) into minute bars, oldest first; the gateway's own parser. */
export function parseBars(body: unknown): Bar[] {
  const r = parseBarsResponse(body);
  if (!r.ok) throw new GatewayProtocolError(r.failure.event, r.failure.reason, false);
  return [...r.value].sort((a, b) => a.t - b.t);
}

export async function openGateway(cfg: AccountsConfig, logger: Logger): Promise<OpenedGateway> {
  const gw = cfg.gateway;
  logger.addSecret(cfg.credentials.api_key);
  const budget = new RateBudget();
  const barsBudget = new RateBudget({ limit: 50, windowMs: 30_000, enforceReserve: 0 });
  const transport = socketTransport();
  const tokens = new TokenManager({ baseUrl: gw.api_url, userName: cfg.credentials.username, apiKey: cfg.credentials.api_key, transport, budget, log: logger, autoRefresh: false });
  const rest = new ProjectXRest({ baseUrl: gw.api_url, tokens, transport, budget, log: logger });
  await tokens.login().catch((err: unknown) => {
    transport.close();
    throw err;
  });
  const http = { baseUrl: gw.api_url, transport, budget: barsBudget };
  return {
    searchAccounts: () => rest.searchAccounts(true),
    searchTrades: (id, start, end) => rest.searchTrades(id, start, end),
    searchOrders: (id, start, end) => rest.searchOrders(id, start, end),
    contractById: (id) => rest.contractById(id),
    retrieveBars: async (contractId, start, end, limit) => {
      const req = { contractId, live: false, startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString(), unit: 2, unitNumber: 1, limit, includePartialBar: false };
      for (let attempt = 0; ; attempt++) {
        const res = await postJson(http, BARS_ENDPOINT, req, { token: await tokens.ensure(), timeoutMs: 30_000, priority: 'reconcile', mutation: false });
        if (res.status === 429 && attempt < 3) {
          await new Promise((r) => setTimeout(r, barsBudget.noteRateLimited(res.retryAfterMs)));
          continue;
        }
        if (res.status !== 200) throw new GatewayHttpError(BARS_ENDPOINT, res.status, `HTTP ${res.status}`, false);
        const env = res.body as { success?: unknown; errorCode?: unknown; errorMessage?: unknown } | undefined;
        if (env?.success !== true) throw new GatewayError(BARS_ENDPOINT, Number(env?.errorCode ?? -1), typeof env?.errorMessage === 'string' ? env.errorMessage : null, res.status);
        return parseBars(res.body);
      }
    },
    close: () => {
      tokens.stop();
      budget.close();
      barsBudget.close();
      transport.close();
    },
  };
}
