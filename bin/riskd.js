#!/usr/bin/env node
// The `riskd` command. Runs the compiled build in dist/ (`npm run build`, also run by `npm ci`) when it was built
// from exactly the current sources (bin/buildManifest.js checks every input's hash); otherwise, or with
// RISKD_FROM_SOURCE=1, runs the TypeScript sources through tsx's loader. Stale compiled code never runs.
import { resolve } from 'node:path';
import { staleReason } from './buildManifest.js';

const root = resolve(import.meta.dirname, '..');
const stale = process.env.RISKD_FROM_SOURCE === '1' ? 'RISKD_FROM_SOURCE=1' : staleReason(root);
if (process.env.RISKD_DEBUG_BUILD === '1') process.stderr.write(`riskd: running ${stale === undefined ? 'dist/ (fresh build)' : `from source (${stale})`}\n`);
let main;
if (stale === undefined) {
  ({ main } = await import('../dist/src/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
