// The audit log against the gateway's request log: a breach decided once writes one enforcement_log row per
// REST action riskd made, and no "absorbed" rows (a decision repeated while its action was under way). Rows
// the executor skipped without a call (nothing left to do, a stop move superseded by a tighter one while
// throttled) are single decisions that needed no request; they are listed, not counted.
import { expect } from 'vitest';
import type { RiskdProcess } from './riskd.ts';
import { enforcementCalls, type E2ESim } from './sim.ts';

export interface AuditSummary {
  rows: { id?: number; rule: string; intent: string; reason: string; status: string; outcome: string | null }[];
  restActions: number;
}

export function auditOf(riskd: RiskdProcess, env: E2ESim, accountId: number): AuditSummary {
  const rows = riskd
    .readStore((s) => s.enforcement.list({ accountId }))
    .map((r) => ({ id: r.id, rule: r.rule, intent: r.intent, reason: r.reason, status: r.status, outcome: r.outcome ?? null }));
  return { rows, restActions: enforcementCalls(env.sim, accountId).length };
}

/** Exactly one audit row per REST action, none absorbed (waits up to 3 s for actions under way to settle). */
export async function expectOneRowPerAction(riskd: RiskdProcess, env: E2ESim, accountId: number): Promise<void> {
  const until = Date.now() + 3000;
  let a = auditOf(riskd, env, accountId);
  const sent = (x: AuditSummary) => x.rows.filter((r) => r.status !== 'skipped').length;
  while (Date.now() < until && !(sent(a) === a.restActions && riskd.enforcementSettled(accountId))) {
    await new Promise((r) => setTimeout(r, 50));
    a = auditOf(riskd, env, accountId);
  }
  expect(a.rows.filter((r) => /absorbed/.test(r.outcome ?? '')), `absorbed (repeated) decisions in ${JSON.stringify(a.rows)}`).toEqual([]);
  expect(sent(a), `audit rows ${JSON.stringify(a.rows)} vs ${a.restActions} REST actions`).toBe(a.restActions);
}
