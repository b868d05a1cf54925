// Loads risk.yaml and accounts.yaml into the resolved configuration (types.ts), or throws one ConfigError
// listing every problem with its file, line, column and key. Per-account overrides (a `risk:` file and/or
// inline `rules:`) are merged key by key over the shared risk file and validated as a whole; each problem
// is reported in the file where the offending key was written.
import { dirname, isAbsolute, join } from 'node:path';
import type { z } from 'zod';
import { expandEnv, pathKey } from './env.ts';
import { ConfigError, formatIssue, formatPath } from './errors.ts';
import type { ConfigIssue } from './errors.ts';
import { existingDepth, isPlainObject, mergeKeyByKey, valueAt } from './merge.ts';
import { MONEY_PATHS, accountsConfigSchema, riskConfigSchema } from './schema.ts';
import type { AccountsConfig, LoadedConfig, RiskConfig } from './types.ts';
import { locate, readYamlFile } from './yamlSource.ts';
import type { YamlSource } from './yamlSource.ts';

type Path = (string | number)[];

/** Where one piece of raw configuration came from: its file, and where in that file it sits. */
interface Layer {
  src: YamlSource;
  /** The layer's data sits at this path of its file (inline rules: ['accounts', i]). */
  prefix: Path;
  /** The layer's raw values, shaped like a risk/accounts file. */
  data: unknown;
  /** True for values that must never be echoed (secrets, anything that came from the environment). */
  isSecret?: (fullPath: Path) => boolean;
}

export interface LoadConfigOptions {
  riskPath: string;
  /** Default: accounts.yaml next to the risk file. */
  accountsPath?: string;
  /** For `${VAR}` expansion in accounts.yaml. */
  env?: Record<string, string | undefined>;
}

/**
 * Loads and validates one risk file (rules.md). Negative money is read as its magnitude; a notice naming
 * file, line and key is pushed to `opts.notices` for each. Throws ConfigError.
 */
export function loadRiskFile(path: string, opts: { notices?: string[] } = {}): RiskConfig {
  const read = readYamlFile(path);
  if (!read.ok) throw new ConfigError(read.issues);
  const layer: Layer = { src: read.source, prefix: [], data: read.source.data };
  const parsed = riskConfigSchema.safeParse(layer.data);
  if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error.issues, [layer], layer.data));
  opts.notices?.push(...moneyNotices(layer));
  return parsed.data;
}

/**
 * Validates a risk config given as a JS value (tests, the demo), with the same defaults and units as a file:
 * `parseRiskConfig({ rules: { max_contracts: { enabled: true, limit: 2 } } })`. Throws ConfigError
 * (issues carry the key path; line 0 since there is no file).
 */
export function parseRiskConfig(input: unknown, name = '<inline risk config>'): RiskConfig {
  const parsed = riskConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((i) => ({
      file: name,
      line: 0,
      column: 0,
      path: formatPath(i.path.filter((s): s is string | number => typeof s !== 'symbol')),
      message: i.message,
    })),
  );
}

/** Loads the shared risk file, accounts.yaml and every per-account override. Throws ConfigError. */
export function loadConfig(opts: LoadConfigOptions): LoadedConfig {
  const { riskPath, env = process.env } = opts;
  const accountsPath = opts.accountsPath ?? join(dirname(riskPath), 'accounts.yaml');
  const issues: ConfigIssue[] = [];
  const notices: string[] = [];

  // 1. The shared risk file.
  let risk: RiskConfig | undefined;
  let riskLayer: Layer | undefined;
  const riskRead = readYamlFile(riskPath);
  if (!riskRead.ok) issues.push(...riskRead.issues);
  else {
    riskLayer = { src: riskRead.source, prefix: [], data: riskRead.source.data };
    const parsed = riskConfigSchema.safeParse(riskLayer.data);
    if (parsed.success) {
      risk = parsed.data;
      notices.push(...moneyNotices(riskLayer));
    } else issues.push(...toConfigIssues(parsed.error.issues, [riskLayer], riskLayer.data));
  }

  // 2. accounts.yaml, with ${VAR} expanded first.
  let accounts: AccountsConfig | undefined;
  const perAccount: Record<string, RiskConfig> = {};
  const accRead = readYamlFile(accountsPath);
  if (!accRead.ok) issues.push(...accRead.issues);
  else {
    const src = accRead.source;
    const expanded = expandEnv(src.data, env);
    const isSecret = (p: Path) =>
      p[0] === 'credentials' || (p[0] === 'notifications' && p.includes('url')) || expanded.fromEnv.has(pathKey(p));
    for (const problem of expanded.problems) {
      const pos = locate(src, problem.path, 'value');
      issues.push({ file: src.file, line: pos.line, column: pos.column, path: formatPath(problem.path), message: problem.message });
    }
    const accLayer: Layer = { src, prefix: [], data: expanded.value, isSecret };
    const parsed = accountsConfigSchema.safeParse(expanded.value);
    if (parsed.success) accounts = parsed.data;
    else {
      // A value whose variable is unset was already reported; its (empty) value is not a second problem.
      const unset = new Set(expanded.problems.map((p) => pathKey(p.path)));
      const rest = parsed.error.issues.filter((i) => !unset.has(pathKey(i.path)));
      issues.push(...toConfigIssues(rest, [accLayer], expanded.value));
    }

    // 3. Per-account overrides, checked even if other parts of accounts.yaml are wrong (one run, every problem).
    if (risk && riskLayer) {
      const rawAccounts = (expanded.value as Record<string, unknown>)['accounts'];
      if (Array.isArray(rawAccounts)) {
        rawAccounts.forEach((entry, i) => {
          if (!isPlainObject(entry) || typeof entry['name'] !== 'string') return;
          const effective = loadAccountOverride(entry, i, accLayer, riskLayer, accountsPath, issues, notices);
          perAccount[entry['name']] = effective ?? risk;
        });
      }
    }
  }

  if (issues.length > 0 || !risk || !accounts) throw new ConfigError(sortIssues(issues));
  // Named accounts without overrides use the shared config.
  for (const a of accounts.accounts) perAccount[a.name] ??= risk;
  return { risk, accounts, perAccount, notices };
}

