import type { Account } from '../models.ts';
import { asObject, optBool, reqBool, reqInt, reqNum, reqStr } from './fields.ts';

export function readAccount(raw: unknown, path: string): Account {
  const o = asObject(raw, path);
  return {
    id: reqInt(o, 'id', path),
    name: reqStr(o, 'name', path),
    balance: reqNum(o, 'balance', path),
    canTrade: reqBool(o, 'canTrade', path),
    // Older doc examples omit these two. Absent isVisible = visible; absent simulated = treat as live, the
    // conservative choice (live accounts refuse cancel/partial close, so enforcement falls back to closing).
    isVisible: optBool(o, 'isVisible', path) ?? true,
    simulated: optBool(o, 'simulated', path) ?? false,
  };
}
