// Configuration problems, each pinned to a file, line, column and key path, so a trader can fix them
// without guessing. ConfigError carries every problem found, not only the first.

export interface ConfigIssue {
  /** The file as the user named it (e.g. config/risk.yaml). */
  file: string;
  /** 1-based; 0 when the problem is the file itself (missing, unreadable). */
  line: number;
  column: number;
  /** Dotted key path inside the file, list items as [i]: 'rules.cooldown_after_loss.tiers[1].loss'; '' for the file. */
  path: string;
  message: string;
}

/** `config/risk.yaml:12:5 rules.max_contracts.limit: expected a whole number ≥ 0, got "five"` */
export function formatIssue(i: ConfigIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
  return i.path ? `${where} ${i.path}: ${i.message}` : `${where}: ${i.message}`;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const n = issues.length;
    super(`invalid configuration (${n} problem${n === 1 ? '' : 's'}):\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** 'rules', 'tiers', 1, 'loss' -> 'rules.tiers[1].loss' */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
