// All repositories over one connection. Statements are prepared here, once per open store.
import type { Database } from 'better-sqlite3';
import { accountRepo, type AccountRepo } from './repos/accounts.ts';
import { adminAuditRepo, type AdminAuditRepo } from './repos/adminAudit.ts';
import { contractRepo, type ContractRepo } from './repos/contracts.ts';
import { dailyPnlRepo, type DailyPnlRepo } from './repos/dailyPnl.ts';
import { effectiveConfigRepo, type EffectiveConfigRepo } from './repos/effectiveConfig.ts';
import { enforcementRepo, type EnforcementRepo } from './repos/enforcement.ts';
import { fillRepo, type FillRepo } from './repos/fills.ts';
import { lockRepo, type LockRepo } from './repos/locks.ts';
import { metaRepo, type MetaRepo } from './repos/meta.ts';
import { gatewayRefusalRepo, type GatewayRefusalRepo } from './repos/gatewayRefusals.ts';
import { orderRepo, type OrderRepo } from './repos/orders.ts';
import { positionRepo, type PositionRepo } from './repos/positions.ts';
import { snapshotRepo, type SnapshotRepo } from './repos/snapshots.ts';
import { tradingDayRepo, type TradingDayRepo } from './repos/tradingDay.ts';
import { transitionRepo, type TransitionRepo } from './repos/transitions.ts';

export interface Repositories {
  accounts: AccountRepo;
  snapshots: SnapshotRepo;
  locks: LockRepo;
  fills: FillRepo;
  positions: PositionRepo;
  orders: OrderRepo;
  contracts: ContractRepo;
  dailyPnl: DailyPnlRepo;
  enforcement: EnforcementRepo;
  tradingDay: TradingDayRepo;
  transitions: TransitionRepo;
  adminAudit: AdminAuditRepo;
  effectiveConfig: EffectiveConfigRepo;
  meta: MetaRepo;
  gatewayRefusals: GatewayRefusalRepo;
}

export function createRepositories(db: Database): Repositories {
  const meta = metaRepo(db);
  return {
    accounts: accountRepo(db),
    snapshots: snapshotRepo(db),
    locks: lockRepo(db),
    fills: fillRepo(db),
    positions: positionRepo(db),
    orders: orderRepo(db),
    contracts: contractRepo(db),
    dailyPnl: dailyPnlRepo(db),
    enforcement: enforcementRepo(db),
    tradingDay: tradingDayRepo(db),
    transitions: transitionRepo(db),
    adminAudit: adminAuditRepo(db),
    effectiveConfig: effectiveConfigRepo(db),
    meta,
    gatewayRefusals: gatewayRefusalRepo(meta),
  };
}
