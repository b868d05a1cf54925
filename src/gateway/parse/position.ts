import type { Position, PositionType } from '../models.ts';
import { asObject, compact, infoStr, reqEnum, reqInstant, reqInt, reqNum, reqStr } from './fields.ts';
import { PayloadError } from './failure.ts';

export function readPosition(raw: unknown, path: string): Position {
  const o = asObject(raw, path);
  const size = reqNum(o, 'size', path);
  if (size < 0) throw new PayloadError(`${path}.size`, `must be >= 0, got ${size}`);
  return compact<Position>({
    id: reqInt(o, 'id', path),
    accountId: reqInt(o, 'accountId', path),
    contractId: reqStr(o, 'contractId', path),
    contractDisplayName: infoStr(o, 'contractDisplayName'),
    creationTimestamp: reqInstant(o, 'creationTimestamp', path).ms,
    type: reqEnum<PositionType>(o, 'type', path, [0, 1, 2]),
    size,
    averagePrice: reqNum(o, 'averagePrice', path),
  });
}
