// Builds the dashboard model from what riskd offers: a live status snapshot (control server) or the saved
// state read from SQLite (daemon down). Limits come from the same place: the daemon's own (live) or the
// effective configuration it saved (down), never from a config file. Enforcement rows come in the `history`
// shape of both paths.
import type { StatusSnapshot } from '../control/statusSnapshot.ts';
import type { OfflineStatus } from '../control/offlineStatus.ts';
import type { HistoryRow } from '../control/history.ts';
import type { WatchAccount, WatchEnforcement, WatchModel } from './model.ts';

/** `history` rows (kind enforcement) of one account, newest first, as the dashboard lists them. */
export function enforcementOf(rows: HistoryRow[], accountName: string): WatchEnforcement[] {
  const out: WatchEnforcement[] = [];
  for (const r of rows) {
    if (r['account'] !== accountName) continue;
    const at = typeof r['at'] === 'string' ? Date.parse(r['at']) : NaN;
    if (!Number.isFinite(at)) continue;
    const text = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
    out.push({
      at,
      rule: text('rule') ?? '?',
      action: text('action') ?? 'unknown',
      status: text('status') ?? '?',
      contract: text('contract'),
      outcome: text('outcome'),
      reason: text('reason') ?? '',
      summary: text('summary') ?? text('reason') ?? '',
    });
  }
  return out;
}

export function fromLive(s: StatusSnapshot, history: HistoryRow[], dataFile: string): WatchModel {
  const accounts: WatchAccount[] = s.accounts.map((a) => ({
    id: a.id,
    name: a.name,
    realized: a.realized,
    unrealized: a.unrealized,
    net: a.net,
    balance: a.balance,
    canTrade: a.canTrade,
    openContracts: a.openContracts,
    positions: a.positions.map((p) => ({
      symbol: p.symbol,
      contractId: p.contractId,
      side: p.side,
      size: p.size,
      averagePrice: p.averagePrice,
      mark: p.mark ?? null,
      unrealized: p.unrealized ?? null,
    })),
    workingOrders: a.workingOrders,
    locks: a.locks.map((l) => ({ rule: l.rule, kind: l.kind, symbol: l.symbol, reason: l.reason, until: l.until, description: l.description, unlockAt: l.unlockAt })),
    session: a.session ? { phase: a.session.phase, windowEnd: a.session.windowEnd, nextOpen: a.session.nextOpen, blackoutEnd: a.session.blackoutEnd } : null,
    tradingDay: a.tradingDay ? { id: a.tradingDay.id, nextResetAt: a.tradingDay.nextResetAt } : null,
    entriesToday: a.entriesToday,
    consecutiveLosses: a.consecutiveLosses,
    gatewayRefuses: a.gatewayRefuses,
    enforcement: enforcementOf(history, a.name),
    limits: a.limits,
    zone: a.zone,
  }));
  return {
    daemon: 'live',
    dataFile,
    downReason: null,
    phase: s.phase,
    health: s.health,
    problems: s.problems,
    startedAt: s.startedAt,
    dataAt: s.now,
    hubs: s.hubs
      ? {
          user: { state: s.hubs.user.state, lastEventAt: s.hubs.user.lastEventAt, reconnects: s.hubs.user.reconnects, lastError: s.hubs.user.lastError },
          market: { state: s.hubs.market.state, lastEventAt: s.hubs.market.lastEventAt, reconnects: s.hubs.market.reconnects, lastError: s.hubs.market.lastError },
        }
      : null,
    rest: {
      limit: s.rest.limit,
      windowMs: s.rest.windowMs,
      inWindow: s.rest.inWindow,
      queued: s.rest.queued.enforce + s.rest.queued.reconcile + s.rest.queued.poll,
      rateLimitedResponses: s.rest.rateLimitedResponses,
      backoffUntil: s.rest.backoffUntil,
      rateLimited: s.rest.rateLimited === true,
    },
    accounts,
  };
}

/** The saved state while the daemon is down (null: the data dir has no state.db yet). */
export function fromOffline(s: OfflineStatus | null, history: HistoryRow[], dataFile: string, downReason: string): WatchModel {
  const accounts: WatchAccount[] = (s?.accounts ?? []).map((a) => {
    const positions = a.positions.map((p) => ({
      symbol: p.symbol,
      contractId: p.contractId,
      side: p.type === 2 ? ('short' as const) : ('long' as const),
      size: p.size,
      averagePrice: p.averagePrice,
      mark: null,
      unrealized: null,
    }));
    return {
      id: a.id,
      name: a.name,
      realized: a.realized,
      unrealized: null,
      net: null,
      balance: null,
      canTrade: null,
      openContracts: positions.reduce((n, p) => n + p.size, 0),
      positions,
      workingOrders: null,
      locks: a.locks.map((l) => ({ rule: l.rule, kind: l.kind, symbol: l.symbol, reason: l.reason, until: l.until, description: l.description, unlockAt: l.unlockAt })),
      session: null,
      tradingDay: a.tradingDay ? { id: a.tradingDay, nextResetAt: a.nextResetAt } : null,
      entriesToday: null,
      consecutiveLosses: null,
      gatewayRefuses: a.gatewayRefuses,
      enforcement: enforcementOf(history, a.name),
      limits: a.limits,
      zone: a.zone,
    };
  });
  return {
    daemon: 'down',
    dataFile,
    downReason,
    phase: null,
    health: null,
    problems: [],
    startedAt: null,
    dataAt: s?.now ?? null,
    hubs: null,
    rest: null,
    accounts,
  };
}
