// The enforcement log and the lock history, read from the store (the live one or a read-only copy) and
// rendered for people (table: plain words, times in the trading-day zone) or tools (csv, json: raw fields).
// Used by `riskd history` and the viewer `history` command. Skipped rows (repeats the executor absorbed,
// actions with nothing to do) are folded away unless `all` is asked for.
import type { Store } from '../store/index.ts';
import { dateTime, lockDescription, outcomeWords } from '../format/plain.ts';
import { feedLine } from './dashboard/feedLine.ts';

export type HistoryKind = 'enforcement' | 'locks' | 'admin';
export type HistoryFormat = 'table' | 'csv' | 'json';

export interface HistoryQuery {
  kind?: HistoryKind;
  /** Account name or numeric id. */
  account?: string;
  rule?: string;
  since?: number;
  until?: number;
  limit?: number;
  /** Keep enforcement rows that did nothing (status skipped). Default: folded away. */
  all?: boolean;
}

export type HistoryRow = Record<string, string | number | null>;

export class HistoryQueryError extends Error {}

/** The name riskd knows for each account id (accounts table, the effective config, then the names the daemon remembered). */
export function accountNames(store: Store): Map<number, string> {
  const names = new Map<number, string>();
  for (const a of store.accounts.all()) names.set(a.id, a.name);
  for (const c of store.effectiveConfig.all()) if (!names.has(c.accountId)) names.set(c.accountId, c.accountName);
  for (const id of store.snapshots.listAccounts()) {
    const n = store.meta.get(`account.${id}.name`);
    if (n && !names.has(id)) names.set(id, n);
  }
  return names;
}

export function resolveAccountId(store: Store, account: string): number {
  const names = accountNames(store);
  for (const [id, name] of names) if (name === account) return id;
  if (/^\d+$/.test(account)) return Number(account);
  const known = [...names.values()].join(', ') || 'none recorded yet';
  throw new HistoryQueryError(`unknown account "${account}" (known: ${known})`);
}

const iso = (ms: number | null | undefined): string | null => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

/** Newest first. Enforcement rows: the audit log; lock rows: every lock in force at some point in [since, until]. */
export function queryHistory(store: Store, q: HistoryQuery): HistoryRow[] {
  const names = accountNames(store);
  const accountId = q.account !== undefined && q.kind !== 'admin' ? resolveAccountId(store, q.account) : undefined;
  const base = {
    ...(accountId !== undefined ? { accountId } : {}),
    ...(q.since !== undefined ? { since: q.since } : {}),
    ...(q.until !== undefined ? { until: q.until } : {}),
  };
  const limit = q.limit ?? 1000;
  const nameOf = (id: number) => names.get(id) ?? String(id);
  if (q.kind === 'admin') {
    // The admin audit: who asked for what (unlock, reload, logins, password changes) and what came of it.
    return store.adminAudit
      .list(q.since !== undefined ? { since: q.since } : {})
      .filter((a) => (q.until === undefined || a.at <= q.until) && (q.account === undefined || (a.args as { account?: unknown } | null)?.account === q.account))
      .slice(0, limit)
      .map((a) => ({ at: iso(a.at), actor: a.actor, command: a.command, args: JSON.stringify(a.args ?? null), outcome: a.outcome, id: a.id ?? null }));
  }
  if ((q.kind ?? 'enforcement') === 'locks') {
    // The locks repo has no rule filter; filter here, then apply the limit.
    return store.locks
      .history(q.rule === undefined ? { ...base, limit } : base)
      .filter((l) => q.rule === undefined || l.rule === q.rule)
      .slice(0, limit)
      .map((l) => ({
        since: iso(l.since),
        account: nameOf(l.accountId),
        rule: l.rule,
        kind: l.kind,
        symbol: l.symbol ?? null,
        until: iso(l.until),
        releasedAt: iso(l.releasedAt),
        releasedHow: l.releasedHow ?? null,
        reason: l.reason,
        id: l.id,
      }));
  }
  return store.enforcement.list({ ...base, ...(q.rule !== undefined ? { rule: q.rule } : {}), limit, hideSkipped: q.all !== true }).map((r) => ({
    at: iso(r.triggerAt),
    account: nameOf(r.accountId),
    rule: r.rule,
    action: actionOf(r.intent),
    contract: r.contractId ?? null,
    status: r.status,
    latencyMs: r.confirmedAt != null ? r.confirmedAt - r.triggerAt : r.requestAt != null ? r.requestAt - r.triggerAt : null,
    endpoint: r.endpoint ?? null,
    outcome: r.outcome ?? null,
    reason: r.reason,
    /** What riskd did and why, in words (the dashboard feed's sentence): "closed 2 MNQ: over your 1-contract limit". */
    summary: feedLine(r).text,
    id: r.id ?? null,
  }));
}

