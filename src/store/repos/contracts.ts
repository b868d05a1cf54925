// Contract facts (tick size/value) cached from Contract/searchById, so money math works before the first REST call.
import type { Database } from 'better-sqlite3';
import type { Contract } from '../../gateway/models.ts';
import { bool } from './json.ts';

interface Raw {
  id: string;
  name: string;
  description: string;
  tick_size: number;
  tick_value: number;
  active_contract: number;
  symbol_id: string;
}

export interface ContractRepo {
  upsert(c: Contract): void;
  get(id: string): Contract | undefined;
  all(): Contract[];
}

const decode = (r: Raw): Contract => ({
  id: r.id,
  name: r.name,
  description: r.description,
  tickSize: r.tick_size,
  tickValue: r.tick_value,
  activeContract: r.active_contract === 1,
  symbolId: r.symbol_id,
});

export function contractRepo(db: Database): ContractRepo {
  const upsert = db.prepare(`
    INSERT INTO contracts (id, name, description, tick_size, tick_value, active_contract, symbol_id)
    VALUES (@id, @name, @description, @tickSize, @tickValue, @activeContract, @symbolId)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
      tick_size = excluded.tick_size, tick_value = excluded.tick_value,
      active_contract = excluded.active_contract, symbol_id = excluded.symbol_id`);
  const get = db.prepare<[string], Raw>('SELECT * FROM contracts WHERE id = ?');
  const all = db.prepare<[], Raw>('SELECT * FROM contracts ORDER BY id');

  return {
    upsert(c) {
      upsert.run({
        id: c.id,
        name: c.name,
        description: c.description,
        tickSize: c.tickSize,
        tickValue: c.tickValue,
        activeContract: bool(c.activeContract),
        symbolId: c.symbolId,
      });
    },
    get(id) {
      const r = get.get(id);
      return r ? decode(r) : undefined;
    },
    all() {
      return all.all().map(decode);
    },
  };
}
