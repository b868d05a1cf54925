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

export class AuditTrail {
  private localId = -1;

  constructor(
    private readonly log: EnforcementLogPort,
    private readonly logger: Logger,
    private readonly onAction: (row: Readonly<AuditRow>) => void,
  ) {}

  open(
    req: EnforcementRequest,
    status: EnforcementStatus,
    fields: { endpoint?: string | null; contractId?: string | null; outcome?: string | null },
  ): AuditRow {
    const row: EnforcementRow = {
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
    let id: number;
    try {
      id = this.log.insert(row);
    } catch (err) {
      // Keep enforcing; a negative id marks a row the store never got.
      id = this.localId--;
      this.logger.error('enforcement_log insert failed', { error: String(err), rule: req.rule });
    }
    const full: AuditRow = { ...row, id };
    this.emit(full);
    return full;
  }

  update(row: AuditRow, patch: Partial<EnforcementRow>, extraNumbers?: Record<string, unknown>): void {
    if (extraNumbers) {
      const numbers = { ...(JSON.parse(row.numbers) as Record<string, unknown>), ...extraNumbers };
      patch = { ...patch, numbers: JSON.stringify(numbers) };
    }
    Object.assign(row, patch);
    if (row.id >= 0) {
      try {
        this.log.update(row.id, patch);
      } catch (err) {
        this.logger.error('enforcement_log update failed', { error: String(err), id: row.id });
      }
    }
    this.emit(row);
  }

  /**
   * Listeners (dashboards, notifications) hear a copy of the row as it is now, on the next microtask: the row of an
   * action is opened right before its request, which must not wait for them.
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
