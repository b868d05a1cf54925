// The rule limits `riskd watch` shows gauges against: the same risk.yaml (and accounts.yaml overrides) the
// daemon was started with. The status payload carries values, not limits, so without readable files the
// dashboard still runs, just without gauges. accounts.yaml needs the PROJECTX_* variables expanded; when they
// are not set in the dashboard's shell, the shared risk.yaml is used for every account (and the screen says so).
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, loadConfig, loadRiskFile } from '../config/index.ts';
import type { ConfigOf } from './toModel.ts';

export interface WatchConfig {
  configOf: ConfigOf;
  note: string | null;
}

export class WatchConfigError extends Error {}

/**
 * `explicit`: the user named the risk file (a missing or invalid one is then an error, not a silent fallback).
 */
export function loadWatchConfig(riskPath: string, accountsPath: string | undefined, explicit: boolean, env: Record<string, string | undefined> = process.env): WatchConfig {
  if (!existsSync(riskPath)) {
    if (explicit) throw new WatchConfigError(`risk config ${riskPath} does not exist`);
    return { configOf: () => null, note: `no ${riskPath}: rule gauges hidden (pass --config <risk.yaml>)` };
  }
  const accounts = accountsPath ?? join(dirname(riskPath), 'accounts.yaml');
  try {
    const loaded = loadConfig({ riskPath, accountsPath: accounts, env });
    return { configOf: (name) => loaded.perAccount[name] ?? loaded.risk, note: null };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The risk file alone: a problem there is fatal; one in accounts.yaml only loses per-account overrides.
    let risk;
    try {
      risk = loadRiskFile(riskPath);
    } catch (e) {
      if (e instanceof ConfigError) throw new WatchConfigError(e.message);
      throw e;
    }
    const first = err.issues.find((i) => i.file !== riskPath);
    const why = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'unreadable';
    return { configOf: () => risk, note: `limits from ${basename(riskPath)} only (${basename(accounts)} not used: ${why})` };
  }
}
