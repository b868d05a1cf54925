import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  StoreSchemaMismatchError,
  StoreSchemaTooNewError,
  migrate,
  openStore,
  openStoreReadOnly,
  type Store,
} from '../../src/store/index.ts';
import { capturingLogger, tempDirs } from './helpers.ts';

const dirs = tempDirs();
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  dirs.cleanup();
});
const track = (s: Store): Store => (open.push(s), s);

/** Order/fill ids above 2^32 as the gateway really sends them. */
const BIG_ID = 2 ** 40 + 12345;

function tableNames(db: Sqlite.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]);
}

describe('openStore', () => {
  it('creates the directory and a file at the latest schema with WAL and the requested pragmas', () => {
    const file = path.join(dirs.make(), 'nested', 'deeper', 'state.db');
    const store = track(openStore(file, { synchronous: 'FULL' }));
    expect(fs.existsSync(file)).toBe(true);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.recovered).toBeUndefined();
    expect(tableNames(store.db)).toEqual(
      [
        'accounts', 'admin_audit', 'contracts', 'daily_pnl', 'effective_config', 'enforcement_log', 'fills', 'locks', 'machine_snapshots',
        'meta', 'orders', 'positions', 'trading_day_state', 'transitions',
        'replay_accounts', 'replay_bars', 'replay_contracts', 'replay_default_account', 'replay_orders', 'replay_trades', 'replay_windows',
      ].sort(),
    );
    expect(store.meta.get('created_at')).toMatch(/^\d+$/);
  });

  it('opens an in-memory store with the full schema and no file', () => {
    const cwdBefore = fs.readdirSync(process.cwd());
    const store = track(openStore(':memory:'));
    expect(store.path).toBe(':memory:');
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    store.meta.set('a', 'b');
    expect(store.meta.get('a')).toBe('b');
    expect(fs.readdirSync(process.cwd())).toEqual(cwdBefore);
  });

  it('defaults to synchronous NORMAL', () => {
    const store = track(openStore(path.join(dirs.make(), 'state.db')));
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('keeps data across close and reopen', () => {
    const file = path.join(dirs.make(), 'state.db');
    const a = openStore(file);
    a.locks.upsert({ id: 'L1', accountId: 1, kind: 'until_reset', rule: 'RULE-003', reason: 'daily loss', since: 1000 });
    a.meta.set('k', 'v');
    a.close();
    const b = track(openStore(file));
    expect(b.locks.active(1).map((l) => l.id)).toEqual(['L1']);
    expect(b.meta.get('k')).toBe('v');
    expect(b.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
  });

  it('opens an empty (zero-byte) file as a new database', () => {
    const file = path.join(dirs.make(), 'state.db');
    fs.writeFileSync(file, '');
    const store = track(openStore(file));
    expect(store.recovered).toBeUndefined();
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
  });

  it('names the file when SQLite cannot open it (e.g. the path is a directory)', () => {
    const dir = dirs.make();
    const file = path.join(dir, 'state.db');
    fs.mkdirSync(file);
    expect(() => openStore(file)).toThrow(new RegExp(`cannot open ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  it('refuses a file written by a newer riskd and leaves it untouched', () => {
    const file = path.join(dirs.make(), 'state.db');
    openStore(file).close();
    const raw = new Sqlite(file);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    const before = fs.readFileSync(file);
    expect(() => openStore(file)).toThrow(StoreSchemaTooNewError);
    expect(() => openStore(file)).toThrow(new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 1}, newer than`));
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(file)).filter((n) => n.includes('corrupt'))).toEqual([]);
  });
});

