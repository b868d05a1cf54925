// A payload that fails validation never throws past the parse layer: it becomes a ParseFailure that names the
// event, says what was wrong, and carries a short redacted sample for the log.

export interface ParseFailure {
  /** Hub target (e.g. GatewayUserOrder) or REST endpoint (e.g. /api/Order/search). */
  event: string;
  reason: string;
  /** Truncated JSON of the payload with secret-looking fields redacted. */
  sample: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; failure: ParseFailure };

/** Thrown inside field readers only; converted to a ParseFailure at the parser boundary. */
export class PayloadError extends Error {
  constructor(public readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'PayloadError';
  }
}

const SECRET_KEY = /token|apikey|api_key|password|secret|authorization|bearer/i;
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
export const SAMPLE_MAX_CHARS = 300;

export function redactedSample(raw: unknown, max = SAMPLE_MAX_CHARS): string {
  let text: string;
  try {
    text = JSON.stringify(raw, (key, value) => (key && SECRET_KEY.test(key) ? '[redacted]' : value)) ?? String(raw);
  } catch {
    text = String(raw);
  }
  text = text.replace(JWT_LIKE, '[redacted-jwt]');
  return text.length > max ? `${text.slice(0, max)}…(+${text.length - max} chars)` : text;
}

/** Runs a throwing parser and turns any failure into a ParseFailure (never rethrows). */
export function attempt<T>(event: string, raw: unknown, parse: () => T): ParseResult<T> {
  try {
    return { ok: true, value: parse() };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, failure: { event, reason, sample: redactedSample(raw) } };
  }
}
