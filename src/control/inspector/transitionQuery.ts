// Replay of the transitions audit by time range (oldest first), filtered by account, actor and event type.
// The store's repository lists newest-first from a start time only; a replay needs both ends and an order.
import type { Database } from 'better-sqlite3';
import type { TransitionRow } from '../../store/index.ts';
import { decodeTransition, type TransitionRaw } from '../../store/repos/transitions.ts';

export interface TransitionQuery {
  accountId?: number;
  actorId?: string;
  /** Event type; a trailing "*" matches a prefix ("position.*"). */
  event?: string;
  /** Inclusive, epoch ms. */
  since?: number;
  /** Exclusive, epoch ms. */
  until?: number;
  /** Default 500, at most 5000. */
  limit?: number;
  /** 'asc' (replay, default) or 'desc' (latest first). */
  order?: 'asc' | 'desc';
}

export const MAX_QUERY_ROWS = 5000;


export function queryTransitions(db: Database, q: TransitionQuery): TransitionRow[] {
  const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 500)), MAX_QUERY_ROWS);
  const prefix = q.event?.endsWith('*') ? q.event.slice(0, -1) : undefined;
  const order = q.order === 'desc' ? 'DESC' : 'ASC';
  const rows = db
    .prepare<unknown[], TransitionRaw>(
      `SELECT id, account_id, actor_id, event, from_state, to_state, at FROM transitions
       WHERE (@accountId IS NULL OR account_id = @accountId)
         AND (@actorId IS NULL OR actor_id = @actorId)
         AND (@event IS NULL OR event = @event)
         AND (@prefix IS NULL OR substr(event, 1, length(@prefix)) = @prefix)
         AND (@since IS NULL OR at >= @since)
         AND (@until IS NULL OR at < @until)
       ORDER BY at ${order}, id ${order}
       LIMIT @limit`,
    )
    .all({
      accountId: q.accountId ?? null,
      actorId: q.actorId ?? null,
      event: prefix === undefined ? (q.event ?? null) : null,
      prefix: prefix ?? null,
      since: q.since ?? null,
      until: q.until ?? null,
      limit,
    });
  return rows.map(decodeTransition);
}
