// Audit of admin commands (unlock, config reload, ...). Arguments pass through the logger's redaction, so an
// admin password sent with a command is never stored.
import type { Database } from 'better-sqlite3';
import type { AdminAuditRow } from '../types.ts';
import { SecretSet, sanitize } from '../../log/redact.ts';
import { parseJsonColumn } from './json.ts';

interface Raw {
  id: number;
  at: number;
  actor: string;
  command: string;
  args: string;
  outcome: string;
}

export interface AdminAuditRepo {
  insert(r: AdminAuditRow): number;
  /** Newest first. */
  list(filter: { since?: number; limit?: number }): AdminAuditRow[];
}

export function adminAuditRepo(db: Database): AdminAuditRepo {
  const noSecrets = new SecretSet();
  const insert = db.prepare('INSERT INTO admin_audit (at, actor, command, args, outcome) VALUES (?, ?, ?, ?, ?)');
  const list = db.prepare<{ since: number | null; limit: number }, Raw>(
    'SELECT * FROM admin_audit WHERE (@since IS NULL OR at >= @since) ORDER BY at DESC, id DESC LIMIT @limit',
  );

  return {
    insert(r) {
      const args = JSON.stringify(sanitize(r.args ?? null, noSecrets)) ?? 'null';
      return Number(insert.run(r.at, r.actor, r.command, args, r.outcome).lastInsertRowid);
    },
    list(f) {
      return list.all({ since: f.since ?? null, limit: f.limit ?? -1 }).map((r) => ({
        id: r.id,
        at: r.at,
        actor: r.actor,
        command: r.command,
        args: parseJsonColumn(r.args, `admin_audit(${r.id}).args`, db.name),
        outcome: r.outcome,
      }));
    },
  };
}
