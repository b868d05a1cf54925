// After a crash (kill -9, power loss) enforcement_log can hold rows still 'pending' or 'sent': their outcome was
// never observed. Those rows are the persisted in-flight actions: on start, once riskd can reach the gateway, the
// executor resumes the ones it can through their chart's `resumed` start (Executor.resume: a REST check first,
// never a blind re-send), and the rest are closed here as failed so the audit trail never shows an action as
// forever in flight (the restart reconciles from REST and the restored locks decide afresh what must be done).
import type { ActionKind } from '../../machines/action/index.ts';
import type { Intent } from '../rules/types.ts';
import { ENDPOINT, orderKey, positionKey, type ActionSpec } from './actionSpec.ts';
import type { EnforcementRequest, EnforcementRow } from './types.ts';

export interface InterruptedRowsRepo {
  list(filter: { since?: number; limit?: number }): EnforcementRow[];
  update(id: number, patch: Partial<EnforcementRow>): void;
}

const LOOKBACK_MS = 7 * 24 * 3600_000;

/** Rows triggered within `lookbackMs` whose outcome the last run never saw, oldest first. */
export function unsettledRows(repo: InterruptedRowsRepo, now: number, lookbackMs = LOOKBACK_MS): EnforcementRow[] {
  return repo
    .list({ since: now - lookbackMs, limit: 100_000 })
    .filter((r) => r.id !== undefined && (r.status === 'pending' || r.status === 'sent'))
    .sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

/** Marks unsettled rows (default: those triggered within `lookbackMs`) as failed; returns how many. */
export function closeInterruptedRows(repo: InterruptedRowsRepo, now: number, lookbackMs = LOOKBACK_MS, rows = unsettledRows(repo, now, lookbackMs)): number {
  let n = 0;
  for (const r of rows) {
    if (r.id === undefined || (r.status !== 'pending' && r.status !== 'sent')) continue;
    repo.update(r.id, {
      status: 'failed',
      outcome: `interrupted: riskd stopped before this was confirmed${r.outcome ? ` (last: ${r.outcome})` : ''}; the restart reconciles from REST`,
    });
    n += 1;
  }
  return n;
}

/** An interrupted row as the action it persisted: what to check (and re-send), why, and the attempts already made. */
export interface ResumableAction {
  spec: ActionSpec;
  req: EnforcementRequest;
  attempts: number;
}

/**
 * The action an interrupted row persisted, if it can resume: intent, endpoint (the kind; a reduce that fell back
 * already says closeContract), attempts and the position size it started from. Closes, reduces and cancels only:
 * a stop move's or place's goal needs what only the process knew.
 */
export function resumableAction(r: EnforcementRow): ResumableAction | undefined {
  const kind = (Object.keys(ENDPOINT) as ActionKind[]).find((k) => ENDPOINT[k] === r.endpoint);
  let intent: Intent;
  let numbers: Record<string, unknown>;
  try {
    intent = JSON.parse(r.intent) as Intent;
    numbers = JSON.parse(r.numbers) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const num = (k: string): number | undefined => (typeof numbers[k] === 'number' ? (numbers[k] as number) : undefined);
  const orderId = num('orderId') ?? (intent.type === 'cancel' ? intent.orderId : undefined);
  const contractId = r.contractId ?? undefined;
  const key =
    (kind === 'close' || kind === 'reduce') && contractId !== undefined
      ? positionKey(r.accountId, contractId)
      : kind === 'cancel' && orderId !== undefined
        ? orderKey(r.accountId, orderId)
        : undefined;
  if (kind === undefined || key === undefined) return undefined;
  const size = num('size');
  const startSize = num('positionSize');
  return {
    spec: {
      kind,
      key,
      ...(contractId !== undefined ? { contractId } : {}),
      ...(orderId !== undefined ? { orderId } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(startSize !== undefined ? { startSize } : {}),
    },
    req: { intent, rule: r.rule, reason: r.reason, triggerAt: r.triggerAt },
    attempts: Math.max(1, num('attempts') ?? 1),
  };
}