/** The effective risk config of one account (undefined = no override or an invalid one, issues recorded). */
function loadAccountOverride(
  entry: Record<string, unknown>,
  index: number,
  accLayer: Layer,
  riskLayer: Layer,
  accountsPath: string,
  issues: ConfigIssue[],
  notices: string[],
): RiskConfig | undefined {
  const layers: Layer[] = [riskLayer]; // lowest priority first while building
  let merged: unknown = riskLayer.data;

  const riskRef = entry['risk'];
  if (typeof riskRef === 'string' && riskRef.trim() !== '') {
    const file = isAbsolute(riskRef) ? riskRef : join(dirname(accountsPath), riskRef);
    const read = readYamlFile(file);
    if (!read.ok) {
      // A missing/unreadable file is reported where it is named, in accounts.yaml.
      const fileLevel = read.issues.every((i) => i.line === 0);
      if (fileLevel) {
        const path: Path = ['accounts', index, 'risk'];
        const pos = locate(accLayer.src, path, 'value');
        for (const i of read.issues) {
          issues.push({ file: accLayer.src.file, line: pos.line, column: pos.column, path: formatPath(path), message: `${file}: ${i.message}` });
        }
      } else issues.push(...read.issues);
      return undefined;
    }
    layers.push({ src: read.source, prefix: [], data: read.source.data });
    merged = mergeKeyByKey(merged, read.source.data);
  }

  const inline = entry['rules'];
  if (isPlainObject(inline)) {
    layers.push({ src: accLayer.src, prefix: ['accounts', index], data: { rules: inline }, isSecret: accLayer.isSecret });
    merged = mergeKeyByKey(merged, { rules: inline });
  }
  if (layers.length === 1) return undefined; // nothing to override

  const overrideLayers = layers.slice(1).reverse(); // highest priority first
  const parsed = riskConfigSchema.safeParse(merged);
  if (!parsed.success) {
    issues.push(...toConfigIssues(parsed.error.issues, [...overrideLayers, riskLayer], merged));
    return undefined;
  }
  for (const layer of overrideLayers) notices.push(...moneyNotices(layer));
  return parsed.data;
}

/**
 * Turns zod issues (paths in config space) into positioned ConfigIssues: each goes to the highest-priority
 * layer where the key is written (or, for a missing key, to the layer holding its nearest parent).
 */
function toConfigIssues(zodIssues: readonly z.core.$ZodIssue[], layers: Layer[], data: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const emit = (path: Path, at: 'key' | 'value', message: string) => {
    const layer = pickLayer(layers, path);
    const full: Path = [...layer.prefix, ...path];
    const pos = locate(layer.src, full, at);
    const redacted = layer.isSecret?.(full) ? message.replace(/, got [\s\S]*$/, '') : message;
    out.push({ file: layer.src.file, line: pos.line, column: pos.column, path: formatPath(full), message: redacted });
  };

  for (const iss of zodIssues) {
    const path = iss.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) emit([...path, key], 'key', `unknown key "${key}" (${iss.message})`);
      continue;
    }
    if (iss.code === 'invalid_key') {
      emit(path, 'key', iss.issues[0]?.message ?? iss.message);
      continue;
    }
    const here = valueAt(data, path);
    const parentPath = path.slice(0, -1);
    const parent = valueAt(data, parentPath);
    if (!here.exists && path.length > 0 && isPlainObject(parent.value)) {
      const key = String(path[path.length - 1]);
      const what = iss.message.replace(/, got nothing$/, '').replace(/^expected /, '');
      emit(path, 'key', `required key "${key}" is missing (${what})`);
      continue;
    }
    emit(path, 'value', iss.message);
  }
  return out;
}

function pickLayer(layers: Layer[], path: Path): Layer {
  let best = layers[0]!;
  let bestDepth = -1;
  for (const layer of layers) {
    const depth = existingDepth(layer.data, path);
    if (depth === path.length) return layer;
    if (depth > bestDepth) {
      best = layer;
      bestDepth = depth;
    }
  }
  return best;
}

/** One notice per negative amount written in this layer ("limit: -500" is read as 500). */
function moneyNotices(layer: Layer): string[] {
  const out: string[] = [];
  const visit = (node: unknown, pattern: readonly string[], path: Path) => {
    if (pattern.length === 0) {
      if (typeof node === 'number' && node < 0) {
        const full: Path = [...layer.prefix, ...path];
        const pos = locate(layer.src, full, 'value');
        out.push(
          formatIssue({
            file: layer.src.file,
            line: pos.line,
            column: pos.column,
            path: formatPath(full),
            message: `${node} read as ${Math.abs(node)} (amounts are positive magnitudes)`,
          }),
        );
      }
      return;
    }
    const [head, ...rest] = pattern as [string, ...string[]];
    if (head === '*') {
      if (Array.isArray(node)) node.forEach((item, i) => visit(item, rest, [...path, i]));
    } else if (isPlainObject(node) && Object.hasOwn(node, head)) visit(node[head], rest, [...path, head]);
  };
  for (const pattern of MONEY_PATHS) visit(layer.data, pattern, []);
  return out;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const fileOrder = new Map<string, number>();
  for (const i of issues) if (!fileOrder.has(i.file)) fileOrder.set(i.file, fileOrder.size);
  return [...issues].sort(
    (a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line || a.column - b.column,
  );
}
