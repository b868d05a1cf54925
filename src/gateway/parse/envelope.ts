// User-hub payloads arrive as `{action, data}` on the real wire while the docs show bare entities; accept both.
import type { HubAction } from '../models.ts';
import { asObject, type Obj } from './fields.ts';
import { PayloadError } from './failure.ts';

export interface Unwrapped {
  action?: HubAction;
  data: Obj;
}

export function unwrapHubEnvelope(raw: unknown, path: string): Unwrapped {
  const o = asObject(raw, path);
  const isEnvelope = 'data' in o && o.data !== null && typeof o.data === 'object' && !Array.isArray(o.data) && !('id' in o);
  if (!isEnvelope) return { data: o };
  const action = o.action;
  if (action !== undefined && action !== null && typeof action !== 'number') {
    throw new PayloadError(`${path}.action`, `expected a number, got ${typeof action}`);
  }
  // Unknown action codes are delivered without an action rather than dropped: the entity itself is still news.
  const known = action === 0 || action === 1 || action === 2 ? (action as HubAction) : undefined;
  return known === undefined ? { data: o.data as Obj } : { action: known, data: o.data as Obj };
}

/** The `success/errorCode/errorMessage` part every REST response carries. */
export interface RestEnvelope {
  success: boolean;
  errorCode: number;
  errorMessage: string | null;
  body: Obj;
}

export function parseRestEnvelope(raw: unknown, path: string): RestEnvelope {
  const o = asObject(raw, path);
  if (typeof o.success !== 'boolean') throw new PayloadError(`${path}.success`, 'required boolean is missing');
  const code = o.errorCode;
  if (code !== undefined && code !== null && (typeof code !== 'number' || !Number.isInteger(code))) {
    throw new PayloadError(`${path}.errorCode`, `expected an integer, got ${JSON.stringify(code)}`);
  }
  const msg = o.errorMessage;
  return {
    success: o.success,
    errorCode: typeof code === 'number' ? code : o.success ? 0 : -1,
    errorMessage: typeof msg === 'string' ? msg : null,
    body: o,
  };
}
