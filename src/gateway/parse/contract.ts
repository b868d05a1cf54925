import type { Contract } from '../models.ts';
import { asObject, reqBool, reqNum, reqStr } from './fields.ts';
import { PayloadError } from './failure.ts';

export function readContract(raw: unknown, path: string): Contract {
  const o = asObject(raw, path);
  const tickSize = reqNum(o, 'tickSize', path);
  const tickValue = reqNum(o, 'tickValue', path);
  // Money goes through ticks everywhere; a zero/negative tick would make every P&L figure meaningless.
  if (tickSize <= 0) throw new PayloadError(`${path}.tickSize`, `must be positive, got ${tickSize}`);
  if (tickValue <= 0) throw new PayloadError(`${path}.tickValue`, `must be positive, got ${tickValue}`);
  return {
    id: reqStr(o, 'id', path),
    name: reqStr(o, 'name', path),
    description: typeof o.description === 'string' ? o.description : '',
    tickSize,
    tickValue,
    activeContract: reqBool(o, 'activeContract', path),
    symbolId: reqStr(o, 'symbolId', path),
  };
}
