// Runtime side of the account statecharts: durable actors, restore, wall-clock ticks and the supervisor.
export { AccountSupervisor, type AccountFault, type IntentFact, type LockChange, type SupervisorOptions } from './supervisor.ts';
export { openAccountActor, rowProblem, lockEntryOf, type AccountActor, type AccountActorOptions, type AccountLogic, type RestoreReport } from './accountActor.ts';
export { SnapshotPersister, captureTimers, SNAPSHOT_SCHEMA_VERSION, type PersistedTimer, type SnapshotRepo } from './persistence.ts';
export { startTicker, DEFAULT_TICK_MS, type Ticker } from './ticker.ts';
