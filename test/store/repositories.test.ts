import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Contract, Order, Position, Trade } from '../../src/gateway/models.ts';
import { StoreDataError, openStore, type LockRow, type Store } from '../../src/store/index.ts';
import { tempDirs } from './helpers.ts';

const dirs = tempDirs();
let store: Store;
let file: string;
beforeEach(() => {
  file = path.join(dirs.make(), 'state.db');
  store = openStore(file);
});
afterEach(() => {
  store.close();
  dirs.cleanup();
});
/** Close and reopen, so every round-trip also proves the data reached the file. */
function reopen(): Store {
  store.close();
  store = openStore(file);
  return store;
}

const BIG = 2 ** 45 + 7; // > 2^32, < 2^53

describe('snapshots', () => {
  const row = {
    accountId: 11,
    machineId: 'account',
    machineVersion: 4,
    schemaVersion: 2,
    snapshot: { value: { lockout: 'locked', session: 'inside' }, context: { lockedUntil: 1_800_000_000_000, pnl: -512.4 } },
    timers: [{ id: 'xstate.after.60000.lock.locked', dueAt: 1_800_000_060_000, source: [], target: [] }],
    savedAt: 1_700_000_000_123,
  };

  it('saves, overwrites, loads, lists and deletes', () => {
    store.snapshots.save(row);
    store.snapshots.save({ ...row, machineId: 'position:CON.F.US.MNQ.Z25', snapshot: { value: 'awaitingStop' } });
    store.snapshots.save({ ...row, accountId: 12 });
    store.snapshots.save({ ...row, machineVersion: 5, savedAt: row.savedAt + 1 });
    reopen();
    expect(store.snapshots.load(11, 'account')).toEqual({ ...row, machineVersion: 5, savedAt: row.savedAt + 1 });
    expect(store.snapshots.list(11).map((r) => r.machineId)).toEqual(['account', 'position:CON.F.US.MNQ.Z25']);
    expect(store.snapshots.listAccounts()).toEqual([11, 12]);
    store.snapshots.delete(11, 'account');
    expect(store.snapshots.load(11, 'account')).toBeUndefined();
    expect(store.snapshots.load(99, 'account')).toBeUndefined();
  });

  it('names the row when its JSON is unreadable instead of crashing somewhere later', () => {
    store.snapshots.save(row);
    store.db.prepare("UPDATE machine_snapshots SET snapshot = '{broken' WHERE account_id = 11").run();
    expect(() => store.snapshots.load(11, 'account')).toThrow(StoreDataError);
    expect(() => store.snapshots.load(11, 'account')).toThrow(/machine_snapshots\(account 11, machine account\)\.snapshot/);
  });

  it('refuses a snapshot that JSON cannot carry', () => {
    expect(() => store.snapshots.save({ ...row, snapshot: undefined })).toThrow(/not JSON-serializable/);
  });
});

