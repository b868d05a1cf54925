// After a crash (kill -9, power loss) enforcement_log can hold rows still 'pending' or 'sent': their outcome was
// never observed. Those rows are the persisted in-flight actions: on start, once riskd can reach the gateway, the
// executor resumes the ones it can through their chart's `resumed` start (Executor.resume: a REST check first,
// never a blind re-send), and the rest are closed here as failed so the audit trail never shows an action as
// forever in flight (the restart reconciles from REST and the restored locks decide afresh what must be done).
import type { EnforcementRow } from './types.ts';

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