/** How many enforcement rows matching `q` a folded list leaves out (0 when `q.all`). */
export function foldedCount(store: Store, q: HistoryQuery): number {
  if ((q.kind ?? 'enforcement') !== 'enforcement' || q.all) return 0;
  const accountId = q.account !== undefined ? resolveAccountId(store, q.account) : undefined;
  return store.enforcement.countSkipped({
    ...(accountId !== undefined ? { accountId } : {}),
    ...(q.rule !== undefined ? { rule: q.rule } : {}),
    ...(q.since !== undefined ? { since: q.since } : {}),
    ...(q.until !== undefined ? { until: q.until } : {}),
  });
}

/** The trading-day zone riskd last ran each account with (from the saved effective configuration). */
export function zonesByAccount(store: Store): (account: string) => string {
  const zones = new Map(store.effectiveConfig.all().map((r) => [r.accountName, r.config.trading_day.timezone]));
  return (account) => zones.get(account) ?? 'UTC';
}

/**
 * History rows as a person reads them: times in the account's trading-day zone, actions and statuses in words,
 * locks described. `verbose` keeps the internal fields (endpoint, contract id, lock kind) next to the words.
 */
export function forPeople(rows: HistoryRow[], kind: HistoryKind, zoneOf: (account: string) => string, verbose = false, now = Date.now()): HistoryRow[] {
  const ms = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  if (kind === 'admin') return rows;
  if (kind === 'locks') {
    return rows.map((r) => {
      const zone = zoneOf(String(r['account']));
      const until = ms(r['until']);
      const released = ms(r['releasedAt']);
      return {
        since: dateTime(ms(r['since']), zone),
        account: r['account'] ?? null,
        rule: r['rule'] ?? null,
        lock: lockDescription({ kind: String(r['kind']), symbol: text(r['symbol']), until: Number.isFinite(until) ? until : null }, zone, now),
        released: Number.isFinite(released) ? `${dateTime(released, zone)} (${r['releasedHow'] ?? 'released'})` : 'in force',
        ...(verbose ? { kind: r['kind'] ?? null, id: r['id'] ?? null } : {}),
        reason: r['reason'] ?? null,
      };
    });
  }
  return rows.map((r) => {
    const zone = zoneOf(String(r['account']));
    const at = ms(r['at']);
    return {
      time: Number.isFinite(at) ? dateTime(at, zone, true) : '-',
      account: r['account'] ?? null,
      rule: r['rule'] ?? null,
      result: outcomeWords(String(r['status'])),
      latency: typeof r['latencyMs'] === 'number' ? `${r['latencyMs']} ms` : null,
      ...(verbose ? { action: r['action'] ?? null, endpoint: r['endpoint'] ?? null, contract: text(r['contract']), status: r['status'] ?? null, outcome: r['outcome'] ?? null, reason: r['reason'] ?? null, id: r['id'] ?? null } : {}),
      what: r['summary'] ?? r['reason'] ?? null, // last: long text does not push the other columns
    };
  });
}

function actionOf(intentJson: string): string {
  try {
    const i = JSON.parse(intentJson) as { type?: unknown; kind?: unknown };
    return String(i.type ?? i.kind ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

export function formatHistory(rows: HistoryRow[], format: HistoryFormat): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (rows.length === 0) return format === 'csv' ? '' : 'no entries\n';
  const cols = Object.keys(rows[0]!);
  if (format === 'csv') {
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return `${[cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
  }
  // Table: the id column is for tools; the long text goes last (it may run to 200 columns, the others 40).
  const shown = cols.filter((c) => c !== 'id');
  const text = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const widths = shown.map((c, i) => Math.min(i === shown.length - 1 ? 200 : 40, Math.max(c.length, ...rows.map((r) => text(r[c]).length))));
  const line = (vals: string[]) => vals.map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(shown), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(shown.map((c) => text(r[c]))))].join('\n')}\n`;
}

/**
 * A time given on the command line: an ISO date/datetime ("2026-11-24", "2026-11-24T09:30:00Z") or an age
 * before now ("90m", "24h", "7d").
 */
export function parseWhen(value: string, now: number = Date.now()): number {
  const rel = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new HistoryQueryError(`"${value}" is not a time: use an ISO date like 2026-11-24 or 2026-11-24T09:30:00Z, or an age like 90m, 24h, 7d`);
  return t;
}