describe('locks', () => {
  const base: LockRow = { id: 'L1', accountId: 1, kind: 'until_reset', rule: 'RULE-003', reason: 'Daily loss $512.40 reached your $500 limit', since: 1000 };

  it('round-trips every field, several per account, and releases once', () => {
    store.locks.upsert(base);
    store.locks.upsert({
      id: 'L2', accountId: 1, kind: 'symbol', rule: 'RULE-011', reason: 'RTY blocked', symbol: 'RTY', since: 2000,
      until: null, releaseCondition: 'symbol leaves symbol_blocks.symbols',
    });
    store.locks.upsert({ id: 'L3', accountId: 1, kind: 'cooldown', rule: 'RULE-007', reason: '3 losses', since: 3000, until: 903_000 });
    store.locks.upsert({ id: 'L4', accountId: 2, kind: 'until_can_trade', rule: 'RULE-010', reason: 'canTrade false', since: 500 });
    reopen();
    expect(store.locks.active(1).map((l) => l.id)).toEqual(['L1', 'L2', 'L3']);
    expect(store.locks.active().map((l) => l.id)).toEqual(['L1', 'L2', 'L3', 'L4']);
    expect(store.locks.get('L2')).toEqual({
      id: 'L2', accountId: 1, kind: 'symbol', rule: 'RULE-011', reason: 'RTY blocked', symbol: 'RTY', since: 2000,
      until: null, releaseCondition: 'symbol leaves symbol_blocks.symbols', releasedAt: null, releasedHow: null,
    });

    expect(store.locks.release('L3', 903_000, 'cooldown expired')).toBe(true);
    expect(store.locks.release('L3', 999_999, 'admin')).toBe(false); // first release wins
    expect(store.locks.release('nope', 1, 'x')).toBe(false);
    reopen();
    expect(store.locks.active(1).map((l) => l.id)).toEqual(['L1', 'L2']);
    expect(store.locks.get('L3')).toMatchObject({ releasedAt: 903_000, releasedHow: 'cooldown expired', until: 903_000 });
  });

  it('history returns locks in force during a window, newest first', () => {
    store.locks.upsert({ ...base, id: 'old', since: 100, releasedAt: 200, releasedHow: 'reset' });
    store.locks.upsert({ ...base, id: 'mid', since: 300, releasedAt: 600, releasedHow: 'reset' });
    store.locks.upsert({ ...base, id: 'open', since: 700 });
    store.locks.upsert({ ...base, id: 'other', accountId: 2, since: 400 });
    expect(store.locks.history({ accountId: 1 }).map((l) => l.id)).toEqual(['open', 'mid', 'old']);
    expect(store.locks.history({ accountId: 1, since: 250, until: 650 }).map((l) => l.id)).toEqual(['mid']);
    expect(store.locks.history({ since: 650 }).map((l) => l.id)).toEqual(['open', 'other']);
    expect(store.locks.history({ limit: 1 }).map((l) => l.id)).toEqual(['open']);
  });
});

describe('fills', () => {
  const trade: Trade = {
    id: BIG, accountId: 5, contractId: 'CON.F.US.MNQ.Z25', creationTimestamp: 1_700_000_000_001, price: 21012.25,
    profitAndLoss: -37.5, fees: 1.37, commissions: 0.5, side: 1, size: 3, voided: false, orderId: BIG + 1,
  };

  it('dedupes by (account, id), reports new vs seen, keeps byRiskd sticky and updates voided', () => {
    expect(store.fills.upsert(5, { ...trade, byRiskd: true })).toBe(true);
    expect(store.fills.upsert(5, { ...trade, voided: true })).toBe(false);
    expect(store.fills.upsert(6, trade)).toBe(true); // same trade id on another account is a different row
    expect(store.fills.upsert(5, { ...trade, id: BIG + 2, profitAndLoss: null, commissions: null, creationTimestamp: 5 })).toBe(true);
    reopen();
    expect(store.fills.since(5, 0)).toEqual([
      { ...trade, id: BIG + 2, profitAndLoss: null, commissions: null, creationTimestamp: 5, byRiskd: false },
      { ...trade, voided: true, byRiskd: true },
    ]);
    expect(store.fills.since(5, 6).map((f) => f.id)).toEqual([BIG]);
    expect(store.fills.since(6, 0)).toEqual([{ ...trade, accountId: 6, byRiskd: false }]);
  });
});

describe('positions', () => {
  const pos: Position = {
    id: BIG, accountId: 5, contractId: 'CON.F.US.EP.Z25', contractDisplayName: 'ESZ5', creationTimestamp: 10, type: 1, size: 2,
    averagePrice: 6012.125,
  };
  it('upserts per (account, contract), lists and removes', () => {
    store.positions.upsert(pos);
    store.positions.upsert({ ...pos, size: 3, averagePrice: 6013.0625 });
    const { contractDisplayName: _omit, ...noName } = pos;
    store.positions.upsert({ ...noName, contractId: 'CON.F.US.ENQ.Z25', type: 2 });
    reopen();
    expect(store.positions.list(5)).toEqual([
      { ...noName, contractId: 'CON.F.US.ENQ.Z25', type: 2 },
      { ...pos, size: 3, averagePrice: 6013.0625 },
    ]);
    store.positions.remove(5, 'CON.F.US.EP.Z25');
    expect(store.positions.list(5).map((p) => p.contractId)).toEqual(['CON.F.US.ENQ.Z25']);
    expect(store.positions.list(6)).toEqual([]);
  });
});

