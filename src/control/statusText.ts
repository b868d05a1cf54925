// `riskd status` for a person: one block per account with P&L, positions, locks in words, the limits in force
// (used vs limit), the broker's own trading permission and the last enforcement. Times are in the account's
// trading-day zone. `verbose` adds the internal names (lock kinds and ids, rule keys) that --json always has.
import type { OfflineStatus } from './offlineStatus.ts';
import type { RuleLimit } from './ruleLimits.ts';
import type { LastEnforcement, StatusSnapshot } from './statusSnapshot.ts';
import { ago, clock, clockSeconds, duration, money, outcomeWords } from '../format/plain.ts';
import { symbolOf } from '../ledger/symbols.ts';

export interface StatusTextOptions {
  verbose?: boolean;
}

const LABEL = 13;
const row = (label: string, text: string) => `  ${label.padEnd(LABEL)}${text}`;
const more = (text: string) => `  ${' '.repeat(LABEL)}${text}`;

function lastAction(e: LastEnforcement | null, zone: string, now: number): string {
  if (!e) return 'none';
  return `${clockSeconds(e.at, zone)} (${ago(now - e.at)} ago) ${e.rule} ${e.summary} (${outcomeWords(e.status)})`;
}

interface LockLike {
  id: string;
  rule: string;
  kind: string;
  reason: string;
  description: string;
  remainingMs: number | null;
  unlockAt: number | null;
}

function lockLines(locks: readonly LockLike[], zone: string, now: number, o: StatusTextOptions): string[] {
  if (locks.length === 0) return [row('locks', 'none: trading allowed')];
  const out: string[] = [];
  locks.forEach((l, i) => {
    const left = l.remainingMs === null ? '' : l.remainingMs > 0 ? ` (${duration(l.remainingMs)} left)` : ' (time is up: released when riskd runs)';
    const line = `${l.rule} ${l.description}${left}: ${l.reason}`;
    out.push(i === 0 ? row('locks', line) : more(line));
    if (l.unlockAt !== null) out.push(more(`  admin unlock pending: takes effect ${clock(l.unlockAt, zone, now)}`));
    if (o.verbose) out.push(more(`  kind ${l.kind}, id ${l.id}`));
  });
  return out;
}

function limitLines(limits: readonly RuleLimit[], o: StatusTextOptions): string[] {
  if (limits.length === 0) return [];
  const label = Math.max(...limits.map((l) => l.label.length));
  const text = Math.max(...limits.map((l) => l.text.length));
  return limits.map((l, i) => {
    const pct = l.ratio === null ? '' : `${Math.round(l.ratio * 100)}%`.padStart(5);
    const flag = l.locked ? '  LOCKED' : l.ratio !== null && l.ratio >= 1 ? '  BREACHED' : l.alarm ? '  !' : '';
    const line = `${l.rule} ${l.label.padEnd(label)}  ${l.text.padEnd(text)}${pct}${flag}${o.verbose ? `  (${l.key})` : ''}`.trimEnd();
    return i === 0 ? row('limits', line) : more(line);
  });
}

export function renderLiveStatus(s: StatusSnapshot, o: StatusTextOptions = {}): string {
  const out: string[] = [];
  const hubs = s.hubs ? `user hub ${s.hubs.user.state}, market hub ${s.hubs.market.state}` : 'hubs not started';
  out.push(`riskd is running: ${s.phase}${s.health === 'ok' ? '' : ` (${s.health})`} · up ${duration(s.now - s.startedAt)} · ${hubs}`);
  for (const p of s.problems) out.push(`  ! ${p}`);
  for (const a of s.accounts) {
    const accountLock = a.locks.find((l) => l.kind !== 'symbol');
    out.push('');
    out.push(`${a.name}  ${accountLock ? `LOCKED: ${accountLock.description}` : a.locks.length > 0 ? 'some symbols blocked' : 'trading allowed'}`);
    out.push(row('P&L today', `realized ${money(a.realized)}   open ${money(a.unrealized)}   net ${money(a.net)}`));
    out.push(
      row(
        'positions',
        `${a.positions.length === 0 ? 'flat' : a.positions.map((p) => `${p.symbol} ${p.side} ${p.size} @ ${p.averagePrice} (${money(p.unrealized)})`).join('; ')}   working orders ${a.workingOrders}`,
      ),
    );
    out.push(...lockLines(a.locks, a.zone, s.now, o));
    out.push(...limitLines(a.limits, o));
    out.push(row('broker', `${a.canTrade === null ? 'trading permission unknown' : a.canTrade ? 'allows trading' : 'does NOT allow trading'}   entries today ${a.entriesToday}`));
    for (const note of a.gatewayRefuses) out.push(more(`broker ${note}`));
    if (a.tradingDay) out.push(row('trading day', `${a.tradingDay.id}, resets ${clock(a.tradingDay.nextResetAt, a.zone, s.now)}`));
    out.push(row('last action', lastAction(a.lastEnforcement, a.zone, s.now)));
  }
  return `${out.join('\n')}\n`;
}

export function renderOfflineStatus(s: OfflineStatus, o: StatusTextOptions = {}): string {
  const out: string[] = [`riskd is NOT running: nothing is being enforced. Last saved state from ${s.dataFile}:`];
  if (s.accounts.length === 0) out.push('  (no account recorded yet)');
  for (const a of s.accounts) {
    const zone = a.zone ?? 'UTC';
    const accountLock = a.locks.find((l) => l.kind !== 'symbol');
    out.push('');
    out.push(`${a.name}  ${accountLock ? `LOCKED when riskd runs again: ${accountLock.description}` : 'no account-wide lock saved'}`);
    out.push(row('P&L', `realized ${money(a.realized)}${a.tradingDay ? ` (trading day ${a.tradingDay})` : ''}; open P&L unknown while down`));
    out.push(
      row(
        'positions',
        a.positions.length === 0
          ? 'none saved'
          : a.positions.map((p) => `${symbolOf(p.contractId)} ${p.type === 2 ? 'short' : 'long'} ${p.size} @ ${p.averagePrice}`).join('; '),
      ),
    );
    out.push(...lockLines(a.locks, zone, s.now, o));
    if (a.configSavedAt === null) out.push(row('limits', 'not saved by this riskd version yet (start riskd once to record them)'));
    else {
      out.push(...limitLines(a.limits, o));
      out.push(more(`(the limits riskd last ran with, saved ${clock(a.configSavedAt, zone, s.now)})`));
    }
    for (const note of a.gatewayRefuses) out.push(row('broker', note));
    out.push(row('last action', lastAction(a.lastEnforcement, zone, s.now)));
  }
  return `${out.join('\n')}\n`;
}
