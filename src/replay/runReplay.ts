// `riskd replay`: check the input (range, rule files), gather the account's past (cache first, then REST),
// run it through riskd's engine once per rule set, print the table and write the HTML report. Every bad input
// is one line on stderr with exit 1, and nothing is written: the cache and the report are written only after
// the replay succeeded.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { ConfigError, formatIssue, loadConfig, loadRiskFile } from '../config/index.ts';
import type { LoadedConfig, RiskConfig } from '../config/types.ts';
import { tradingDayStart, type ResetSpec } from '../calendar/tradingDay.ts';
import { openStore, type Store } from '../store/index.ts';
import { createLogger } from '../log/logger.ts';
import { ReplayCache } from './cache.ts';
import { gatherHistory, ReplayInputError } from './gather.ts';
import { openGateway, type OpenedGateway } from './gatewayAccess.ts';
import { replay } from './engine.ts';
import { buildReport, type ReplayReport } from './report.ts';
import { formatReport } from './table.ts';
import { renderHtml } from './html.ts';
import { terminalProgress } from './progress.ts';

export interface ReplayOptions {
  since?: string;
  until?: string;
  config: string;
  accounts: string;
  account?: string;
  compare?: string;
  dataDir: string;
  out?: string;
  /** Run against the built-in simulator and its remembered past (no credentials). */
  demo?: boolean;
  /** Clock (tests). */
  now?: () => number;
}

export interface ReplayRunResult {
  report: ReplayReport;
  htmlPath: string;
}

/**
 * A date names a whole trading day (YYYY-MM-DD: the day that ends at that date's reset); an ISO date-time with
 * a zone is an exact instant. `end`: the end of the named day instead of its start.
 */
export function parseWhen(text: string, spec: ResetSpec, end: boolean, what: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const [hh, mm] = spec.resetTime.split(':').map(Number);
    const close = DateTime.fromISO(text, { zone: spec.timezone }).set({ hour: hh, minute: mm, second: 0, millisecond: 0 });
    if (!close.isValid) throw new ReplayInputError(`${what} "${text}" is not a valid date`);
    return end ? close.toMillis() : tradingDayStart(close.toMillis() - 1, spec);
  }
  const at = DateTime.fromISO(text, { setZone: true });
  if (!at.isValid || !/(Z|[+-]\d\d:?\d\d)$/i.test(text)) throw new ReplayInputError(`${what} "${text}" is not a date (YYYY-MM-DD) or an ISO date-time with a zone`);
  return at.toMillis();
}

