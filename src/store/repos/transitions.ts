// Inspection audit: every statechart transition (actor, event, from -> to). It grows with every event, so it is
// pruned by age and/or count.
import type { Database } from 'better-sqlite3';
import type { TransitionRow } from '../types.ts';

/** A transitions row as SQLite returns it. */
export interface TransitionRaw {
  id: number;
  account_id: number;
  actor_id: string;
  event: string;
  from_state: string;
  to_state: string;
  at: number;
}

export interface TransitionRepo {
  insert(r: TransitionRow): void;
  /** Newest first. */
  list(filter: { accountId?: number; actorId?: string; since?: number; limit?: number }): TransitionRow[];
  /**
   * Deletes rows older than `olderThanMs` (epoch ms: rows with at < olderThanMs) and/or all but the newest
   * `keepLast` rows. Returns the number deleted.
   */
  prune(opts: { olderThanMs?: number; keepLast?: number }): number;
  count(): number;
}

export const decodeTransition = (r: TransitionRaw): TransitionRow => ({
  id: r.id,
  accountId: r.account_id,
  actorId: r.actor_id,
  event: r.event,
  from: r.from_state,
  to: r.to_state,
  at: r.at,
});

export function transitionRepo(db: Database): TransitionRepo {
  const insert = db.prepare(
    'INSERT INTO transitions (account_id, actor_id, event, from_state, to_state, at) VALUES (@accountId, @actorId, @event, @from, @to, @at)',
  );
  const list = db.prepare<{ accountId: number | null; actorId: string | null; since: number | null; limit: number }, TransitionRaw>(`
    SELECT * FROM transitions
    WHERE (@accountId IS NULL OR account_id = @accountId)
      AND (@actorId IS NULL OR actor_id = @actorId)
      AND (@since IS NULL OR at >= @since)
    ORDER BY at DESC, id DESC
    LIMIT @limit`);
  const pruneOlder = db.prepare('DELETE FROM transitions WHERE at < ?');
  // Keep the newest N by insertion order (id), which is also time order for one process.
  const pruneKeep = db.prepare(
    'DELETE FROM transitions WHERE id <= (SELECT id FROM transitions ORDER BY id DESC LIMIT 1 OFFSET ?)',
  );
  const count = db.prepare('SELECT COUNT(*) FROM transitions').pluck();

  return {
    insert(r) {
      insert.run({ accountId: r.accountId, actorId: r.actorId, event: r.event, from: r.from, to: r.to, at: r.at });
    },
    list(f) {
      return list
        .all({ accountId: f.accountId ?? null, actorId: f.actorId ?? null, since: f.since ?? null, limit: f.limit ?? -1 })
        .map(decodeTransition);
    },
    prune({ olderThanMs, keepLast }) {
      let deleted = 0;
      if (olderThanMs !== undefined) deleted += pruneOlder.run(olderThanMs).changes;
      if (keepLast !== undefined) {
        if (!Number.isInteger(keepLast) || keepLast < 0) throw new RangeError(`transitions.prune: keepLast must be a non-negative integer, got ${keepLast}`);
        deleted += pruneKeep.run(keepLast).changes;
      }
      return deleted;
    },
    count() {
      return count.get() as number;
    },
  };
}
