// Enforcement: the executor that makes intents true at the gateway, and the shapes it writes to the audit log.
export { Executor, type ExecutorDeps, type InFlightInfo } from './executor.ts';
export type { AuditRow, Latency } from './auditTrail.ts';
export { classifyFailure, type CallFailure, type Endpoint, type Refusal } from './gatewayOutcome.ts';
export { isTighter, tightest } from './stops.ts';
export type {
  AccountStateView,
  AttributionPort,
  EnforcementLogPort,
  EnforcementRequest,
  EnforcementRest,
  EnforcementRow,
  EnforcementStatus,
  ExecutorOptions,
  LedgerChange,
  TimerPort,
} from './types.ts';
export { closeInterruptedRows, type InterruptedRowsRepo } from './interrupted.ts';
