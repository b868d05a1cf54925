// Turns anything a caller might log into plain JSON-safe data with every secret removed.
// Used by the logger for every field and message, so a token or API key can never reach a log file or terminal.

export const REDACTED = '[redacted]';

/** Object keys whose values are always hidden, at any depth. */
export const SECRET_KEY = /token|api.?key|password|secret|authorization|passphrase/i;

/** Registered secrets shorter than this are ignored: replacing "a" inside every string would wreck the log. */
const MIN_SECRET_LENGTH = 4;
const MAX_DEPTH = 10;
const MAX_STRING = 20_000;
const MAX_ITEMS = 1_000;

// Secret shapes found inside free text (messages, error messages, stacks, request bodies logged as strings).
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const QUERY_SECRET = /\b((?:access_?token|token|api_?key|apikey|password|secret|passphrase)=)[^&\s"',;]+/gi;
const HEADER_SECRET = /\b((?:proxy-)?authorization\s*:\s*)[^\r\n"',;}]+/gi;
const URL_USERINFO = /(\/\/)[^/\s:@]+:[^/\s@]+@/g;
const JSON_SECRET =
  /("[^"\\]*(?:token|api.?key|password|secret|authorization|passphrase)[^"\\]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

/** The set of exact secret values to scrub from strings; shared by a logger and all its children. */
export class SecretSet {
  private values: string[] = [];

  add(secret: string | null | undefined): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
    if (this.values.includes(secret)) return;
    this.values.push(secret);
    // Longest first, so a secret that contains another is replaced whole.
    this.values.sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    // Scrub before truncating, so a cut can never leave the first half of a secret behind.
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    out = out
      .replace(JWT, REDACTED)
      .replace(BEARER, `$1 ${REDACTED}`)
      .replace(HEADER_SECRET, `$1${REDACTED}`)
      .replace(URL_USERINFO, `$1${REDACTED}@`)
      .replace(QUERY_SECRET, `$1${REDACTED}`)
      .replace(JSON_SECRET, `$1"${REDACTED}"`);
    return out.length > MAX_STRING ? `${out.slice(0, MAX_STRING)}…[truncated]` : out;
  }
}

/**
 * Deep copy of `value` as JSON-native data: secret keys hidden, strings scrubbed, Errors as
 * {name, message, stack, ...}, cycles as "[circular]", depth capped. Never throws (getters may; they are caught).
 */
export function sanitize(value: unknown, secrets: SecretSet): unknown {
  return walk(value, secrets, new WeakSet<object>(), 0);
}

function walk(value: unknown, secrets: SecretSet, seen: WeakSet<object>, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return secrets.scrub(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
      return undefined;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const obj = value as object;
  if (seen.has(obj)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (Buffer.isBuffer(obj) || ArrayBuffer.isView(obj)) return `[bytes ${(obj as ArrayBufferView).byteLength}]`;
  seen.add(obj);
  try {
    if (obj instanceof Error) return errorToPlain(obj, secrets, seen, depth);
    if (Array.isArray(obj)) {
      const items = obj.slice(0, MAX_ITEMS).map((v) => walk(v, secrets, seen, depth + 1));
      if (obj.length > MAX_ITEMS) items.push(`[${obj.length - MAX_ITEMS} more items]`);
      return items;
    }
    if (obj instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of obj) putField(out, String(k), v, secrets, seen, depth);
      return out;
    }
    if (obj instanceof Set) return [...obj].map((v) => walk(v, secrets, seen, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) putField(out, key, readProp(obj, key), secrets, seen, depth);
    return out;
  } finally {
    // A value shared by two branches (not a cycle) is printed in both.
    seen.delete(obj);
  }
}

function putField(
  out: Record<string, unknown>,
  key: string,
  v: unknown,
  secrets: SecretSet,
  seen: WeakSet<object>,
  depth: number,
): void {
  const safeKey = secrets.scrub(key);
  if (SECRET_KEY.test(key)) {
    out[safeKey] = v === undefined || v === null ? v : REDACTED;
    return;
  }
  const clean = walk(v, secrets, seen, depth + 1);
  if (clean !== undefined) out[safeKey] = clean;
}

function errorToPlain(err: Error, secrets: SecretSet, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: secrets.scrub(String(readProp(err, 'name') ?? 'Error')),
    message: secrets.scrub(String(readProp(err, 'message') ?? '')),
  };
  const stack = readProp(err, 'stack');
  if (typeof stack === 'string') out.stack = secrets.scrub(stack);
  // Own enumerable extras (code, endpoint, errorCode, ...) and the cause chain.
  for (const key of Object.keys(err)) {
    if (key === 'name' || key === 'message' || key === 'stack') continue;
    putField(out, key, readProp(err, key), secrets, seen, depth);
  }
  const cause = readProp(err, 'cause');
  if (cause !== undefined && !('cause' in out)) out.cause = walk(cause, secrets, seen, depth + 1);
  return out;
}

function readProp(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch (e) {
    return `[unreadable: ${e instanceof Error ? e.message : 'getter threw'}]`;
  }
}
