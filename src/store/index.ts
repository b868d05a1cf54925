// Public face of the SQLite store. See store.ts for opening, repos/ for each table.
export { IN_MEMORY, openStore, openStoreReadOnly, type Store, type StoreOptions, type SynchronousMode } from './store.ts';
export { acquireDataDirLock, DataDirLockedError, LOCK_FILE, PID_FILE, type DataDirLock, type LockHolder } from './dataDirLock.ts';
export { migrate, schemaVersionOf } from './migrate.ts';
export { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.ts';
export { StoreError, StoreSchemaTooNewError, StoreSchemaMismatchError, StoreDataError, isCorruptionError } from './errors.ts';
export type {
  SnapshotRow,
  LockRow,
  EnforcementRow,
  EnforcementStatus,
  DailyPnlRow,
  TradingDayRow,
  TransitionRow,
  AdminAuditRow,
  AccountRow,
} from './types.ts';
export type { Repositories } from './repositories.ts';
export type { StoredFill } from './repos/fills.ts';
export type { EnforcementFilter } from './repos/enforcement.ts';
export type { EffectiveConfigRow } from './repos/effectiveConfig.ts';