describe('orders', () => {
  const order: Order = {
    id: BIG, accountId: 5, contractId: 'CON.F.US.MNQ.Z25', symbolId: 'F.US.MNQ', creationTimestamp: 100, updateTimestamp: 101,
    updateTicks: 4321, status: 1, type: 4, side: 1, size: 2, limitPrice: null, stopPrice: 20987.75, fillVolume: 0,
    filledPrice: null, customTag: 'riskd:stop', trailDistance: null, trailPrice: null, parentOrderId: BIG - 1, linkedOrderId: null,
  };
  it('round-trips every field with ids above 2^32, and lists only working orders', () => {
    store.orders.upsert(order);
    store.orders.upsert({ ...order, id: BIG + 1, status: 6, creationTimestamp: 200, type: 1, limitPrice: 21000.5, stopPrice: null });
    store.orders.upsert({ ...order, id: BIG + 2, status: 2, fillVolume: 2, filledPrice: 20987.5 });
    store.orders.upsert({ ...order, id: BIG + 3, accountId: 6 });
    reopen();
    expect(store.orders.get(BIG)).toEqual(order);
    expect(store.orders.working(5).map((o) => o.id)).toEqual([BIG, BIG + 1]);
    expect(store.orders.get(BIG + 2)).toMatchObject({ status: 2, filledPrice: 20987.5 });
    store.orders.upsert({ ...order, status: 3 }); // cancelled: stays stored, leaves the working list
    expect(store.orders.working(5).map((o) => o.id)).toEqual([BIG + 1]);
    store.orders.remove(5, BIG + 1);
    expect(store.orders.working(5)).toEqual([]);
    store.orders.remove(5, BIG + 3); // wrong account: untouched
    expect(store.orders.working(6).map((o) => o.id)).toEqual([BIG + 3]);
  });

  it('omits optional fields the gateway did not send', () => {
    const { symbolId: _s, updateTicks: _u, ...bare } = order;
    store.orders.upsert(bare);
    const got = store.orders.get(BIG)!;
    expect('symbolId' in got).toBe(false);
    expect('updateTicks' in got).toBe(false);
  });
});

describe('contracts and accounts', () => {
  const mnq: Contract = {
    id: 'CON.F.US.MNQ.Z25', name: 'MNQZ5', description: 'Micro E-mini Nasdaq-100', tickSize: 0.25, tickValue: 0.5,
    activeContract: true, symbolId: 'F.US.MNQ',
  };
  it('contracts round-trip fractional tick facts', () => {
    store.contracts.upsert(mnq);
    store.contracts.upsert({ ...mnq, id: 'CON.F.US.6E.Z25', name: '6EZ5', tickSize: 0.00005, tickValue: 6.25, activeContract: false, symbolId: 'F.US.EU6' });
    store.contracts.upsert({ ...mnq, description: 'updated' });
    reopen();
    expect(store.contracts.get(mnq.id)).toEqual({ ...mnq, description: 'updated' });
    expect(store.contracts.all().map((c) => [c.id, c.tickSize, c.activeContract])).toEqual([
      ['CON.F.US.6E.Z25', 0.00005, false],
      ['CON.F.US.MNQ.Z25', 0.25, true],
    ]);
    expect(store.contracts.get('nope')).toBeUndefined();
  });

  it('accounts round-trip', () => {
    store.accounts.upsert({ id: BIG, name: 'PRAC-V2-1', balance: 50_123.45, canTrade: true, isVisible: true, simulated: true }, 77);
    store.accounts.upsert({ id: 3, name: 'LIVE', balance: 0.01, canTrade: false, isVisible: false, simulated: false }, 78);
    reopen();
    expect(store.accounts.all()).toEqual([
      { id: 3, name: 'LIVE', balance: 0.01, canTrade: false, isVisible: false, simulated: false, updatedAt: 78 },
      { id: BIG, name: 'PRAC-V2-1', balance: 50_123.45, canTrade: true, isVisible: true, simulated: true, updatedAt: 77 },
    ]);
    expect(store.accounts.get(3)?.canTrade).toBe(false);
  });
});

