// The enforcement audit log: one enforcement_log row per gateway action (or per absorbed/skipped intent),
// moving pending -> sent -> confirmed | reconciled | failed, or straight to skipped. Writes are synchronous
// (better-sqlite3), and every change is pushed to `onAction` for dashboards and notifications (a microtask later).
// A failing store must never stop enforcement: write errors are logged and the action goes on.
import type { Logger } from '../log/logger.ts';
import type { EnforcementLogPort, EnforcementRequest, EnforcementRow, EnforcementStatus } from './types.ts';

export interface Latency {
  /** Triggering event -> request handed to the REST client (ms, wall clock). */
  triggerToRequestMs?: number;
  /** execute() -> request handed to the REST client (µs, monotonic): riskd's own overhead. */
  executeToRequestUs?: number;
  /** Triggering event -> confirmation (ms, wall clock). */
  triggerToConfirmMs?: number;
}

/** A row as held in memory while its action runs. */
export interface AuditRow extends EnforcementRow {
  id: number;
}

/** The id of a drafted row not inserted yet (SQLite row ids start at 1). */
const UNSTORED = 0;

export class AuditTrail {
  private localId = -1;

  constructor(
    private readonly log: EnforcementLogPort,
    private readonly logger: Logger,
    private readonly onAction: (row: Readonly<AuditRow>) => void,
  ) {}

  /** A row stored at once (absorbed or skipped intents, rows with no request behind them). */
  open(
    req: EnforcementRequest,
    status: EnforcementStatus,
    fields: { endpoint?: string | null; contractId?: string | null; outcome?: string | null },
  ): AuditRow {
    const row = this.draft(req, status, fields);
    this.store(row);
    return row;
  }

  /**
   * A row for an action about to send: `store` inserts it once the request has been handed over, so its insert
   * (and the JSON of intent and numbers) is no part of the breach's latency. Same turn, same commit as before.
   */
  draft(
    req: EnforcementRequest,
    status: EnforcementStatus,
    fields: { endpoint?: string | null; contractId?: string | null; outcome?: string | null },
  ): AuditRow {
    return {
      id: UNSTORED,
      accountId: req.intent.accountId,
      rule: req.rule,
      intent: JSON.stringify(req.intent),
      reason: req.reason,
      numbers: JSON.stringify(req.numbers ?? {}),
      status,
      triggerAt: req.triggerAt,
      requestAt: null,
      confirmedAt: null,
      outcome: fields.outcome ?? null,
      endpoint: fields.endpoint ?? null,
      contractId: fields.contractId ?? null,
    };
  }

  /** Inserts a draft (once: a stored row is left alone) and tells the listeners. */
  store(row: AuditRow): void {
    if (row.id !== UNSTORED) return;
    const { id: _unstored, ...fields } = row;
    try {
      row.id = this.log.insert(fields);
    } catch (err) {
      // Keep enforcing; a negative id marks a row the store never got.
      row.id = this.localId--;
      this.logger.error('enforcement_log insert failed', { error: String(err), rule: row.rule });
    }
    this.emit(row);
  }

  update(row: AuditRow, patch: Partial<EnforcementRow>, extraNumbers?: Record<string, unknown>): void {
    if (extraNumbers) {
      const numbers = { ...(JSON.parse(row.numbers) as Record<string, unknown>), ...extraNumbers };
      patch = { ...patch, numbers: JSON.stringify(numbers) };
    }
    Object.assign(row, patch);
    if (row.id === UNSTORED) return; // store() writes it whole, and tells the listeners then
    if (row.id > 0) {
      try {
        this.log.update(row.id, patch);
      } catch (err) {
        this.logger.error('enforcement_log update failed', { error: String(err), id: row.id });
      }
    }
    this.emit(row);
  }

  /**
   * Listeners (dashboards, notifications) hear a copy of the row as it is now, on the next microtask: nothing of
   * theirs runs inside the turn that sends an enforcement.
   */
  private emit(row: AuditRow): void {
    const copy = { ...row };
    queueMicrotask(() => {
      try {
        this.onAction(copy);
      } catch (err) {
        this.logger.warn('onAction listener threw', { error: String(err) });
      }
    });
  }
}