describe('afterCommit', () => {
  it('runs at once outside a transaction, after the outermost commit inside one, and after a rollback too', () => {
    const store = openStore(':memory:');
    open.push(store);
    const seen: string[] = [];
    store.afterCommit(() => seen.push('outside'));
    store.transaction(() => {
      store.meta.set('k', 'v1');
      store.afterCommit(() => seen.push(`in a transaction: ${String(store.db.inTransaction)}`));
      store.transaction(() => store.afterCommit(() => seen.push('nested')));
      seen.push('end of outer fn');
    });
    expect(seen).toEqual(['outside', 'end of outer fn', 'in a transaction: false', 'nested']);
    expect(() =>
      store.transaction(() => {
        store.afterCommit(() => seen.push('after rollback'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(seen.at(-1)).toBe('after rollback');
  });
});

describe('later', () => {
  it('runs at once outside a transaction, and inside one just before the outermost commit, in order', () => {
    const store = openStore(':memory:');
    open.push(store);
    const seen: string[] = [];
    store.later(() => seen.push(`outside (in a transaction: ${String(store.db.inTransaction)})`));
    store.transaction(() => {
      store.later(() => seen.push(`first (in a transaction: ${String(store.db.inTransaction)})`));
      store.transaction(() => store.later(() => seen.push('from a savepoint')));
      seen.push('end of outer fn');
    });
    expect(seen).toEqual(['outside (in a transaction: false)', 'end of outer fn', 'first (in a transaction: true)', 'from a savepoint']);
  });

  it('writes of a turn (begin) wait for its commit and commit with it; a read-only reader sees none before', () => {
    const file = path.join(dirs.make(), 'state.db');
    const store = track(openStore(file));
    const reader = track(openStoreReadOnly(file));
    const commit = store.begin();
    store.later(() => store.meta.set('k', 'deferred'));
    store.transaction(() => store.meta.set('other', 'now'));
    expect(store.meta.get('k')).toBeUndefined(); // not yet written, even inside the turn
    expect(reader.meta.get('other')).toBeUndefined();
    commit();
    expect(store.db.inTransaction).toBe(false);
    expect(reader.meta.get('k')).toBe('deferred');
    expect(reader.meta.get('other')).toBe('now');
  });

  it('still writes after its transaction rolled back: memory kept those changes', () => {
    const store = openStore(':memory:');
    open.push(store);
    expect(() =>
      store.transaction(() => {
        store.later(() => store.meta.set('k', 'kept'));
        store.meta.set('rolled', 'back');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.meta.get('k')).toBe('kept');
    expect(store.meta.get('rolled')).toBeUndefined();
  });
});

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  /** Raw rows valid at each schema version (repositories speak only the latest schema). */
  const seeds: Record<number, (db: Sqlite.Database) => void> = {
    1: (db) => {
      db.prepare(`INSERT INTO locks (id, account_id, kind, rule, reason, symbol, since, until) VALUES ('L-v1', 7, 'cooldown', 'RULE-007', 'three losses', NULL, 1000, 61000)`).run();
      db.prepare(`INSERT INTO orders (id, account_id, contract_id, created_at, updated_at, status, type, side, size, limit_price, fill_volume) VALUES (?, 7, 'CON.F.US.MNQ.Z25', 1, 2, 1, 1, 0, 2, 21012.25, 0)`).run(BIG_ID);
      db.prepare(`INSERT INTO fills (account_id, id, contract_id, created_at, price, profit_and_loss, fees, side, size, voided, order_id, by_riskd) VALUES (7, ?, 'CON.F.US.MNQ.Z25', 5, 21000.75, -12.5, 1.37, 1, 1, 0, ?, 1)`).run(BIG_ID + 1, BIG_ID);
      db.prepare(`INSERT INTO enforcement_log (account_id, rule, intent, reason, numbers, status, trigger_at) VALUES (7, 'RULE-003', '{"type":"flatten","accountId":7}', 'daily loss', '{}', 'confirmed', 9)`).run();
      db.prepare(`INSERT INTO machine_snapshots VALUES (7, 'account', 3, 1, '{"value":"locked"}', '[]', 10)`).run();
    },
    2: (db) => {
      db.prepare(`INSERT INTO transitions (account_id, actor_id, event, from_state, to_state, at) VALUES (7, 'account', 'LOCK', 'unlocked', 'locked', 11)`).run();
      db.prepare(`INSERT INTO admin_audit (at, actor, command, args, outcome) VALUES (12, 'cli', 'unlock', '{"lockId":"L-v1"}', 'ok')`).run();
    },
    3: (db) => {
      db.prepare(`INSERT INTO effective_config (account_id, account_name, config, saved_at) VALUES (7, 'ACC-7', '{"rules":{}}', 13)`).run();
    },
    4: (db) => {
      db.prepare(`INSERT INTO replay_bars (contract_id, t, o, h, l, c, v) VALUES ('CON.F.US.MNQ.Z25', 60000, 1, 2, 0.5, 1.5, 10)`).run();
    },
  };

  it('has a seed for every version, so a new migration must extend this test', () => {
    expect(Object.keys(seeds).map(Number)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  for (let version = 0; version < LATEST_SCHEMA_VERSION; version++) {
    it(`upgrades a version ${version} file to ${LATEST_SCHEMA_VERSION} keeping its data`, () => {
      const file = path.join(dirs.make(), 'state.db');
      const raw = new Sqlite(file);
      raw.pragma('journal_mode = WAL');
      migrate(raw, { to: version });
      expect(raw.pragma('user_version', { simple: true })).toBe(version);
      for (let v = 1; v <= version; v++) seeds[v]!(raw);
      raw.close();

      const { logger, output } = capturingLogger();
      const store = track(openStore(file, { logger }));
      expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(output()).toContain('store schema migrated');
      if (version >= 1) {
        expect(store.locks.active(7)).toEqual([
          expect.objectContaining({ id: 'L-v1', kind: 'cooldown', until: 61000, releasedAt: null }),
        ]);
        expect(store.orders.working(7)).toEqual([expect.objectContaining({ id: BIG_ID, limitPrice: 21012.25 })]);
        expect(store.fills.since(7, 0)).toEqual([
          expect.objectContaining({ id: BIG_ID + 1, orderId: BIG_ID, price: 21000.75, profitAndLoss: -12.5, fees: 1.37, byRiskd: true }),
        ]);
        const [e] = store.enforcement.list({ accountId: 7 });
        expect(e).toMatchObject({ rule: 'RULE-003', status: 'confirmed', endpoint: null, contractId: null });
        expect(store.snapshots.load(7, 'account')).toMatchObject({ machineVersion: 3, snapshot: { value: 'locked' } });
      }
      if (version >= 2) {
        expect(store.transitions.list({ accountId: 7 })).toHaveLength(1);
        expect(store.adminAudit.list({})).toEqual([expect.objectContaining({ command: 'unlock', args: { lockId: 'L-v1' } })]);
      }
      if (version >= 3) expect(store.effectiveConfig.get(7)).toEqual({ accountId: 7, accountName: 'ACC-7', config: { rules: {} }, savedAt: 13 });
      if (version >= 4) {
        expect(store.db.prepare('SELECT c FROM replay_bars').pluck().all()).toEqual([1.5]);
      }
      // The upgraded file accepts latest-schema writes.
      const id = store.enforcement.insert({
        accountId: 7, rule: 'RULE-001', intent: '{}', reason: 'r', numbers: '{}', status: 'pending', triggerAt: 20,
        endpoint: '/api/Position/closeContract', contractId: 'CON.F.US.MNQ.Z25',
      });
      expect(store.enforcement.get(id)?.endpoint).toBe('/api/Position/closeContract');
      store.transitions.insert({ accountId: 7, actorId: 'account', event: 'X', from: 'a', to: 'b', at: 21 });
    });
  }

  it('rolls back a failing migration step, leaving the previous version', () => {
    const file = path.join(dirs.make(), 'state.db');
    const raw = new Sqlite(file);
    migrate(raw, { to: 1 });
    // Sabotage v2: a table it is about to create already exists.
    raw.exec('CREATE TABLE transitions (x INTEGER)');
    expect(() => migrate(raw)).toThrow(/transitions already exists/);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    const cols = raw.prepare("SELECT name FROM pragma_table_info('enforcement_log')").pluck().all();
    expect(cols).not.toContain('endpoint'); // the ALTER in the same step was rolled back too
    raw.close();
  });
});

describe('corrupt file recovery', () => {
  function expectRecovered(file: string, store: Store, output: string) {
    expect(store.recovered).toBeDefined();
    const movedTo = store.recovered!.movedTo;
    expect(path.basename(movedTo)).toMatch(/^state\.db\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(fs.existsSync(movedTo)).toBe(true);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(store.locks.active()).toEqual([]);
    expect(output).toMatch(/ERROR STATE DATABASE WAS CORRUPT/);
    expect(output).toContain(path.basename(movedTo));
    // The fresh file works.
    store.meta.set('fresh', 'yes');
    expect(store.meta.get('fresh')).toBe('yes');
    expect(fs.existsSync(file)).toBe(true);
  }

  it('moves a garbage file aside, starts fresh and logs loudly', () => {
    const dir = dirs.make();
    const file = path.join(dir, 'state.db');
    fs.writeFileSync(file, Buffer.from('this is not a sqlite database, just garbage bytes '.repeat(100)));
    fs.writeFileSync(`${file}-wal`, 'garbage wal');
    const { logger, output } = capturingLogger();
    const store = track(openStore(file, { logger, now: () => Date.UTC(2026, 2, 4, 5, 6, 7, 8) }));
    expectRecovered(file, store, output());
    expect(store.recovered!.movedTo).toBe(`${file}.corrupt-2026-03-04T05-06-07-008Z`);
    expect(store.recovered!.reason).toMatch(/SQLITE_NOTADB/);
    expect(fs.readFileSync(`${store.recovered!.movedTo}-wal`, 'utf8')).toBe('garbage wal');
  });

  it('moves a truncated real database aside', () => {
    const file = path.join(dirs.make(), 'state.db');
    const s = openStore(file);
    for (let i = 0; i < 2000; i++) s.transitions.insert({ accountId: 1, actorId: 'a', event: `E${i}`.repeat(20), from: 'x', to: 'y', at: i });
    s.close();
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { logger, output } = capturingLogger();
    const store = track(openStore(file, { logger }));
    expectRecovered(file, store, output());
    expect(store.recovered!.reason).toMatch(/SQLITE_CORRUPT/);
  });

  it('moves aside a file whose pages were overwritten (found by the integrity check)', () => {
    const file = path.join(dirs.make(), 'state.db');
    const s = openStore(file);
    for (let i = 0; i < 2000; i++) s.transitions.insert({ accountId: 1, actorId: 'a', event: `E${i}`.repeat(20), from: 'x', to: 'y', at: i });
    s.close();
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xab, pageSize * 5, pageSize * 8);
    fs.writeFileSync(file, bytes);
    const { logger, output } = capturingLogger();
    const store = track(openStore(file, { logger }));
    expectRecovered(file, store, output());
  });

  it('does not overwrite an earlier corrupt copy with the same timestamp', () => {
    const file = path.join(dirs.make(), 'state.db');
    const now = () => Date.UTC(2026, 0, 1);
    fs.writeFileSync(file, 'garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage');
    const first = openStore(file, { now });
    first.close();
    fs.writeFileSync(file, 'more garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage gar');
    const second = track(openStore(file, { now }));
    expect(second.recovered!.movedTo).not.toBe(first.recovered!.movedTo);
    expect(fs.existsSync(first.recovered!.movedTo)).toBe(true);
    expect(fs.existsSync(second.recovered!.movedTo)).toBe(true);
  });
});

describe('read-only access while the daemon writes', () => {
  it('a read-only connection sees committed writes, never uncommitted ones, and never blocks the writer', () => {
    const file = path.join(dirs.make(), 'state.db');
    const writer = track(openStore(file));
    const reader = track(openStoreReadOnly(file));
    expect(reader.readonly).toBe(true);

    writer.locks.upsert({ id: 'L1', accountId: 3, kind: 'until_reset', rule: 'RULE-003', reason: 'r', since: 1 });
    expect(reader.locks.active(3).map((l) => l.id)).toEqual(['L1']);

    writer.transaction(() => {
      writer.locks.upsert({ id: 'L2', accountId: 3, kind: 'cooldown', rule: 'RULE-007', reason: 'r', since: 2, until: 9 });
      // Writer holds the write lock with an open transaction; the reader still reads the last commit.
      expect(reader.locks.active(3).map((l) => l.id)).toEqual(['L1']);
    });
    expect(reader.locks.active(3).map((l) => l.id)).toEqual(['L1', 'L2']);
    expect(() => reader.meta.set('x', 'y')).toThrow(/readonly/);
  });

  it('reads a closed data file (daemon down) without changing it', () => {
    const file = path.join(dirs.make(), 'state.db');
    const w = openStore(file);
    w.contracts.upsert({ id: 'CON.F.US.EP.Z25', name: 'ESZ5', description: 'E-mini S&P', tickSize: 0.25, tickValue: 12.5, activeContract: true, symbolId: 'F.US.EP' });
    w.close();
    const r = track(openStoreReadOnly(file));
    expect(r.contracts.get('CON.F.US.EP.Z25')?.tickValue).toBe(12.5);
  });

  it('fails clearly on a missing file or an older schema, without migrating', () => {
    const dir = dirs.make();
    expect(() => openStoreReadOnly(path.join(dir, 'nope.db'))).toThrow(/nope\.db does not exist/);
    const file = path.join(dir, 'old.db');
    const raw = new Sqlite(file);
    migrate(raw, { to: 1 });
    raw.close();
    expect(() => openStoreReadOnly(file)).toThrow(StoreSchemaMismatchError);
    expect(() => openStoreReadOnly(file)).toThrow(/older than .*riskd start/);
    const check = new Sqlite(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    check.close();
  });
});

describe('transactions', () => {
  it('commit together and roll back together', () => {
    const store = track(openStore(path.join(dirs.make(), 'state.db')));
    const lock = { id: 'L1', accountId: 1, kind: 'until_reset' as const, rule: 'RULE-003', reason: 'loss', since: 1 };
    expect(() =>
      store.transaction(() => {
        store.locks.upsert(lock);
        store.snapshots.save({ accountId: 1, machineId: 'account', machineVersion: 1, schemaVersion: 1, snapshot: { v: 1 }, timers: [], savedAt: 1 });
        throw new Error('enforcement planning failed');
      }),
    ).toThrow('enforcement planning failed');
    expect(store.locks.active()).toEqual([]);
    expect(store.snapshots.load(1, 'account')).toBeUndefined();

    const result = store.transaction(() => {
      store.locks.upsert(lock);
      return 'done';
    });
    expect(result).toBe('done');
    expect(store.locks.active()).toHaveLength(1);
  });

  it('nested calls are savepoints: an inner failure caught by the outer body keeps the outer writes', () => {
    const store = track(openStore(path.join(dirs.make(), 'state.db')));
    store.transaction(() => {
      store.meta.set('outer', '1');
      try {
        store.transaction(() => {
          store.meta.set('inner', '1');
          throw new Error('inner');
        });
      } catch {
        // handled
      }
    });
    expect(store.meta.get('outer')).toBe('1');
    expect(store.meta.get('inner')).toBeUndefined();
  });

  it('refuses an async body and rolls it back', () => {
    const store = track(openStore(path.join(dirs.make(), 'state.db')));
    expect(() =>
      store.transaction((async () => {
        store.meta.set('a', '1');
      }) as unknown as () => void),
    ).toThrow(/promise/i);
    expect(store.meta.get('a')).toBeUndefined();
  });
});