describe('daily P&L and trading day', () => {
  it('daily P&L upserts per day and lists newest first', () => {
    for (const [day, gross] of [['2026-01-05', -120.5], ['2026-01-06', 80.25], ['2026-01-07', -10]] as const) {
      store.dailyPnl.upsert({ accountId: 5, tradingDay: day, realizedGross: gross, fees: 2.74, commissions: 0.1, updatedAt: 1 });
    }
    store.dailyPnl.upsert({ accountId: 5, tradingDay: '2026-01-07', realizedGross: -512.4, fees: 4.11, commissions: 0, updatedAt: 2 });
    reopen();
    expect(store.dailyPnl.get(5, '2026-01-07')).toEqual({ accountId: 5, tradingDay: '2026-01-07', realizedGross: -512.4, fees: 4.11, commissions: 0, updatedAt: 2 });
    expect(store.dailyPnl.history(5).map((r) => r.tradingDay)).toEqual(['2026-01-07', '2026-01-06', '2026-01-05']);
    expect(store.dailyPnl.history(5, 2)).toHaveLength(2);
    expect(store.dailyPnl.get(5, '2026-01-01')).toBeUndefined();
  });

  it('trading day state per account', () => {
    expect(store.tradingDay.get(5)).toBeUndefined();
    store.tradingDay.set(5, '2026-01-06', 1_767_650_400_000);
    store.tradingDay.set(5, '2026-01-07', 1_767_736_800_000);
    reopen();
    expect(store.tradingDay.get(5)).toEqual({ tradingDay: '2026-01-07', lastResetAt: 1_767_736_800_000 });
  });
});

describe('enforcement log', () => {
  const row = {
    accountId: 5, rule: 'RULE-003', intent: JSON.stringify({ type: 'flatten', accountId: 5 }),
    reason: 'Daily loss $512.40 reached your $500 limit', numbers: JSON.stringify({ limit: 500, value: 512.4 }),
    status: 'pending' as const, triggerAt: 1000,
  };
  it('inserts with ids, patches only the given fields, clears with null, filters newest first', () => {
    const a = store.enforcement.insert(row);
    const b = store.enforcement.insert({ ...row, rule: 'RULE-001', triggerAt: 2000, contractId: 'CON.F.US.MNQ.Z25' });
    const c = store.enforcement.insert({ ...row, accountId: 6, triggerAt: 3000 });
    expect(b).toBe(a + 1);
    store.enforcement.update(a, { status: 'sent', requestAt: 1001, endpoint: '/api/Position/closeContract' });
    store.enforcement.update(a, { status: 'confirmed', confirmedAt: 1042, outcome: 'position closed' });
    store.enforcement.update(b, { contractId: null, status: 'skipped' });
    reopen();
    expect(store.enforcement.get(a)).toEqual({
      ...row, id: a, status: 'confirmed', requestAt: 1001, confirmedAt: 1042, outcome: 'position closed',
      endpoint: '/api/Position/closeContract', contractId: null,
    });
    expect(store.enforcement.get(b)).toMatchObject({ contractId: null, status: 'skipped', rule: 'RULE-001' });
    expect(store.enforcement.list({}).map((r) => r.id)).toEqual([c, b, a]);
    expect(store.enforcement.list({ accountId: 5 }).map((r) => r.id)).toEqual([b, a]);
    expect(store.enforcement.list({ rule: 'RULE-003' }).map((r) => r.id)).toEqual([c, a]);
    expect(store.enforcement.list({ since: 1500, until: 2500 }).map((r) => r.id)).toEqual([b]);
    expect(store.enforcement.list({ limit: 1 }).map((r) => r.id)).toEqual([c]);
  });

  it('refuses to update a row that does not exist', () => {
    expect(() => store.enforcement.update(12345, { status: 'failed' })).toThrow(/no row with id 12345/);
  });
});

