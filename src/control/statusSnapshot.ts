// The status everyone sees (WS `status`, GET /api/status, `riskd status`, `riskd watch`): the daemon's live
// view, the limits in force per rule (from the daemon's own configuration), each lock in words, each account's
// last enforcement, and one health verdict (ok only when every account is monitored).
import type { Daemon } from '../runtime/daemon.ts';
import type { EnforcementRow } from '../store/index.ts';
import { gatewayRefusalNotes, lockDescription } from '../format/plain.ts';
import { ruleLimits, type RuleLimit } from './ruleLimits.ts';
import { feedLine } from './dashboard/feedLine.ts';

export type Health = 'ok' | 'degraded' | 'down';

export type DaemonStatus = ReturnType<Daemon['status']>;
export type AccountStatus = DaemonStatus['accounts'][number];

/** A lock as the views show it: the machine's lock plus what it means in words and any pending admin unlock. */
export type StatusLock = AccountStatus['locks'][number] & {
  /** "locked until the 17:00 CT reset", "no new trades until 09:05 CT", "no trading in CL". */
  description: string;
  /** When a delayed admin unlock takes effect (epoch ms); null: none pending. */
  unlockAt: number | null;
};

export interface StatusAccount extends Omit<AccountStatus, 'locks'> {
  locks: StatusLock[];
  /** The trading-day zone (IANA) every time of this account is shown in. */
  zone: string;
  /** Every enabled rule: used vs the limit in force in this daemon. */
  limits: RuleLimit[];
  lastEnforcement: LastEnforcement | null;
  /** What the gateway refuses on this account and what riskd does instead, in words (none: nothing refused). */
  gatewayRefuses: string[];
}

export interface StatusSnapshot extends Omit<DaemonStatus, 'accounts'> {
  health: Health;
  /** Why the health is not ok, in words. */
  problems: string[];
  deadAccounts: number[];
  accounts: StatusAccount[];
}

export interface LastEnforcement {
  at: number;
  rule: string;
  action: string;
  status: string;
  reason: string;
  outcome: string | null;
  /** The contract it acted on, when it was one contract. */
  contract: string | null;
  /** What riskd did and why, in words: "closed 2 MNQ: over your 1-contract limit". */
  summary: string;
}

export function lastEnforcementOf(row: EnforcementRow | undefined): LastEnforcement | null {
  if (!row) return null;
  let action = 'unknown';
  try {
    action = String((JSON.parse(row.intent) as { type?: unknown }).type ?? 'unknown');
  } catch {
    // keep "unknown"
  }
  return { at: row.triggerAt, rule: row.rule, action, status: row.status, reason: row.reason, outcome: row.outcome ?? null, contract: row.contractId ?? null, summary: feedLine(row).text };
}

export function statusSnapshot(daemon: Daemon): StatusSnapshot {
  const s = daemon.status();
  const deadAccounts = daemon.supervisor.deadAccounts();
  const accounts = s.accounts.map((a): StatusAccount => {
    const cfg = daemon.configOf(a.id);
    const zone = cfg.trading_day.timezone;
    const pending = daemon.supervisor.get(a.id)?.actor.getSnapshot().context.pendingUnlocks ?? [];
    return {
      ...a,
      locks: a.locks.map((l) => ({
        ...l,
        description: lockDescription(l, zone, s.now),
        unlockAt: pending.find((p) => p.lockId === l.id)?.effectiveAt ?? null,
      })),
      zone,
      limits: ruleLimits(a, cfg, s.now),
      lastEnforcement: lastEnforcementOf(daemon.store.enforcement.list({ accountId: a.id, limit: 1 })[0]),
      gatewayRefuses: gatewayRefusalNotes(daemon.executor.accountRefusals(a.id)),
    };
  });
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
