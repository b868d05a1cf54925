// Turns what the daemon reports (locks, enforcement rows, hub status) into notifications. Each listener does
// only in-memory work and hands off to the notifier's queue, so it adds nothing measurable to enforcement.
// A `breach` is the decision: a rule verdict that started an enforcement action (its audit row opened
// 'pending'), with the rule, its numbers and its sentence. The executor absorbs repeats of the same breach while
// an action is in flight (rows opened 'skipped'), so a breach re-evaluated on every quote notifies once; a retry
// after a failed action is the same breach and does not notify again. `enforcement` is what the action did.
// Titles and texts are plain words (times in the account's trading-day zone); rule ids, intent kinds and raw
// numbers stay in `data` for tools.
import type { Daemon, DaemonListeners } from '../runtime/daemon.ts';
import { lockDescription } from '../format/plain.ts';
import { feedLine } from '../control/dashboard/feedLine.ts';
import type { Notification } from './format.ts';
import type { Notifier } from './notifier.ts';

type LockChange = Parameters<NonNullable<DaemonListeners['onLock']>>[0];
type AuditRow = Parameters<NonNullable<DaemonListeners['onEnforcement']>>[0];
type HubStatus = Parameters<NonNullable<DaemonListeners['onHubStatus']>>[0];

const SENT = new Set(['sent', 'confirmed', 'reconciled']);
const REMEMBER = 2_000;

export interface EventSource {
  addListener(l: DaemonListeners): () => void;
  accountName(id: number): string;
  /** The account's trading-day zone (IANA), for times in words. */
  zoneOf(id: number): string;
  now(): number;
}

export function daemonEventSource(daemon: Daemon): EventSource {
  return {
    addListener: (l) => daemon.addListener(l),
    accountName: (id) => daemon.accounts.get(id)?.name ?? String(id),
    zoneOf: (id) => daemon.configOf(id).trading_day.timezone,
    now: () => daemon.now(), // the daemon's (injectable) clock
  };
}

export function lockNotification(c: LockChange, account: string, zone: string, at: number): Notification {
  const l = c.lock;
  if (c.type === 'lock.set') {
    return {
      event: 'lock',
      at,
      account,
      title: l.kind === 'symbol' ? `🔒 ${account}: ${l.symbol ?? 'a symbol'} blocked by ${l.rule}` : `🔒 ${account} locked by ${l.rule}`,
      text: `${lockDescription(l, zone, at)}: ${l.reason}`,
      data: { lock: l },
    };
  }
  return { event: 'unlock', at, account, title: `🔓 ${account} lock released`, text: `the ${l.rule} lock is released (${c.how ?? 'released'})`, data: { lock: l, how: c.how } };
}

/** A rule breach as the trader reads it: rule and sentence in the title/text, the rule's numbers as data. */
export function breachNotification(row: AuditRow, account: string, at: number): Notification {
  let numbers: Record<string, unknown> = {};
  try {
    numbers = JSON.parse(row.numbers) as Record<string, unknown>;
  } catch {
    // an unreadable numbers column still notifies the breach, without numbers
  }
  return {
    event: 'breach',
    at,
    account,
    title: `🚨 ${account}: ${row.rule} breached`,
    text: row.reason, // the rule's sentence already holds its numbers in words

    // triggerAt is 0 when the verdict came from a re-evaluation rather than one gateway event: left out then.
    data: { rule: row.rule, reason: row.reason, numbers, contractId: row.contractId ?? null, ...(row.triggerAt > 0 ? { triggerAt: row.triggerAt } : {}) },
  };
}

/** Wires a notifier to the daemon's events; returns the unsubscribe. */
export function attachNotifier(notifier: Notifier, src: EventSource): () => void {
  const notified = new Set<string>(); // row id + phase, so a row moving sent -> confirmed notifies once
  const hubState = new Map<string, string>();
  const failedBreaches = new Set<string>(); // account|rule|intent of actions that failed: their retry is no news
  const once = (key: string): boolean => {
    if (notified.has(key)) return false;
    notified.add(key);
    if (notified.size > REMEMBER) notified.delete(notified.values().next().value!);
    return true;
  };
  const breach = (row: AuditRow): void => {
    const key = `${row.accountId}|${row.rule}|${row.intent}`;
    if (row.status === 'failed') failedBreaches.add(key);
    else if (row.status === 'confirmed') failedBreaches.delete(key);
    if (row.status !== 'pending' || !once(`${row.id}:breach`)) return;
    if (failedBreaches.delete(key)) return; // the retry of a breach already notified
    if (failedBreaches.size > REMEMBER) failedBreaches.delete(failedBreaches.values().next().value!);
    notifier.notify(breachNotification(row, src.accountName(row.accountId), src.now()));
  };
  return src.addListener({
    onLock: (c) => notifier.notify(lockNotification(c, src.accountName(c.accountId), src.zoneOf(c.accountId), src.now())),
    onEnforcement: (row: AuditRow) => {
      breach(row);
      const phase = row.status === 'failed' ? 'failed' : SENT.has(row.status) ? 'sent' : null;
      if (!phase || !once(`${row.id}:${phase}`)) return;
      const account = src.accountName(row.accountId);
      let action = 'action';
      try {
        action = String((JSON.parse(row.intent) as { type?: unknown }).type ?? 'action');
      } catch {
        // keep "action"
      }
      const did = feedLine(row).text; // "closed 2 MNQ: over your 1-contract limit", as the dashboard feed says it
      notifier.notify({
        event: 'enforcement',
        at: src.now(),
        account,
        title: phase === 'failed' ? `⚠️ ${account}: riskd could not act on ${row.rule}` : `🛑 ${account} (${row.rule}): ${did}`,
        text: phase === 'failed' ? `tried: ${did}; ${row.outcome ?? 'no outcome recorded'}` : row.reason,
        data: { id: row.id, rule: row.rule, action, status: row.status, contractId: row.contractId ?? null, outcome: row.outcome ?? null },
      });
    },
    onHubStatus: (s: HubStatus) => {
      // The notifier starts once the daemon is live, so an unseen hub counts as connected.
      const before = hubState.get(s.hub) ?? 'connected';
      hubState.set(s.hub, s.state);
      if (before === s.state) return;
      const lost = s.state !== 'connected';
      if (lost && before !== 'connected') return; // reconnecting -> disconnected: already reported
      notifier.notify({
        event: 'connection',
        at: src.now(),
        account: null,
        title: lost ? `📡 riskd lost the ${s.hub} hub` : `📡 riskd ${s.hub} hub connected again`,
        text: lost
          ? `${s.hub} hub is ${s.state}${s.lastError ? ` (${s.lastError})` : ''}; riskd polls REST meanwhile so enforcement continues`
          : `${s.hub} hub reconnected (${s.reconnects} reconnect(s) so far); state reconciled from REST`,
        data: { hub: s.hub, state: s.state },
      });
    },
  });
}
