// Field readers for untrusted gateway objects. Unknown fields are ignored; a missing optional field stays
// undefined (never 0); a wrong type throws a PayloadError naming the field.
import { PayloadError } from './failure.ts';
import { parseGatewayInstant, type GatewayInstant } from './timestamp.ts';

export type Obj = Record<string, unknown>;

export function asObject(raw: unknown, path: string): Obj {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PayloadError(path, `expected an object, got ${describe(raw)}`);
  }
  return raw as Obj;
}

export function asArray(raw: unknown, path: string): unknown[] {
  if (!Array.isArray(raw)) throw new PayloadError(path, `expected an array, got ${describe(raw)}`);
  return raw;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toNumber(v: unknown, path: string): number {
  // Some serializers send decimals as strings; accept plain numeric text, including exponent form.
  const n = typeof v === 'number' ? v : typeof v === 'string' && NUMERIC_TEXT.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new PayloadError(path, `expected a number, got ${JSON.stringify(v) ?? describe(v)}`);
  return n;
}

export function reqNum(o: Obj, key: string, path: string): number {
  const v = o[key];
  if (v === undefined || v === null) throw new PayloadError(`${path}.${key}`, 'required number is missing');
  return toNumber(v, `${path}.${key}`);
}

/** undefined when absent, null when the gateway sent null, else the number. */
export function optNumOrNull(o: Obj, key: string, path: string): number | null | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  return toNumber(v, `${path}.${key}`);
}

/** undefined when absent or null (for sparse deltas where null carries no information). */
export function optNum(o: Obj, key: string, path: string): number | undefined {
  const v = optNumOrNull(o, key, path);
  return v === null ? undefined : v;
}

export function reqInt(o: Obj, key: string, path: string): number {
  const n = reqNum(o, key, path);
  if (!Number.isSafeInteger(n)) throw new PayloadError(`${path}.${key}`, `expected an integer, got ${n}`);
  return n;
}

export function optIntOrNull(o: Obj, key: string, path: string): number | null | undefined {
  const n = optNumOrNull(o, key, path);
  if (n !== undefined && n !== null && !Number.isSafeInteger(n)) {
    throw new PayloadError(`${path}.${key}`, `expected an integer, got ${n}`);
  }
  return n;
}

export function reqEnum<T extends number>(o: Obj, key: string, path: string, allowed: readonly number[]): T {
  const n = reqInt(o, key, path);
  if (!allowed.includes(n)) throw new PayloadError(`${path}.${key}`, `unknown value ${n} (allowed ${allowed.join(',')})`);
  return n as T;
}

export function reqStr(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw new PayloadError(`${path}.${key}`, v === undefined || v === null ? 'required string is missing' : `expected a non-empty string, got ${describe(v)}`);
  }
  return v;
}

export function optStr(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new PayloadError(`${path}.${key}`, `expected a string, got ${describe(v)}`);
  return v;
}

export function optStrOrNull(o: Obj, key: string, path: string): string | null | undefined {
  const v = o[key];
  if (v === null) return null;
  return optStr(o, key, path);
}

export function reqBool(o: Obj, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') {
    throw new PayloadError(`${path}.${key}`, v === undefined || v === null ? 'required boolean is missing' : `expected a boolean, got ${describe(v)}`);
  }
  return v;
}

export function optBool(o: Obj, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new PayloadError(`${path}.${key}`, `expected a boolean, got ${describe(v)}`);
  return v;
}

export function reqInstant(o: Obj, key: string, path: string): GatewayInstant {
  const v = o[key];
  if (typeof v !== 'string') {
    throw new PayloadError(`${path}.${key}`, v === undefined || v === null ? 'required timestamp is missing' : `expected a timestamp string, got ${describe(v)}`);
  }
  const t = parseGatewayInstant(v);
  if (!t) throw new PayloadError(`${path}.${key}`, `unparseable timestamp ${JSON.stringify(v)}`);
  return t;
}

export function optInstant(o: Obj, key: string, path: string): GatewayInstant | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return reqInstant(o, key, path);
}

/**
 * Informational fields riskd never decides on (trade `commissions`, position `contractDisplayName`): a value of an
 * unexpected type is dropped instead of failing the payload, like an unknown extra field, so a change in a field
 * riskd only displays can never cost it a fill or a position.
 */
export function infoNumOrNull(o: Obj, key: string): number | null | undefined {
  const v = o[key];
  if (v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC_TEXT.test(v.trim())) return Number(v);
  return undefined;
}

export function infoStr(o: Obj, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Copies only the keys whose value is not undefined, so optional fields stay absent rather than `undefined`. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
