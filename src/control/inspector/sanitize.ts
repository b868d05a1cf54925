// Removes secrets from anything the inspector shows or relays (snapshot context, events): keys that name a
// credential are replaced, actor references become their id, and depth is bounded (no cycles reach JSON).
const SECRET_KEY = /(token|password|passwd|secret|api_?key|apikey|authorization|credential)/i;

export function sanitize(value: unknown, depth = 0): unknown {
  if (depth > 12) return '[depth limit]';
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? '[function]' : value;
  // An actor ref (live child) or a persisted child reference: show only which actor it is.
  const v = value as Record<string, unknown>;
  if (typeof v['send'] === 'function' && typeof v['getSnapshot'] === 'function') return { actor: String(v['id'] ?? '?') };
  if (Array.isArray(value)) return value.map((x) => sanitize(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : sanitize(x, depth + 1);
  return out;
}
