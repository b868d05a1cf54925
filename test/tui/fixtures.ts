// Dashboard models for the renderer tests: one account with a position, a cooldown lock, a few enforcement rows.
import { parseRiskConfig } from '../../src/config/index.ts';
import type { WatchAccount, WatchModel } from '../../src/tui/model.ts';
import { ruleLimits } from '../../src/control/ruleLimits.ts';

export const NOW = Date.UTC(2026, 10, 24, 15, 0, 0);

export const RISK = parseRiskConfig({
  rules: {
    max_contracts: { enabled: true, limit: 5 },
    daily_realized_loss: { enabled: true, limit: 500 },
    daily_unrealized_loss: { enabled: true, limit: 300, scope: 'total', respect_realized_budget: false },
    trade_frequency_limit: { enabled: true },
    cooldown_after_loss: { enabled: true },
    auth_loss_guard: { enabled: true },
  },
});

/** An account; its limits are computed from its fields against RISK, as the daemon's status does. */
export function account(over: Partial<WatchAccount> = {}): WatchAccount {
  const a: WatchAccount = {
    id: 1,
    name: 'TOPSTEP-50K-1',
    realized: -120,
    unrealized: -35.5,
    net: -155.5,
    balance: 50000,
    canTrade: true,
    openContracts: 2,
    positions: [{ symbol: 'MNQ', contractId: 'CON.F.US.MNQ.Z26', side: 'long', size: 2, averagePrice: 20000.25, mark: 19991.5, unrealized: -35.5 }],
    workingOrders: 1,
    locks: [{ rule: 'RULE-007', kind: 'cooldown', symbol: null, reason: 'losing exit of $120.00 (tier $100): 5m cooldown', until: NOW + 272_000, description: 'no new trades until 09:04 CT', unlockAt: null }],
    session: { phase: 'inside', windowEnd: NOW + 3_900_000, nextOpen: null, blackoutEnd: null },
    tradingDay: { id: '2026-11-24', nextResetAt: NOW + 7_200_000 },
    entriesToday: 4,
    consecutiveLosses: 1,
    gatewayRefuses: [],
    enforcement: Array.from({ length: 12 }, (_, i) => ({
      at: NOW - (i + 1) * 60_000,
      rule: i === 0 ? 'RULE-003' : 'RULE-001',
      action: i === 0 ? 'flatten' : 'reduce',
      status: 'confirmed',
      contract: 'CON.F.US.MNQ.Z26',
      outcome: null,
      reason: `row ${i + 1}`,
      summary: `${i === 0 ? 'closed every position and cancelled every order' : 'closed 1 MNQ'}: row ${i + 1}`,
    })),
    limits: [],
    zone: 'America/Chicago',
    ...over,
  };
  return over.limits ? a : { ...a, limits: ruleLimits(a, RISK, NOW) };
}

export function liveModel(accounts: WatchAccount[] = [account()]): WatchModel {
  return {
    daemon: 'live',
    dataFile: '/home/t/riskd/data/state.db',
    downReason: null,
    phase: 'live',
    health: 'ok',
    problems: [],
    startedAt: NOW - 3_600_000,
    dataAt: NOW,
    hubs: {
      user: { state: 'connected', lastEventAt: NOW - 1000, reconnects: 0 },
      market: { state: 'connected', lastEventAt: NOW, reconnects: 2 },
    },
    rest: { limit: 200, windowMs: 60_000, inWindow: 12, queued: 0, rateLimitedResponses: 0, backoffUntil: null, rateLimited: false },
    accounts,
  };
}

const saved = account().positions.map((p) => ({ ...p, mark: null, unrealized: null }));

export function downModel(accounts: WatchAccount[] = [account({ unrealized: null, net: null, session: null, canTrade: null, positions: saved, workingOrders: null })]): WatchModel {
  return {
    ...liveModel(accounts),
    daemon: 'down',
    downReason: '(127.0.0.1:8765: connection refused)',
    phase: null,
    health: null,
    startedAt: null,
    hubs: null,
    rest: null,
  };
}
