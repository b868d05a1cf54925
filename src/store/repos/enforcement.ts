// The enforcement audit log: every action riskd takes, with rule, reason, numbers, timing and outcome.
import type { Database } from 'better-sqlite3';
import type { EnforcementRow, EnforcementStatus } from '../types.ts';
import { StoreDataError } from '../errors.ts';

interface Raw {
  id: number;
  account_id: number;
  rule: string;
  intent: string;
  reason: string;
  numbers: string;
  status: string;
  trigger_at: number;
  request_at: number | null;
  confirmed_at: number | null;
  outcome: string | null;
  endpoint: string | null;
  contract_id: string | null;
}

export interface EnforcementFilter {
  accountId?: number;
  rule?: string;
  since?: number;
  until?: number;
  limit?: number;
  /** Leave out rows that did nothing (status skipped: absorbed repeats, nothing to do). Default: keep them. */
  hideSkipped?: boolean;
}

export interface EnforcementRepo {
  insert(r: EnforcementRow): number;
  /** Changes only the fields present in `patch` (a field set to null is cleared). Throws if the id is unknown. */
  update(id: number, patch: Partial<EnforcementRow>): void;
  get(id: number): EnforcementRow | undefined;
  /** Newest first (by trigger time), filtered by trigger time in [since, until]. */
  list(filter: EnforcementFilter): EnforcementRow[];
  /** How many skipped rows match the filter (what a folded list leaves out). */
  countSkipped(filter: Omit<EnforcementFilter, 'limit' | 'hideSkipped'>): number;
}

/** Updatable columns: patch field -> column. */
const PATCHABLE = {
  accountId: 'account_id',
  rule: 'rule',
  intent: 'intent',
  reason: 'reason',
  numbers: 'numbers',
  status: 'status',
  triggerAt: 'trigger_at',
  requestAt: 'request_at',
  confirmedAt: 'confirmed_at',
  outcome: 'outcome',
  endpoint: 'endpoint',
  contractId: 'contract_id',
} as const satisfies Record<Exclude<keyof EnforcementRow, 'id'>, string>;

const decode = (r: Raw): EnforcementRow => ({
  id: r.id,
  accountId: r.account_id,
  rule: r.rule,
  intent: r.intent,
  reason: r.reason,
  numbers: r.numbers,
  status: r.status as EnforcementStatus,
  triggerAt: r.trigger_at,
  requestAt: r.request_at,
  confirmedAt: r.confirmed_at,
  outcome: r.outcome,
  endpoint: r.endpoint,
  contractId: r.contract_id,
});

export function enforcementRepo(db: Database): EnforcementRepo {
  const insert = db.prepare(`
    INSERT INTO enforcement_log (account_id, rule, intent, reason, numbers, status, trigger_at, request_at,
      confirmed_at, outcome, endpoint, contract_id)
    VALUES (@accountId, @rule, @intent, @reason, @numbers, @status, @triggerAt, @requestAt, @confirmedAt, @outcome,
      @endpoint, @contractId)`);
  // One statement for every partial update: each column keeps its value unless its "has_" flag is set.
  const entries = Object.entries(PATCHABLE);
  const update = db.prepare(
    `UPDATE enforcement_log SET ${entries
      .map(([f, col]) => `${col} = CASE WHEN @has_${f} THEN @${f} ELSE ${col} END`)
      .join(', ')} WHERE id = @id`,
  );
  const get = db.prepare<[number], Raw>('SELECT * FROM enforcement_log WHERE id = ?');
  type Where = { accountId: number | null; rule: string | null; since: number | null; until: number | null };
  const WHERE = `(@accountId IS NULL OR account_id = @accountId)
      AND (@rule IS NULL OR rule = @rule)
      AND (@since IS NULL OR trigger_at >= @since)
      AND (@until IS NULL OR trigger_at <= @until)`;
  const list = db.prepare<Where & { hideSkipped: number; limit: number }, Raw>(`
    SELECT * FROM enforcement_log
    WHERE ${WHERE} AND (@hideSkipped = 0 OR status <> 'skipped')
    ORDER BY trigger_at DESC, id DESC
    LIMIT @limit`);
  const countSkipped = db.prepare<Where, number>(`SELECT COUNT(*) FROM enforcement_log WHERE ${WHERE} AND status = 'skipped'`).pluck();
  const where = (f: EnforcementFilter): Where => ({ accountId: f.accountId ?? null, rule: f.rule ?? null, since: f.since ?? null, until: f.until ?? null });

  return {
    insert(r) {
      const info = insert.run({
        accountId: r.accountId,
        rule: r.rule,
        intent: r.intent,
        reason: r.reason,
        numbers: r.numbers,
        status: r.status,
        triggerAt: r.triggerAt,
        requestAt: r.requestAt ?? null,
        confirmedAt: r.confirmedAt ?? null,
        outcome: r.outcome ?? null,
        endpoint: r.endpoint ?? null,
        contractId: r.contractId ?? null,
      });
      return Number(info.lastInsertRowid);
    },
    update(id, patch) {
      const params: Record<string, unknown> = { id };
      for (const [field] of entries) {
        const has = Object.prototype.hasOwnProperty.call(patch, field) && (patch as Record<string, unknown>)[field] !== undefined;
        params[`has_${field}`] = has ? 1 : 0;
        params[field] = has ? (patch as Record<string, unknown>)[field] : null;
      }
      if (update.run(params).changes !== 1) {
        throw new StoreDataError(`${db.name}: enforcement_log has no row with id ${id} to update`, db.name);
      }
    },
    get(id) {
      const r = get.get(id);
      return r ? decode(r) : undefined;
    },
    list(f) {
      return list.all({ ...where(f), hideSkipped: f.hideSkipped ? 1 : 0, limit: f.limit ?? -1 }).map(decode);
    },
    countSkipped(f) {
      return countSkipped.get(where(f))!;
    },
  };
}
