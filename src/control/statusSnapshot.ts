// The status everyone sees (WS `status`, GET /api/status, `riskd status`): the daemon's live view, each
// account's last enforcement, and one health verdict (ok only when every account is monitored).
import type { Daemon } from '../runtime/daemon.ts';
import type { EnforcementRow } from '../store/index.ts';

export type Health = 'ok' | 'degraded' | 'down';

export type DaemonStatus = ReturnType<Daemon['status']>;
export type AccountStatus = DaemonStatus['accounts'][number];

export interface StatusSnapshot extends Omit<DaemonStatus, 'accounts'> {
  health: Health;
  /** Why the health is not ok, in words. */
  problems: string[];
  deadAccounts: number[];
  accounts: (AccountStatus & { lastEnforcement: LastEnforcement | null })[];
}

export interface LastEnforcement {
  at: number;
  rule: string;
  action: string;
  status: string;
  reason: string;
  outcome: string | null;
}

export function lastEnforcementOf(row: EnforcementRow | undefined): LastEnforcement | null {
  if (!row) return null;
  let action = 'unknown';
  try {
    action = String((JSON.parse(row.intent) as { type?: unknown }).type ?? 'unknown');
  } catch {
    // keep "unknown"
  }
  return { at: row.triggerAt, rule: row.rule, action, status: row.status, reason: row.reason, outcome: row.outcome ?? null };
}

export function statusSnapshot(daemon: Daemon): StatusSnapshot {
  const s = daemon.status();
  const deadAccounts = daemon.supervisor.deadAccounts();
  const accounts = s.accounts.map((a) => ({
    ...a,
    lastEnforcement: lastEnforcementOf(daemon.store.enforcement.list({ accountId: a.id, limit: 1 })[0]),
  }));
  const problems: string[] = [];
  if (s.phase !== 'live') problems.push(`daemon is ${s.phase}`);
  for (const hub of ['user', 'market'] as const) {
    const h = s.hubs?.[hub];
    if (!h) problems.push(`${hub} hub not started`);
    else if (h.state !== 'connected') problems.push(`${hub} hub ${h.state}${h.lastError ? ` (${h.lastError})` : ''}`);
  }
  for (const id of deadAccounts) problems.push(`account ${id} is not supervised (its state machine could not be rebuilt)`);
  if (s.rest.rateLimited) problems.push('REST rate limited: enforcement calls are waiting for the 200 / 60 s request budget');
  return { ...s, accounts, deadAccounts, problems, health: problems.length === 0 ? 'ok' : 'degraded' };
}
