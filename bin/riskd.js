#!/usr/bin/env node
// The `riskd` command. Runs the TypeScript sources directly through tsx's loader so a fresh
// `npm ci` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
