// After a crash (kill -9, power loss) enforcement_log can hold rows still 'pending' or 'sent': their outcome was
// never observed. On start, before the executor runs, they are closed as failed so the audit trail never shows an
// action as forever in flight. Nothing is re-sent from them: the restart reconciles from REST and the restored
// locks decide afresh what must be enforced.
import type { EnforcementRow } from './types.ts';

export interface InterruptedRowsRepo {
  list(filter: { since?: number; limit?: number }): EnforcementRow[];
  update(id: number, patch: Partial<EnforcementRow>): void;
}

/** Marks unsettled rows triggered within `lookbackMs` as failed; returns how many. */
export function closeInterruptedRows(repo: InterruptedRowsRepo, now: number, lookbackMs = 7 * 24 * 3600_000): number {
  let n = 0;
  for (const r of repo.list({ since: now - lookbackMs, limit: 100_000 })) {
    if (r.id === undefined || (r.status !== 'pending' && r.status !== 'sent')) continue;
    repo.update(r.id, {
      status: 'failed',
      outcome: `interrupted: riskd stopped before this was confirmed${r.outcome ? ` (last: ${r.outcome})` : ''}; the restart reconciles from REST`,
    });
    n += 1;
  }
  return n;
}
