// Shared pieces of the REST handlers: the route shape, replies, ASP.NET-style 400 ProblemDetails and
// field readers that name the offending field.
import type { SimEngine } from '../engine/engine.ts';
import type { TokenIssuer } from '../auth.ts';

export interface RestContext {
  engine: SimEngine;
  tokens: TokenIssuer;
  credentials: { userName: string; apiKey: string };
  /** The caller's bearer token (already checked valid for authenticated routes). */
  token: string | null;
  path: string;
  /** Whether the user holds a live market-data subscription (Contract/search with live:true). */
  liveData: boolean;
}

export interface RestReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Bearer token required (401 otherwise). */
  auth: boolean;
  /** No [FromBody] parameter (validate, logout): any content type and an empty body are fine. */
  bodyless?: boolean;
  /** Which rate budget the call draws from; default the general 200 / 60 s. */
  limiter?: 'general' | 'bars';
  handler: (body: Record<string, unknown>, ctx: RestContext) => RestReply;
}

/** Thrown by field readers; turned into an HTTP 400 validation ProblemDetails. */
export class BadRequest extends Error {
  constructor(readonly field: string, readonly problem: string) {
    super(`${field}: ${problem}`);
  }
}

export const ok = (payload: Record<string, unknown>, success = true, errorCode = 0, errorMessage: string | null = null): RestReply => ({
  status: 200,
  body: { ...payload, success, errorCode, errorMessage },
});

export function validationProblem(field: string, problem: string, path: string): RestReply {
  return {
    status: 400,
    body: {
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: { [field]: [problem] },
      instance: path,
    },
  };
}

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function reqInt(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  if (v === undefined || v === null) throw new BadRequest(pascal(field), `The ${pascal(field)} field is required.`);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new BadRequest(pascal(field), `The ${pascal(field)} field must be an integer.`);
  return v;
}

export function optNumber(body: Record<string, unknown>, field: string): number | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadRequest(pascal(field), `The ${pascal(field)} field must be a number.`);
  return v;
}

export function reqString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v.length === 0) throw new BadRequest(pascal(field), `The ${pascal(field)} field is required.`);
  return v;
}

export function optString(body: Record<string, unknown>, field: string): string | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new BadRequest(pascal(field), `The ${pascal(field)} field must be a string.`);
  return v;
}

export function reqBool(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (typeof v !== 'boolean') throw new BadRequest(pascal(field), `The ${pascal(field)} field is required.`);
  return v;
}

/** ISO timestamp -> epoch ms; offset-less strings are read as UTC. */
export function timestamp(body: Record<string, unknown>, field: string, required: boolean): number | null {
  const v = body[field];
  if (v === undefined || v === null) {
    if (required) throw new BadRequest(pascal(field), `The ${pascal(field)} field is required.`);
    return null;
  }
  if (typeof v !== 'string') throw new BadRequest(pascal(field), `The ${pascal(field)} field must be an ISO date-time string.`);
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(v);
  const ms = Date.parse(hasZone ? v : `${v}Z`);
  if (Number.isNaN(ms)) throw new BadRequest(pascal(field), `The value '${v}' is not a valid date-time.`);
  return ms;
}

export function reqObject(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const v = body[field];
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(pascal(field), `The ${pascal(field)} field is required.`);
  return v as Record<string, unknown>;
}