describe('transitions (inspection audit)', () => {
  it('inserts, lists and prunes by age and by count', () => {
    for (let i = 0; i < 10; i++) {
      store.transitions.insert({ accountId: i % 2, actorId: i < 5 ? 'account' : 'position:X', event: `E${i}`, from: 's', to: 't', at: 1000 + i });
    }
    expect(store.transitions.list({ accountId: 1, limit: 2 }).map((t) => t.event)).toEqual(['E9', 'E7']);
    expect(store.transitions.list({ actorId: 'position:X', since: 1008 }).map((t) => t.event)).toEqual(['E9', 'E8']);
    expect(store.transitions.list({ limit: 1 })[0]).toMatchObject({ accountId: 1, actorId: 'position:X', event: 'E9', from: 's', to: 't', at: 1009 });
    expect(store.transitions.prune({ olderThanMs: 1003 })).toBe(3);
    expect(store.transitions.count()).toBe(7);
    expect(store.transitions.prune({ keepLast: 4 })).toBe(3);
    expect(store.transitions.list({}).map((t) => t.event)).toEqual(['E9', 'E8', 'E7', 'E6']);
    expect(store.transitions.prune({ keepLast: 10 })).toBe(0);
    expect(store.transitions.prune({ keepLast: 0 })).toBe(4);
    expect(store.transitions.count()).toBe(0);
    expect(() => store.transitions.prune({ keepLast: -1 })).toThrow(/keepLast/);
  });
});

describe('admin audit and meta', () => {
  it('stores admin commands with secrets in args redacted', () => {
    const id = store.adminAudit.insert({ at: 5, actor: 'cli@127.0.0.1', command: 'unlock', args: { lockId: 'L1', password: 'hunter2!!' }, outcome: 'delayed 15m' });
    store.adminAudit.insert({ at: 6, actor: 'dashboard', command: 'reload', args: null, outcome: 'ok' });
    reopen();
    expect(store.adminAudit.list({})).toEqual([
      { id: id + 1, at: 6, actor: 'dashboard', command: 'reload', args: null, outcome: 'ok' },
      { id, at: 5, actor: 'cli@127.0.0.1', command: 'unlock', args: { lockId: 'L1', password: '[redacted]' }, outcome: 'delayed 15m' },
    ]);
    expect(JSON.stringify(store.db.prepare('SELECT * FROM admin_audit').all())).not.toContain('hunter2');
    expect(store.adminAudit.list({ since: 6 })).toHaveLength(1);
  });

  it('meta get/set', () => {
    expect(store.meta.get('clean_shutdown_at')).toBeUndefined();
    store.meta.set('clean_shutdown_at', '123');
    store.meta.set('clean_shutdown_at', '456');
    reopen();
    expect(store.meta.get('clean_shutdown_at')).toBe('456');
  });
});

describe('effective config', () => {
  it('replaces the whole set at each save (start, reload) and reads it back from the file', async () => {
    const { parseRiskConfig } = await import('../../src/config/index.ts');
    const a = parseRiskConfig({ rules: { daily_realized_loss: { enabled: true, limit: 150 } } });
    const b = parseRiskConfig({ rules: { daily_realized_loss: { enabled: true, limit: 300 } } });
    store.effectiveConfig.replace([{ accountId: 1, accountName: 'A', config: a }, { accountId: 2, accountName: 'B', config: b }], 1000);
    expect(reopen().effectiveConfig.all()).toEqual([
      { accountId: 1, accountName: 'A', config: a, savedAt: 1000 },
      { accountId: 2, accountName: 'B', config: b, savedAt: 1000 },
    ]);
    store.effectiveConfig.replace([{ accountId: 2, accountName: 'B', config: a }], 2000); // a reload; A no longer watched
    expect(reopen().effectiveConfig.all()).toEqual([{ accountId: 2, accountName: 'B', config: a, savedAt: 2000 }]);
    expect(store.effectiveConfig.get(2)?.config.rules.daily_realized_loss.limit).toBe(150);
    expect(store.effectiveConfig.get(1)).toBeUndefined();
  });
});
