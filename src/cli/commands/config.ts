// `riskd config validate` and `riskd config schema`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.ts';
import { schemaFiles } from '../../config/jsonSchema.ts';
import { loadConfig, loadRiskFile } from '../../config/load.ts';
import { summarizeAccounts, summarizeRisk } from '../configSummary.ts';
import { setExitCode } from '../exitCode.ts';

interface ValidateOptions {
  config: string;
  accounts?: string;
}

/** Validates; prints a summary and the notices (exit 0) or every problem (exit 1). Starts nothing. */
export function validate(opts: ValidateOptions): number {
  const out: string[] = [];
  let notices: string[];
  try {
    if (opts.accounts) {
      const loaded = loadConfig({ riskPath: opts.config, accountsPath: opts.accounts });
      out.push(
        ...summarizeRisk(opts.config, loaded.risk),
        ...summarizeAccounts(opts.accounts, loaded.accounts, loaded.risk, loaded.perAccount),
      );
      notices = loaded.notices;
    } else {
      notices = [];
      out.push(...summarizeRisk(opts.config, loadRiskFile(opts.config, { notices })));
      out.push('(accounts file not checked; pass --accounts <file>)');
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  if (notices.length) out.push(`notices (${notices.length}):`, ...notices.map((n) => `  ${n}`));
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

interface SchemaOptions {
  outDir: string;
  out?: string;
}

/** Writes risk.schema.json and accounts.schema.json (or the risk schema to --out, accounts beside it). */
export function writeSchemas(opts: SchemaOptions): number {
  const dir = opts.out ? dirname(opts.out) : opts.outDir;
  mkdirSync(dir, { recursive: true });
  for (const f of schemaFiles()) {
    const target = opts.out && f.name === 'risk.schema.json' ? opts.out : join(dir, f.name);
    writeFileSync(target, f.text);
    process.stdout.write(`wrote ${target}\n`);
  }
  return 0;
}

export function register(program: Command): void {
  const config = program.command('config').description('check riskd configuration files');

  config
    .command('validate')
    .description('validate risk.yaml (and accounts.yaml): print a summary, or every problem with file:line:column')
    .option('-c, --config <file>', 'risk rules file', 'config/risk.yaml')
    .option('-a, --accounts <file>', 'accounts file (gateway, credentials, overrides); ${VAR} read from the environment')
    .action(function (this: Command, opts: ValidateOptions) {
      setExitCode(this, validate(opts));
    });

  config
    .command('schema')
    .description('write the JSON Schemas of risk.yaml and accounts.yaml (editor completion)')
    .option('--out-dir <dir>', 'directory to write risk.schema.json and accounts.schema.json', 'config')
    .option('--out <file>', `path of the risk schema (the accounts schema is written beside it as accounts.schema.json)`)
    .action(function (this: Command, opts: SchemaOptions) {
      setExitCode(this, writeSchemas(opts));
    });
}
