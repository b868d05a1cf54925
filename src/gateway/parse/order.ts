import type { Order, OrderSide, OrderStatus, OrderType } from '../models.ts';
import { asObject, compact, optIntOrNull, optNumOrNull, optStr, optStrOrNull, reqEnum, reqInstant, reqInt, reqNum, reqStr } from './fields.ts';

const STATUSES = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
const TYPES = [0, 1, 2, 3, 4, 5, 6, 7] as const;
const SIDES = [0, 1] as const;

export function readOrder(raw: unknown, path: string): Order {
  const o = asObject(raw, path);
  const created = reqInstant(o, 'creationTimestamp', path);
  const updated = o.updateTimestamp === undefined || o.updateTimestamp === null ? created : reqInstant(o, 'updateTimestamp', path);
  return compact<Order>({
    id: reqInt(o, 'id', path),
    accountId: reqInt(o, 'accountId', path),
    contractId: reqStr(o, 'contractId', path),
    symbolId: optStr(o, 'symbolId', path),
    creationTimestamp: created.ms,
    updateTimestamp: updated.ms,
    updateTicks: updated.ticks,
    status: reqEnum<OrderStatus>(o, 'status', path, STATUSES),
    type: reqEnum<OrderType>(o, 'type', path, TYPES),
    side: reqEnum<OrderSide>(o, 'side', path, SIDES),
    size: reqNum(o, 'size', path),
    limitPrice: optNumOrNull(o, 'limitPrice', path),
    stopPrice: optNumOrNull(o, 'stopPrice', path),
    // Only the doc's searchOpen example omits fillVolume; an absent value means "no fill reported".
    fillVolume: optNumOrNull(o, 'fillVolume', path) ?? 0,
    filledPrice: optNumOrNull(o, 'filledPrice', path),
    customTag: optStrOrNull(o, 'customTag', path),
    trailDistance: optNumOrNull(o, 'trailDistance', path),
    trailPrice: optNumOrNull(o, 'trailPrice', path),
    parentOrderId: optIntOrNull(o, 'parentOrderId', path),
    linkedOrderId: optIntOrNull(o, 'linkedOrderId', path),
  });
}
