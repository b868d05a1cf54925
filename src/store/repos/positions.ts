// Open positions as last seen, one per (account, contract). A close event removes the row.
import type { Database } from 'better-sqlite3';
import type { Position, PositionType } from '../../gateway/models.ts';

interface Raw {
  account_id: number;
  contract_id: string;
  id: number;
  display_name: string | null;
  created_at: number;
  type: number;
  size: number;
  average_price: number;
}

export interface PositionRepo {
  upsert(p: Position): void;
  remove(accountId: number, contractId: string): void;
  list(accountId: number): Position[];
}

const decode = (r: Raw): Position => {
  const p: Position = {
    id: r.id,
    accountId: r.account_id,
    contractId: r.contract_id,
    creationTimestamp: r.created_at,
    type: r.type as PositionType,
    size: r.size,
    averagePrice: r.average_price,
  };
  if (r.display_name !== null) p.contractDisplayName = r.display_name;
  return p;
};

export function positionRepo(db: Database): PositionRepo {
  const upsert = db.prepare(`
    INSERT INTO positions (account_id, contract_id, id, display_name, created_at, type, size, average_price)
    VALUES (@accountId, @contractId, @id, @displayName, @createdAt, @type, @size, @averagePrice)
    ON CONFLICT (account_id, contract_id) DO UPDATE SET
      id = excluded.id, display_name = excluded.display_name, created_at = excluded.created_at,
      type = excluded.type, size = excluded.size, average_price = excluded.average_price`);
  const remove = db.prepare('DELETE FROM positions WHERE account_id = ? AND contract_id = ?');
  const list = db.prepare<[number], Raw>('SELECT * FROM positions WHERE account_id = ? ORDER BY contract_id');

  return {
    upsert(p) {
      upsert.run({
        accountId: p.accountId,
        contractId: p.contractId,
        id: p.id,
        displayName: p.contractDisplayName ?? null,
        createdAt: p.creationTimestamp,
        type: p.type,
        size: p.size,
        averagePrice: p.averagePrice,
      });
    },
    remove(accountId, contractId) {
      remove.run(accountId, contractId);
    },
    list(accountId) {
      return list.all(accountId).map(decode);
    },
  };
}
