// `${ENV_VAR}` expansion in accounts.yaml string values, so secrets live in the environment, not in files.
// A variable that is not set is an error naming it; the value of a variable never appears in any message.

// `${NAME}` is a reference; `$${NAME}` is the literal text `${NAME}`.
const REF_RE = /\$(\$?)\{([^}]*)\}/g;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvProblem {
  path: (string | number)[];
  message: string;
}

export interface Expanded {
  value: unknown;
  problems: EnvProblem[];
  /** Paths (joined with \u0000) whose value came from the environment: never echo them. */
  fromEnv: Set<string>;
}

export function pathKey(path: readonly PropertyKey[]): string {
  return path.map(String).join('\u0000');
}

/** Replaces every `${NAME}` in every string of `value` (recursively) with env[NAME]. */
export function expandEnv(value: unknown, env: Record<string, string | undefined>): Expanded {
  const problems: EnvProblem[] = [];
  const fromEnv = new Set<string>();

  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('${')) return v;
      let usedEnv = false;
      const out = v.replace(REF_RE, (whole, escaped: string, name: string) => {
        if (escaped) return whole.slice(1);
        if (!NAME_RE.test(name)) {
          problems.push({ path, message: `"${whole}" is not a valid environment variable reference` });
          return whole;
        }
        const val = env[name];
        if (val === undefined) {
          problems.push({ path, message: `environment variable ${name} is not set` });
          return '';
        }
        usedEnv = true;
        return val;
      });
      if (usedEnv) fromEnv.add(pathKey(path));
      return out;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...path, k])]));
    }
    return v;
  };

  return { value: walk(value, []), problems, fromEnv };
}
