#!/usr/bin/env node
// `npm run build` (also run by `npm ci` / `npm install` through the `prepare` script): compiles src/ and
// machines/ to JavaScript in dist/ so `riskd` starts without transpiling ~150 modules through tsx at every start.
// tsc only strips types here (tsconfig.build.json: noCheck, noResolve); `npm run typecheck` is the type check.
// The manifest of input hashes is taken before compiling and checked again after: a source edited during the
// build leaves no usable build rather than a stale one. dist/ is replaced as a whole (built aside, then renamed).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { hashInputs, manifestOf, MANIFEST, OUT_DIR, SOURCE_DIRS } from './buildManifest.js';

const root = resolve(import.meta.dirname, '..');
const quiet = process.argv.includes('--quiet');
const say = (s) => quiet || process.stdout.write(`${s}\n`);

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  // Installed without dev dependencies: riskd still runs, from source through tsx.
  say('riskd build: typescript is not installed; skipped (riskd runs from source through tsx)');
  process.exit(0);
}

const before = hashInputs(root);
const tmp = join(root, `${OUT_DIR}.tmp-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
try {
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc failed (exit ${r.status ?? r.signal})`);
  // Files the code reads next to itself (inspector web page, demo config) and the version in package.json.
  for (const f of Object.keys(before)) {
    if (f.endsWith('.ts') || (f !== 'package.json' && !SOURCE_DIRS.some((d) => f.startsWith(`${d}/`)))) continue;
    mkdirSync(dirname(join(tmp, f)), { recursive: true });
    cpSync(join(root, f), join(tmp, f));
  }
  const after = hashInputs(root);
  if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error('sources changed during the build; run it again');
  writeFileSync(join(tmp, MANIFEST), `${JSON.stringify(manifestOf(before), null, 1)}\n`);
  const out = join(root, OUT_DIR);
  if (existsSync(out)) rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  say(`riskd build: ${Object.keys(before).filter((f) => f.endsWith('.ts')).length} modules compiled to ${OUT_DIR}/`);
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`riskd build: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
