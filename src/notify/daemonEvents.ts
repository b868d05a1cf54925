// Turns what the daemon reports (locks, enforcement rows, hub status) into notifications. Each listener does
// only in-memory work and hands off to the notifier's queue, so it adds nothing measurable to enforcement.
import type { Daemon, DaemonListeners } from '../runtime/daemon.ts';
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
  now(): number;
}

export function daemonEventSource(daemon: Daemon): EventSource {
  return {
    addListener: (l) => daemon.addListener(l),
    accountName: (id) => daemon.accounts.get(id)?.name ?? String(id),
    now: Date.now,
  };
}

const when = (ms: number | null) => (ms === null ? 'until its release condition' : `until ${new Date(ms).toISOString()}`);

export function lockNotification(c: LockChange, account: string, at: number): Notification {
  const l = c.lock;
  const what = `${l.rule} ${l.kind}${l.symbol ? ` ${l.symbol}` : ''}`;
  if (c.type === 'lock.set') {
    return {
      event: 'lock',
      at,
      account,
      title: `🔒 ${account} locked by ${l.rule}`,
      text: `${what}: ${l.reason} (${when(l.until)})`,
      data: { lock: l },
    };
  }
  return { event: 'unlock', at, account, title: `🔓 ${account} lock released`, text: `${what} released: ${c.how ?? 'released'}`, data: { lock: l, how: c.how } };
}

/** Wires a notifier to the daemon's events; returns the unsubscribe. */
export function attachNotifier(notifier: Notifier, src: EventSource): () => void {
  const notified = new Set<string>(); // row id + phase, so a row moving sent -> confirmed notifies once
  const hubState = new Map<string, string>();
  const once = (key: string): boolean => {
    if (notified.has(key)) return false;
    notified.add(key);
    if (notified.size > REMEMBER) notified.delete(notified.values().next().value!);
    return true;
  };
  return src.addListener({
    onLock: (c) => notifier.notify(lockNotification(c, src.accountName(c.accountId), src.now())),
    onEnforcement: (row: AuditRow) => {
      const phase = row.status === 'failed' ? 'failed' : SENT.has(row.status) ? 'sent' : null;
      if (!phase || !once(`${row.id}:${phase}`)) return;
      const account = src.accountName(row.accountId);
      let action = 'action';
      try {
        action = String((JSON.parse(row.intent) as { type?: unknown }).type ?? 'action');
      } catch {
        // keep "action"
      }
      notifier.notify({
        event: 'enforcement',
        at: src.now(),
        account,
        title: phase === 'failed' ? `⚠️ ${account}: ${row.rule} ${action} FAILED` : `🛑 ${account}: ${row.rule} ${action}${row.contractId ? ` ${row.contractId}` : ''}`,
        text: `${row.reason}${row.outcome ? ` — ${row.outcome}` : ''}`,
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
