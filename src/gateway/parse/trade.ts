import type { OrderSide, Trade } from '../models.ts';
import { asObject, compact, infoNumOrNull, optBool, optNumOrNull, reqEnum, reqInstant, reqInt, reqNum, reqStr } from './fields.ts';

export function readTrade(raw: unknown, path: string): Trade {
  const o = asObject(raw, path);
  return compact<Trade>({
    id: reqInt(o, 'id', path),
    accountId: reqInt(o, 'accountId', path),
    contractId: reqStr(o, 'contractId', path),
    creationTimestamp: reqInstant(o, 'creationTimestamp', path).ms,
    price: reqNum(o, 'price', path),
    // null = opening half-turn; an absent field carries the same meaning (no realized P&L on this fill).
    profitAndLoss: optNumOrNull(o, 'profitAndLoss', path) ?? null,
    fees: reqNum(o, 'fees', path),
    // Stream only (REST Trade/search has no such field); informational, never in net P&L (Ledger.realizedNetToday).
    commissions: infoNumOrNull(o, 'commissions'),
    side: reqEnum<OrderSide>(o, 'side', path, [0, 1]),
    size: reqNum(o, 'size', path),
    voided: optBool(o, 'voided', path) ?? false,
    orderId: reqInt(o, 'orderId', path),
  });
}
