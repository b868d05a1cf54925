// What `riskd status` and `riskd watch` can still say when the daemon is down: the last state it saved (locks,
// positions, P&L of the latest trading day, last enforcement) and the limits it last ran with (the effective
// configuration it saved at start and on every reload), read from SQLite read-only. Never a config file.
import type { Store } from '../store/index.ts';
import type { GatewayRefusal } from '../store/repos/gatewayRefusals.ts';
import type { RiskConfig } from '../config/types.ts';
import { ACCOUNT_MACHINE_ID } from '../../machines/account/index.ts';
import { gatewayRefusalNotes, lockDescription } from '../format/plain.ts';
import { symbolOf } from '../ledger/symbols.ts';
import { accountNames } from './history.ts';
import { ruleLimits, type RuleLimit } from './ruleLimits.ts';
import { lastEnforcementOf, type LastEnforcement } from './statusSnapshot.ts';

export interface OfflineLock {
  id: string;
  rule: string;
  kind: string;
  symbol: string | null;
  reason: string;
  until: number | null;
  remainingMs: number | null;
  releaseCondition: string | null;
  /** In words, as the live status says it. */
  description: string;
  /** A delayed admin unlock the daemon will carry out when it runs again (epoch ms); null: none. */
  unlockAt: number | null;
}

export interface OfflineAccount {
  id: number;
  name: string;
  tradingDay: string | null;
  /** Next trading-day reset the daemon had computed (from its saved statechart); null: unknown. */
  nextResetAt: number | null;
  /** Realized P&L of the latest saved trading day, net of fees (null: none saved). */
  realized: number | null;
  positions: { contractId: string; symbol: string; size: number; type: number; averagePrice: number }[];
  locks: OfflineLock[];
  /** The trading-day zone of the saved configuration (null: none saved). */
  zone: string | null;
  /** The limits the daemon last ran with, against the saved state; empty when it saved no configuration. */
  limits: RuleLimit[];
  /** When that configuration was saved (daemon start or reload); null: none saved. */
  configSavedAt: number | null;
  lastEnforcement: LastEnforcement | null;
  /** What the gateway refused on this account as the daemon last knew it, in words. */
  gatewayRefuses: string[];
}

export interface OfflineStatus {
  daemon: 'down';
  dataFile: string;
  now: number;
  accounts: OfflineAccount[];
}

interface SavedContext {
  pendingUnlocks?: { lockId: string; effectiveAt: number }[];
  tradingDay?: { nextResetAt?: number };
}

/** The account statechart's saved context (pending unlocks, next reset); empty when unreadable. */
function savedContext(store: Store, accountId: number): SavedContext {
  try {
    const snap = store.snapshots.load(accountId, ACCOUNT_MACHINE_ID)?.snapshot as { context?: SavedContext } | undefined;
    return snap?.context ?? {};
  } catch {
    return {}; // an unreadable snapshot only loses these extras; the locks table still has every lock
  }
}

/** The gateway refusals the daemon stored; none when unreadable (the daemon relearns them, and so does this view). */
function storedRefusals(store: Store): GatewayRefusal[] {
  try {
    return store.gatewayRefusals.list();
  } catch {
    return [];
  }
}

export function offlineStatus(store: Store, now = Date.now()): OfflineStatus {
  const accounts: OfflineAccount[] = [];
  const refusals = storedRefusals(store);
  const refused = (accountId: number, what: GatewayRefusal['what']): boolean => refusals.some((r) => r.accountId === accountId && r.what === what);
  const saved = new Map<number, { config: RiskConfig; savedAt: number }>(store.effectiveConfig.all().map((r) => [r.accountId, r]));
  for (const [id, name] of accountNames(store)) {
    const day = store.dailyPnl.history(id, 1)[0];
    const ctx = savedContext(store, id);
    const cfg = saved.get(id);
    const zone = cfg?.config.trading_day.timezone ?? null;
    const realized = day ? day.realizedGross - day.fees : null;
    const positions = store.positions.list(id).map((p) => ({ contractId: p.contractId, symbol: symbolOf(p.contractId), size: p.size, type: p.type, averagePrice: p.averagePrice }));
    const locks = store.locks.active(id).map((l): OfflineLock => {
      const until = l.until ?? null;
      return {
        id: l.id,
        rule: l.rule,
        kind: l.kind,
        symbol: l.symbol ?? null,
        reason: l.reason,
        until,
        remainingMs: until === null ? null : Math.max(0, until - now),
        releaseCondition: l.releaseCondition ?? null,
        description: lockDescription({ kind: l.kind, symbol: l.symbol ?? null, until }, zone ?? 'UTC', now),
        unlockAt: ctx.pendingUnlocks?.find((p) => p.lockId === l.id)?.effectiveAt ?? null,
      };
    });
    const facts = {
      openContracts: positions.reduce((n, p) => n + p.size, 0),
      positions: positions.map((p) => ({ symbol: p.symbol, size: p.size, unrealized: null })),
      realized,
      unrealized: null,
      entriesToday: null,
      consecutiveLosses: null,
      canTrade: null,
      session: null,
      locks,
    };
    accounts.push({
      id,
      name,
      tradingDay: day?.tradingDay ?? null,
      nextResetAt: ctx.tradingDay?.nextResetAt ?? null,
      realized,
      positions,
      locks,
      zone,
      limits: cfg ? ruleLimits(facts, cfg.config, now) : [],
      configSavedAt: cfg?.savedAt ?? null,
      lastEnforcement: lastEnforcementOf(store.enforcement.list({ accountId: id, limit: 1 })[0]),
      gatewayRefuses: gatewayRefusalNotes({ cancel: refused(id, 'cancel'), partialClose: refused(id, 'partialClose') }),
    });
  }
  return { daemon: 'down', dataFile: store.path, now, accounts };
}
