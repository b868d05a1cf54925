// The secret scan: no API key and no session token may appear in anything a reliability run produced (every
// file under the run's directories: log files, the SQLite database with its WAL and snapshot rows, config
// files; and the captured stdout/stderr). Tokens are not known to the test, so any JWT-shaped string counts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** Findings as "where: what" lines; empty when clean. */
export function findSecrets(o: { secrets: string[]; dirs: string[]; texts?: string[] }): string[] {
  const found: string[] = [];
  const check = (where: string, text: string) => {
    for (const s of o.secrets) if (s.length >= 6 && text.includes(s)) found.push(`${where}: contains a configured secret`);
    const m = JWT.exec(text);
    if (m) found.push(`${where}: contains a token (${m[0].slice(0, 12)}...)`);
  };
  let scanned = 0;
  for (const d of o.dirs)
    for (const f of filesUnder(d)) {
      check(f, readFileSync(f).toString('latin1'));
      scanned++;
    }
  (o.texts ?? []).forEach((t, i) => check(`captured output #${i + 1}`, t));
  if (scanned === 0 && (o.texts ?? []).length === 0) found.push('nothing was scanned (wrong directories?)');
  return found;
}

export function assertNoSecrets(o: { secrets: string[]; dirs: string[]; texts?: string[] }): void {
  expect(findSecrets(o)).toEqual([]);
}
