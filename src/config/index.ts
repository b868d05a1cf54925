// Public face of the configuration module: load the files, or validate a config built in code.
export { loadConfig, loadRiskFile, parseRiskConfig } from './load.ts';
export type { LoadConfigOptions } from './load.ts';
export { ConfigError, formatIssue } from './errors.ts';
export type { ConfigIssue } from './errors.ts';
export { RULE_IDS, accountsConfigSchema, riskConfigSchema } from './schema.ts';
export type * from './types.ts';