function oneLine(err: unknown, file: string): string {
  if (err instanceof ConfigError) {
    const first = err.issues[0];
    const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problem${err.issues.length > 2 ? 's' : ''})` : '';
    return first ? `${formatIssue(first)}${more}` : `${file}: invalid configuration`;
  }
  return `${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
}

function loadRules(path: string): RiskConfig {
  try {
    return loadRiskFile(path);
  } catch (e) {
    throw new ReplayInputError(oneLine(e, path));
  }
}

/** Runs a replay; throws ReplayInputError (one line) for bad input. */
export async function runReplay(opts: ReplayOptions, out: NodeJS.WritableStream = process.stdout): Promise<ReplayRunResult> {
  const now = (opts.now ?? Date.now)();
  let sim: { close(): Promise<void> } | undefined;
  let gateway: OpenedGateway | undefined;
  let store: Store | undefined;
  const logger = createLogger({ level: 'error', terminal: false });
  try {
    let loaded: LoadedConfig;
    let dataDir = opts.dataDir;
    let sinceText = opts.since;
    if (opts.demo) {
      const demo = await startDemoGateway(opts.config, now);
      sim = demo.sim;
      loaded = demo.config;
      dataDir = opts.dataDir === 'data' ? mkdtempSync(join(tmpdir(), 'riskd-replay-')) : opts.dataDir;
      sinceText ??= demo.since;
    } else {
      if (!existsSync(opts.accounts)) {
        throw new ReplayInputError(`${opts.accounts} not found: riskd replay needs the gateway credentials file (or try: riskd replay --demo)`);
      }
      try {
        loaded = loadConfig({ riskPath: opts.config, accountsPath: opts.accounts });
      } catch (e) {
        throw new ReplayInputError(oneLine(e, opts.config));
      }
    }
    const compareRules = opts.compare ? loadRules(opts.compare) : undefined;
    if (sinceText === undefined) throw new ReplayInputError('--since is required (a date like 2026-11-01)');
    const baseRules = loaded.risk;
    const spec: ResetSpec = { resetTime: baseRules.trading_day.reset_time, timezone: baseRules.trading_day.timezone };
    const since = parseWhen(sinceText, spec, false, '--since');
    // Default: up to the start of the current trading day (whole days only, and the same range all day long).
    const until = opts.until !== undefined ? Math.min(parseWhen(opts.until, spec, true, '--until'), now) : tradingDayStart(now, spec);
    if (since >= now) throw new ReplayInputError(`--since ${sinceText} is in the future: nothing to replay (empty range)`);
    if (since >= until) throw new ReplayInputError(`empty range: --since ${sinceText} is not before ${opts.until !== undefined ? `--until ${opts.until}` : 'the start of the current trading day'}`);

    const dbPath = join(dataDir, 'state.db');
    store = existsSync(dbPath) ? openStore(dbPath) : undefined;
    const cache = store ? new ReplayCache(store.db) : undefined;
    const accountsCfg = loaded.accounts;
    const { data, write } = await gatherHistory({
      cache,
      gateway: async () => {
        try {
          return (gateway = await openGateway(accountsCfg, logger));
        } catch (e) {
          throw new ReplayInputError(`gateway login at ${accountsCfg.gateway.api_url} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        }
      },
      accountName: opts.account,
      login: `${accountsCfg.gateway.api_url} ${accountsCfg.credentials.username}`,
      configuredNames: accountsCfg.accounts.map((a) => a.name),
      since,
      until,
      tradingDay: spec,
      progress: terminalProgress(),
      now,
    });
    const rules = loaded.perAccount[data.account.name] ?? baseRules;
    const outcome = replay(data, rules);
    const compared = compareRules ? { label: basename(opts.compare!), outcome: replay(data, compareRules) } : undefined;
    const report = buildReport(data, outcome, spec, compared);

    // Success: now (and only now) the cache and the report are written.
    if (!store) {
      mkdirSync(dataDir, { recursive: true });
      store = openStore(dbPath);
    }
    new ReplayCache(store.db).write(write, now);
    const htmlPath = resolve(opts.out ?? join(dataDir, 'replay', `${safe(data.account.name)}-${DateTime.fromMillis(since, { zone: spec.timezone }).toISODate()}.html`));
    mkdirSync(dirname(htmlPath), { recursive: true });
    writeFileSync(htmlPath, renderHtml(report));
    out.write(formatReport(report));
    out.write(`HTML report: ${htmlPath}\n`);
    return { report, htmlPath };
  } finally {
    gateway?.close();
    store?.close();
    logger.close();
    await sim?.close();
  }
}

/** The default --config: the demo uses its own rules unless another file is named. */
export const DEFAULT_RISK = 'config/risk.yaml';

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** The simulator with a remembered past (a few weeks of the demo account), and a config pointing at it. */
async function startDemoGateway(riskPath: string, now: number): Promise<{ sim: { close(): Promise<void> }; config: LoadedConfig; since: string }> {
  const { startSimulator, DEMO_ACCOUNTS } = await import('../sim/index.ts');
  const { simAccountsYaml } = await import('../sim/accountsYaml.ts');
  const { demoPastTrading } = await import('../sim/history/demoHistory.ts');
  const account = DEMO_ACCOUNTS[0]!;
  const days = 20;
  const sim = await startSimulator({ seed: 42, accounts: [account], pastTrading: { accountId: account.id, trips: demoPastTrading(now, days) } });
  const dir = mkdtempSync(join(tmpdir(), 'riskd-replay-demo-'));
  const accountsPath = join(dir, 'accounts.yaml');
  writeFileSync(accountsPath, simAccountsYaml(sim));
  const risk = riskPath !== DEFAULT_RISK ? riskPath : new URL('../demo/demoRisk.yaml', import.meta.url).pathname;
  let config: LoadedConfig;
  try {
    config = loadConfig({ riskPath: risk, accountsPath });
  } catch (e) {
    await sim.close();
    throw new ReplayInputError(oneLine(e, risk));
  }
  return { sim, config, since: new Date(now - days * 86_400_000).toISOString().slice(0, 10) };
}
