// Locks: several per account, kept forever as history; "active" means not yet released. Whether a deadline has
// passed is the lockout machine's decision (it owns the clock), not the store's.
import type { Database } from 'better-sqlite3';
import type { LockKind } from '../../rules/types.ts';
import type { LockRow } from '../types.ts';

interface Raw {
  id: string;
  account_id: number;
  kind: string;
  rule: string;
  reason: string;
  symbol: string | null;
  since: number;
  until: number | null;
  release_condition: string | null;
  released_at: number | null;
  released_how: string | null;
}

export interface LockRepo {
  upsert(r: LockRow): void;
  /** Marks a lock released; a second release keeps the first time and reason. Returns true if it changed a row. */
  release(id: string, releasedAt: number, how: string): boolean;
  get(id: string): LockRow | undefined;
  active(accountId?: number): LockRow[];
  /** Locks that were in force at some point in [since, until], newest first. */
  history(filter: { accountId?: number; since?: number; until?: number; limit?: number }): LockRow[];
}

const decode = (r: Raw): LockRow => ({
  id: r.id,
  accountId: r.account_id,
  kind: r.kind as LockKind,
  rule: r.rule,
  reason: r.reason,
  symbol: r.symbol,
  since: r.since,
  until: r.until,
  releaseCondition: r.release_condition,
  releasedAt: r.released_at,
  releasedHow: r.released_how,
});

export function lockRepo(db: Database): LockRepo {
  const upsert = db.prepare(`
    INSERT INTO locks (id, account_id, kind, rule, reason, symbol, since, until, release_condition, released_at, released_how)
    VALUES (@id, @accountId, @kind, @rule, @reason, @symbol, @since, @until, @releaseCondition, @releasedAt, @releasedHow)
    ON CONFLICT (id) DO UPDATE SET
      account_id = excluded.account_id, kind = excluded.kind, rule = excluded.rule, reason = excluded.reason,
      symbol = excluded.symbol, since = excluded.since, until = excluded.until,
      release_condition = excluded.release_condition, released_at = excluded.released_at,
      released_how = excluded.released_how`);
  const release = db.prepare(
    'UPDATE locks SET released_at = @releasedAt, released_how = @how WHERE id = @id AND released_at IS NULL',
  );
  const get = db.prepare<[string], Raw>('SELECT * FROM locks WHERE id = ?');
  const activeAll = db.prepare<[], Raw>('SELECT * FROM locks WHERE released_at IS NULL ORDER BY account_id, since, id');
  const activeOne = db.prepare<[number], Raw>(
    'SELECT * FROM locks WHERE released_at IS NULL AND account_id = ? ORDER BY since, id',
  );
  const history = db.prepare<{ accountId: number | null; since: number | null; until: number | null; limit: number }, Raw>(`
    SELECT * FROM locks
    WHERE (@accountId IS NULL OR account_id = @accountId)
      AND (@until IS NULL OR since <= @until)
      AND (@since IS NULL OR released_at IS NULL OR released_at >= @since)
    ORDER BY since DESC, id DESC
    LIMIT @limit`);

  return {
    upsert(r) {
      upsert.run({
        id: r.id,
        accountId: r.accountId,
        kind: r.kind,
        rule: r.rule,
        reason: r.reason,
        symbol: r.symbol ?? null,
        since: r.since,
        until: r.until ?? null,
        releaseCondition: r.releaseCondition ?? null,
        releasedAt: r.releasedAt ?? null,
        releasedHow: r.releasedHow ?? null,
      });
    },
    release(id, releasedAt, how) {
      return release.run({ id, releasedAt, how }).changes === 1;
    },
    get(id) {
      const r = get.get(id);
      return r ? decode(r) : undefined;
    },
    active(accountId) {
      return (accountId === undefined ? activeAll.all() : activeOne.all(accountId)).map(decode);
    },
    history(f) {
      return history
        .all({ accountId: f.accountId ?? null, since: f.since ?? null, until: f.until ?? null, limit: f.limit ?? -1 })
        .map(decode);
    },
  };
}
