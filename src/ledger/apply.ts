// Idempotent application of GatewayEvents to one account's ledger. The hub duplicates and reorders, REST
// reconciliation replays state riskd already has: none of that may double-count a fill or resurrect a closed
// position. The rules, per entity:
//   fills     - dedupe by id; the only later change honoured is voided false -> true.
//   orders    - a version is (updateTimestamp, updateTicks, fillVolume, terminal); an older or equal version
//               is ignored, so the newest wins whatever the arrival order. Terminal orders leave the working set
//               and their version is kept for the day, so a late "working" replay cannot bring them back.
//   positions - per contract, a later lifetime (creationTimestamp, id) supersedes an earlier one; within a
//               lifetime a close is final; otherwise the newest observation wins (receivedAt; REST snapshots are
//               stamped with the time the request was sent, so a snapshot that lost a race is older).
//   account   - the newest observation wins.
import type { Account, GatewayEvent, Order, Position, Trade } from '../gateway/models.ts';
import { isWorkingStatus } from '../gateway/models.ts';
import type { LedgerChange, PositionSnapshot } from './change.ts';
import { sideOfType, type Ledger, type OrderVersion, type PositionMark } from './ledger.ts';
import { fillRecordOf, type FillRecord, type PositionRecord } from './records.ts';
import { symbolOf } from './symbols.ts';

const NO_CHANGES: LedgerChange[] = [];

/** Applies one event (already routed to this account). Returns what changed; [] for duplicates and stale data. */
export function applyEvent(ledger: Ledger, ev: GatewayEvent): LedgerChange[] {
  switch (ev.kind) {
    case 'trade':
      return applyTrade(ledger, ev.trade, ev.receivedAt);
    case 'order':
      return withRoll(ledger, ev.receivedAt, applyOrder(ledger, ev.order));
    case 'position':
      return withRoll(ledger, ev.receivedAt, applyPosition(ledger, ev.position, ev.action, ev.receivedAt, ev.source));
    case 'account':
      return withRoll(ledger, ev.receivedAt, applyAccount(ledger, ev.account, ev.receivedAt));
    case 'quote':
      return ledger.onQuote(ev.quote.contractId) ? [{ kind: 'quote', contractId: ev.quote.contractId }] : NO_CHANGES;
  }
}

/** Rolls the trading day when `at` is past its end; returns the roll change or null. */
export function rollIfDue(ledger: Ledger, at: number): LedgerChange | null {
  const previousStart = ledger.rollTo(at);
  return previousStart === null ? null : { kind: 'tradingDay', previousStart, start: ledger.tradingDayStart };
}

function withRoll(ledger: Ledger, at: number, changes: LedgerChange[]): LedgerChange[] {
  const roll = rollIfDue(ledger, at);
  return roll ? [roll, ...changes] : changes;
}

// ---------------------------------------------------------------- fills
function applyTrade(ledger: Ledger, t: Trade, receivedAt: number): LedgerChange[] {
  const known = ledger.fillsById.get(t.id);
  if (known) {
    if (t.voided && !known.voided) {
      ledger.voidFill(known);
      return [{ kind: 'fillVoided', fill: known }];
    }
    return NO_CHANGES;
  }
  if (ledger.previousDayFillIds.has(t.id)) return NO_CHANGES;

  const changes: LedgerChange[] = [];
  // A fill stamped at/after the reset belongs to the next trading day: roll first so it counts there.
  const roll = rollIfDue(ledger, Math.max(t.creationTimestamp, receivedAt));
  if (roll) changes.push(roll);

  const fill = fillRecordOf(t, symbolOf(t.contractId, ledger.contracts.get(t.contractId)), ledger.isEnforcementFill(t, receivedAt));
  if (fill.at < ledger.tradingDayStart) {
    // An earlier day's fill (late replay): stored for the record, never counted today.
    if (ledger.sink) {
      try {
        ledger.sink.fill(ledger.accountId, fill);
      } catch (err) {
        ledger.logger?.error('ledger: persisting an earlier-day fill failed', { accountId: ledger.accountId, fillId: t.id, error: String(err) });
      }
    }
    ledger.previousDayFillIds.add(t.id);
    changes.push({ kind: 'fill', fill, today: false });
    return changes;
  }
  fill.receivedAt = receivedAt;
  ledger.addFill(fill);
  ledger.noteFillArrived(fill);
  changes.push({ kind: 'fill', fill, today: true });
  return changes;
}

// ---------------------------------------------------------------- orders
function versionOf(o: Order): OrderVersion {
  return {
    updateTimestamp: o.updateTimestamp,
    updateTicks: o.updateTicks ?? 0,
    fillVolume: o.fillVolume,
    terminal: !isWorkingStatus(o.status),
  };
}

/** >0 when a is newer than b, 0 when the same version. */
export function compareOrderVersions(a: OrderVersion, b: OrderVersion): number {
  return (
    a.updateTimestamp - b.updateTimestamp ||
    a.updateTicks - b.updateTicks ||
    a.fillVolume - b.fillVolume ||
    Number(a.terminal) - Number(b.terminal)
  );
}

function sameOrderContent(a: Order, b: Order): boolean {
  return (
    a.status === b.status &&
    a.size === b.size &&
    a.fillVolume === b.fillVolume &&
    (a.limitPrice ?? null) === (b.limitPrice ?? null) &&
    (a.stopPrice ?? null) === (b.stopPrice ?? null) &&
    (a.trailPrice ?? null) === (b.trailPrice ?? null) &&
    (a.filledPrice ?? null) === (b.filledPrice ?? null) &&
    a.type === b.type &&
    a.side === b.side
  );
}

