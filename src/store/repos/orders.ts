// Orders as last seen (ids are int64 at the gateway; we keep them as numbers < 2^53).
import type { Database } from 'better-sqlite3';
import { WORKING_ORDER_STATUSES, type Order, type OrderSide, type OrderStatus, type OrderType } from '../../gateway/models.ts';

interface Raw {
  id: number;
  account_id: number;
  contract_id: string;
  symbol_id: string | null;
  created_at: number;
  updated_at: number;
  update_ticks: number | null;
  status: number;
  type: number;
  side: number;
  size: number;
  limit_price: number | null;
  stop_price: number | null;
  fill_volume: number;
  filled_price: number | null;
  custom_tag: string | null;
  trail_distance: number | null;
  trail_price: number | null;
  parent_order_id: number | null;
  linked_order_id: number | null;
}

export interface OrderRepo {
  upsert(o: Order): void;
  remove(accountId: number, orderId: number): void;
  get(orderId: number): Order | undefined;
  /** Orders in a working status (Open, Pending, PendingCancellation, Suspended). */
  working(accountId: number): Order[];
}

const decode = (r: Raw): Order => {
  const o: Order = {
    id: r.id,
    accountId: r.account_id,
    contractId: r.contract_id,
    creationTimestamp: r.created_at,
    updateTimestamp: r.updated_at,
    status: r.status as OrderStatus,
    type: r.type as OrderType,
    side: r.side as OrderSide,
    size: r.size,
    limitPrice: r.limit_price,
    stopPrice: r.stop_price,
    fillVolume: r.fill_volume,
    filledPrice: r.filled_price,
    customTag: r.custom_tag,
    trailDistance: r.trail_distance,
    trailPrice: r.trail_price,
    parentOrderId: r.parent_order_id,
    linkedOrderId: r.linked_order_id,
  };
  if (r.symbol_id !== null) o.symbolId = r.symbol_id;
  if (r.update_ticks !== null) o.updateTicks = r.update_ticks;
  return o;
};

export function orderRepo(db: Database): OrderRepo {
  const upsert = db.prepare(`
    INSERT INTO orders (id, account_id, contract_id, symbol_id, created_at, updated_at, update_ticks, status, type, side,
      size, limit_price, stop_price, fill_volume, filled_price, custom_tag, trail_distance, trail_price,
      parent_order_id, linked_order_id)
    VALUES (@id, @accountId, @contractId, @symbolId, @createdAt, @updatedAt, @updateTicks, @status, @type, @side,
      @size, @limitPrice, @stopPrice, @fillVolume, @filledPrice, @customTag, @trailDistance, @trailPrice,
      @parentOrderId, @linkedOrderId)
    ON CONFLICT (id) DO UPDATE SET
      account_id = excluded.account_id, contract_id = excluded.contract_id, symbol_id = excluded.symbol_id,
      created_at = excluded.created_at, updated_at = excluded.updated_at, update_ticks = excluded.update_ticks,
      status = excluded.status, type = excluded.type, side = excluded.side, size = excluded.size,
      limit_price = excluded.limit_price, stop_price = excluded.stop_price, fill_volume = excluded.fill_volume,
      filled_price = excluded.filled_price, custom_tag = excluded.custom_tag,
      trail_distance = excluded.trail_distance, trail_price = excluded.trail_price,
      parent_order_id = excluded.parent_order_id, linked_order_id = excluded.linked_order_id`);
  const remove = db.prepare('DELETE FROM orders WHERE account_id = ? AND id = ?');
  const get = db.prepare<[number], Raw>('SELECT * FROM orders WHERE id = ?');
  const working = db.prepare<[number], Raw>(
    `SELECT * FROM orders WHERE account_id = ? AND status IN (${WORKING_ORDER_STATUSES.join(', ')}) ORDER BY created_at, id`,
  );

  return {
    upsert(o) {
      upsert.run({
        id: o.id,
        accountId: o.accountId,
        contractId: o.contractId,
        symbolId: o.symbolId ?? null,
        createdAt: o.creationTimestamp,
        updatedAt: o.updateTimestamp,
        updateTicks: o.updateTicks ?? null,
        status: o.status,
        type: o.type,
        side: o.side,
        size: o.size,
        limitPrice: o.limitPrice ?? null,
        stopPrice: o.stopPrice ?? null,
        fillVolume: o.fillVolume,
        filledPrice: o.filledPrice ?? null,
        customTag: o.customTag ?? null,
        trailDistance: o.trailDistance ?? null,
        trailPrice: o.trailPrice ?? null,
        parentOrderId: o.parentOrderId ?? null,
        linkedOrderId: o.linkedOrderId ?? null,
      });
    },
    remove(accountId, orderId) {
      remove.run(accountId, orderId);
    },
    get(orderId) {
      const r = get.get(orderId);
      return r ? decode(r) : undefined;
    },
    working(accountId) {
      return working.all(accountId).map(decode);
    },
  };
}
