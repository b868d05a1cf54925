// `riskd status` for a person: one block per account with P&L, positions, locks (time left), connection
// health and the last enforcement.
import type { OfflineStatus } from './offlineStatus.ts';
import type { LastEnforcement, StatusSnapshot } from './statusSnapshot.ts';

export const money = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : `${v < 0 ? '-' : ''}$${Math.abs(v).toFixed(2)}`;

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${String(m % 60).padStart(2, '0')}m` : `${Math.floor(h / 24)}d${h % 24}h`;
}

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

function lastAction(e: LastEnforcement | null, now: number): string {
  if (!e) return 'none';
  return `${time(e.at)} (${duration(now - e.at)} ago) ${e.rule} ${e.action} ${e.status}: ${e.reason}`;
}

function lockLine(l: { rule: string; kind: string; symbol: string | null; reason: string; remainingMs: number | null; releaseCondition?: string | null }): string {
  const left = l.remainingMs === null ? (l.releaseCondition ?? 'until its release condition') : `${duration(l.remainingMs)} left`;
  return `${l.rule} ${l.kind}${l.symbol ? ` ${l.symbol}` : ''}: ${l.reason} (${left})`;
}

export function renderLiveStatus(s: StatusSnapshot): string {
  const out: string[] = [];
  const hubs = s.hubs ? `user hub ${s.hubs.user.state}, market hub ${s.hubs.market.state}` : 'hubs not started';
  out.push(`riskd: ${s.phase} (${s.health}) · up ${duration(s.now - s.startedAt)} · ${hubs}`);
  for (const p of s.problems) out.push(`  ! ${p}`);
  for (const a of s.accounts) {
    const accountLocked = a.locks.some((l) => l.kind !== 'symbol');
    out.push('');
    out.push(`${a.name}  ${accountLocked ? 'LOCKED' : a.locks.length > 0 ? 'symbol-locked' : 'open'}`);
    out.push(`  P&L today    realized ${money(a.realized)}   unrealized ${money(a.unrealized)}   net ${money(a.net)}`);
    out.push(
      `  positions    ${
        a.positions.length === 0
          ? 'none'
          : a.positions.map((p) => `${p.symbol} ${p.side} ${p.size} @ ${p.averagePrice} (${money(p.unrealized)})`).join('; ')
      }   working orders ${a.workingOrders}`,
    );
    if (a.locks.length === 0) out.push('  locks        none');
    else a.locks.forEach((l, i) => out.push(`  ${i === 0 ? 'locks ' : '      '}       ${lockLine(l)}`));
    out.push(`  can trade    ${a.canTrade === null ? 'unknown' : a.canTrade ? 'yes' : 'NO'}   entries today ${a.entriesToday}`);
    out.push(`  last action  ${lastAction(a.lastEnforcement, s.now)}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderOfflineStatus(s: OfflineStatus): string {
  const out: string[] = [`riskd is NOT running: nothing is being enforced. Last saved state from ${s.dataFile}:`];
  if (s.accounts.length === 0) out.push('  (no account recorded yet)');
  for (const a of s.accounts) {
    out.push('');
    out.push(`${a.name}  ${a.locks.some((l) => l.kind !== 'symbol') ? 'LOCKED (when riskd runs again)' : 'no account-wide lock saved'}`);
    out.push(`  P&L          realized ${money(a.realized)}${a.tradingDay ? ` (trading day ${a.tradingDay})` : ''}; unrealized unknown while down`);
    out.push(
      `  positions    ${
        a.positions.length === 0 ? 'none saved' : a.positions.map((p) => `${p.contractId} ${p.type === 2 ? 'short' : 'long'} ${p.size} @ ${p.averagePrice}`).join('; ')
      }`,
    );
    if (a.locks.length === 0) out.push('  locks        none');
    else a.locks.forEach((l, i) => out.push(`  ${i === 0 ? 'locks ' : '      '}       ${lockLine(l)}`));
    out.push(`  last action  ${lastAction(a.lastEnforcement, s.now)}`);
  }
  return `${out.join('\n')}\n`;
}