function applyOrder(ledger: Ledger, o: Order): LedgerChange[] {
  const incoming = versionOf(o);
  const seen = ledger.orderVersions.get(o.id);
  const before = ledger.working.get(o.id);
  if (seen) {
    const cmp = compareOrderVersions(incoming, seen);
    if (cmp < 0) return NO_CHANGES; // older
    // Same version: a duplicate, unless the content differs (then the later report is taken, e.g. REST
    // filling in fields the hub omitted) - but never bring back a terminal order.
    if (cmp === 0 && (seen.terminal || !before || sameOrderContent(before, o))) return NO_CHANGES;
  }
  ledger.orderVersions.set(o.id, incoming);
  if (incoming.terminal) {
    ledger.removeWorking(o);
    return [{ kind: 'order', what: 'terminal', order: o, before }];
  }
  ledger.setWorking(o);
  return [{ kind: 'order', what: before ? 'changed' : 'working', order: o, before }];
}

// ---------------------------------------------------------------- positions
function snapshot(rec: PositionRecord): PositionSnapshot {
  return {
    id: rec.id,
    contractId: rec.contractId,
    symbol: rec.symbol,
    side: rec.side,
    size: rec.size,
    averagePrice: rec.averagePrice,
    openedAt: rec.openedAt,
  };
}

/**
 * Order of position events in one contract: lifetime first (creationTimestamp, then id: a later position
 * supersedes an earlier one, whatever the arrival order), then within a lifetime a close beats every update
 * (a closed position never comes back), then the later observation wins.
 */
export function comparePositionMarks(a: PositionMark, b: PositionMark): number {
  return a.created - b.created || a.id - b.id || Number(a.closed) - Number(b.closed) || a.at - b.at;
}

const sameState = (cur: PositionRecord, p: Position, side: PositionRecord['side']): boolean =>
  cur.id === p.id && cur.side === side && cur.size === p.size && cur.averagePrice === p.averagePrice;

function applyPosition(ledger: Ledger, p: Position, action: number | undefined, receivedAt: number, source: 'hub' | 'rest'): LedgerChange[] {
  const side = sideOfType(p.type);
  const isClose = action === 2 || p.size <= 0 || side === undefined;
  // The gateway's REST never reports a close: a 'rest' close is reconciliation inferring one from absence.
  // It is not final: should REST have lagged behind the hub, a later observation of the position reopens it
  // (believing a live position flat is the dangerous mistake; the next reconcile corrects the other one).
  const inferred = isClose && source === 'rest';
  const mark: PositionMark = { created: p.creationTimestamp, id: p.id, closed: isClose && !inferred, at: receivedAt };
  const latest = ledger.positionLatest.get(p.contractId);
  const cur = ledger.positionsByContract.get(p.contractId);
  // A REST snapshot states the position after every fill it has seen, even when it repeats what riskd holds.
  if (source === 'rest') ledger.notePositionEvent(p.contractId);
  const order = latest ? comparePositionMarks(mark, latest) : 1;
  if (order < 0) return NO_CHANGES; // older
  // The same mark: one socket read can hold several updates of a position (an order filling in parts) received
  // in the same millisecond. The hub delivers them in order, so a hub update saying something new is the later
  // one; a repeat of what riskd holds, a repeated close and a snapshot stamped no later than the hub are not.
  if (order === 0 && (source === 'rest' || isClose || (cur !== undefined && sameState(cur, p, side)))) return NO_CHANGES;
  ledger.positionLatest.set(p.contractId, mark);
  ledger.notePositionEvent(p.contractId);

  if (isClose) {
    // Closing this lifetime also ends any earlier one still held (its own close was missed or is late).
    if (!cur) return NO_CHANGES;
    ledger.removePosition(p.contractId);
    return [{ kind: 'position', what: 'closed', contractId: p.contractId, before: snapshot(cur), after: null }];
  }

  if (cur && sameState(cur, p, side)) {
    cur.observedAt = receivedAt;
    return NO_CHANGES;
  }
  const sameLifetime = cur !== undefined && cur.id === p.id && cur.creationTimestamp === p.creationTimestamp && cur.side === side;
  const rec: PositionRecord = {
    id: p.id,
    contractId: p.contractId,
    symbol: symbolOf(p.contractId, ledger.contracts.get(p.contractId)),
    side,
    size: p.size,
    averagePrice: p.averagePrice,
    openedAt: sameLifetime ? cur.openedAt : p.creationTimestamp > 0 ? p.creationTimestamp : receivedAt,
    creationTimestamp: p.creationTimestamp,
    observedAt: receivedAt,
    mfe: sameLifetime ? cur.mfe : NaN,
    mae: sameLifetime ? cur.mae : NaN,
  };
  ledger.setPosition(rec);
  return [
    {
      kind: 'position',
      what: sameLifetime ? 'changed' : 'opened',
      contractId: p.contractId,
      before: cur ? snapshot(cur) : null,
      after: snapshot(rec),
    },
  ];
}

// ---------------------------------------------------------------- account
function applyAccount(ledger: Ledger, a: Account, receivedAt: number): LedgerChange[] {
  if (receivedAt < ledger.accountObservedAt) return NO_CHANGES;
  ledger.accountObservedAt = receivedAt;
  const before = ledger.account;
  if (
    before &&
    before.canTrade === a.canTrade &&
    before.balance === a.balance &&
    before.name === a.name &&
    before.isVisible === a.isVisible &&
    before.simulated === a.simulated
  ) {
    return NO_CHANGES;
  }
  ledger.account = a;
  return [{ kind: 'account', before, after: a, canTradeChanged: before?.canTrade !== a.canTrade }];
}
