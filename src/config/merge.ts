// Key-by-key merge of per-account overrides over the shared risk file, done on the raw YAML values before
// validation: mappings merge recursively (an override that sets rules.max_contracts.limit keeps every other
// key of max_contracts), anything else (numbers, strings, lists) replaces the shared value.

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergeKeyByKey(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = k in base ? mergeKeyByKey(base[k], v) : v;
  return out;
}

/** The value at `path` in a plain JS tree, and whether it exists. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): { exists: boolean; value: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number' && seg < cur.length) cur = cur[seg];
    else if (isPlainObject(cur) && typeof seg === 'string' && Object.hasOwn(cur, seg)) cur = cur[seg];
    else return { exists: false, value: undefined };
  }
  return { exists: true, value: cur };
}

/** How many leading segments of `path` exist in `root`. */
export function existingDepth(root: unknown, path: readonly PropertyKey[]): number {
  let depth = 0;
  while (depth < path.length && valueAt(root, path.slice(0, depth + 1)).exists) depth++;
  return depth;
}
