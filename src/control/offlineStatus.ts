// What `riskd status` can still say when the daemon is down: the last state it saved (locks, positions,
// P&L of the latest trading day, last enforcement), read from SQLite read-only.
import type { Store } from '../store/index.ts';
import { accountNames } from './history.ts';
import { lastEnforcementOf, type LastEnforcement } from './statusSnapshot.ts';

export interface OfflineAccount {
  id: number;
  name: string;
  tradingDay: string | null;
  /** Realized P&L of the latest saved trading day, net of fees (null: none saved). */
  realized: number | null;
  positions: { contractId: string; size: number; type: number; averagePrice: number }[];
  locks: { id: string; rule: string; kind: string; symbol: string | null; reason: string; until: number | null; remainingMs: number | null; releaseCondition: string | null }[];
  lastEnforcement: LastEnforcement | null;
}

export interface OfflineStatus {
  daemon: 'down';
  dataFile: string;
  now: number;
  accounts: OfflineAccount[];
}

export function offlineStatus(store: Store, now = Date.now()): OfflineStatus {
  const accounts: OfflineAccount[] = [];
  for (const [id, name] of accountNames(store)) {
    const day = store.dailyPnl.history(id, 1)[0];
    accounts.push({
      id,
      name,
      tradingDay: day?.tradingDay ?? null,
      realized: day ? day.realizedGross - day.fees : null,
      positions: store.positions.list(id).map((p) => ({ contractId: p.contractId, size: p.size, type: p.type, averagePrice: p.averagePrice })),
      locks: store.locks.active(id).map((l) => ({
        id: l.id,
        rule: l.rule,
        kind: l.kind,
        symbol: l.symbol ?? null,
        reason: l.reason,
        until: l.until ?? null,
        remainingMs: l.until == null ? null : Math.max(0, l.until - now),
        releaseCondition: l.releaseCondition ?? null,
      })),
      lastEnforcement: lastEnforcementOf(store.enforcement.list({ accountId: id, limit: 1 })[0]),
    });
  }
  return { daemon: 'down', dataFile: store.path, now, accounts };
}
