// The compiled build's staleness guard. `npm run build` (bin/build.js) compiles src/ and machines/ into dist/
// and records a SHA-1 of every input file in dist/manifest.json; bin/riskd.js runs dist/ only while every input
// still hashes the same (no file added, removed or changed), otherwise it runs the TypeScript sources through
// tsx. Content hashes, not mtimes: tools that keep mtimes (cp -p, tar, rsync -t) cannot make stale code look fresh.
// Plain JavaScript on purpose: it runs before any TypeScript loader exists.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Folders compiled (every file in them is an input: .ts sources and the assets copied next to them). */
export const SOURCE_DIRS = ['src', 'machines'];
/** Single files whose content the build depends on (main.ts reads the version from package.json). */
export const SOURCE_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];
export const OUT_DIR = 'dist';
export const MANIFEST = 'manifest.json';
const FORMAT = 1;

/** Every input file, as sorted repo-relative paths with forward slashes. */
export function inputFiles(root) {
  const out = [...SOURCE_FILES];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  return out.sort();
}

/** { path: sha1 } of every input file. */
export function hashInputs(root) {
  const files = {};
  for (const f of inputFiles(root)) files[f] = createHash('sha1').update(readFileSync(join(root, f))).digest('hex');
  return files;
}

export function manifestOf(files) {
  return { format: FORMAT, files };
}

/**
 * Why dist/ cannot be used for `root`'s current sources, or undefined when it can. Any doubt (no build, unreadable
 * manifest, an input that cannot be read) counts as stale: running from source is always correct, only slower.
 */
export function staleReason(root) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(join(root, OUT_DIR, MANIFEST), 'utf8'));
  } catch {
    return 'no build (npm run build)';
  }
  if (!recorded || recorded.format !== FORMAT || typeof recorded.files !== 'object' || recorded.files === null) return 'unknown manifest format';
  let current;
  try {
    current = hashInputs(root);
  } catch (err) {
    return `cannot hash sources: ${err instanceof Error ? err.message : String(err)}`;
  }
  const before = Object.keys(recorded.files);
  const now = Object.keys(current);
  for (const f of now) {
    if (!(f in recorded.files)) return `${f} was added after the build`;
    if (recorded.files[f] !== current[f]) return `${f} changed after the build`;
  }
  if (before.length !== now.length) return `${before.find((f) => !(f in current))} was removed after the build`;
  return undefined;
}
