// `riskd history`: the enforcement log, the lock history or the admin audit from SQLite (read-only, so it works whether the
// daemon runs or not), as a table, CSV or JSON.
import { InvalidArgumentError, type Command } from 'commander';
import { setExitCode } from '../exitCode.ts';
import { parseInteger, parseRule } from '../options.ts';
import { openStateReadOnly } from '../../control/locate.ts';
import { foldedCount, formatHistory, forPeople, HistoryQueryError, parseWhen, queryHistory, zonesByAccount, type HistoryFormat, type HistoryKind, type HistoryQuery } from '../../control/history.ts';

interface HistoryOptions {
  dataDir: string;
  account?: string;
  rule?: string;
  since?: string;
  until?: string;
  limit: number;
  format: HistoryFormat;
  kind: HistoryKind;
  all?: boolean;
  verbose?: boolean;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}.`);
    return v as T;
  };
}

export function runHistory(opts: HistoryOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  let store;
  try {
    store = openStateReadOnly(opts.dataDir);
  } catch (e) {
    err.write(`riskd history: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (!store) {
    err.write(`riskd history: ${opts.dataDir} has no state.db (has riskd run with this --data-dir? the demo prints its own: npx riskd history --data-dir <dir>)\n`);
    return 1;
  }
  try {
    const q: HistoryQuery = { kind: opts.kind, limit: opts.limit, all: opts.all === true };
    if (opts.account !== undefined) q.account = opts.account;
    if (opts.rule !== undefined) q.rule = parseRule(opts.rule); // idempotent: the option parser already checked it
    if (opts.since !== undefined) q.since = parseWhen(opts.since);
    if (opts.until !== undefined) q.until = parseWhen(opts.until);
    const rows = queryHistory(store, q);
    if (opts.format !== 'table') {
      out.write(formatHistory(rows, opts.format));
      return 0;
    }
    out.write(formatHistory(forPeople(rows, opts.kind, zonesByAccount(store), opts.verbose === true), 'table'));
    const folded = foldedCount(store, q);
    if (folded > 0) out.write(`(${folded} skipped row${folded === 1 ? '' : 's'} hidden: repeats riskd absorbed or actions with nothing to do; --all shows them)\n`);
    return 0;
  } catch (e) {
    if (e instanceof HistoryQueryError) {
      err.write(`riskd history: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    store.close();
  }
}

export function register(program: Command): void {
  program
    .command('history')
    .description('enforcement log or lock history (reads the state database; works with riskd running or not)')
    .option('-d, --data-dir <dir>', 'riskd data directory', 'data')
    .option('--kind <kind>', 'enforcement | locks | admin (the admin audit)', oneOf(['enforcement', 'locks', 'admin'] as const), 'enforcement')
    .option('--account <name>', 'only this account (name or id)')
    .option('--rule <rule>', 'only this rule: RULE-003, 003 or daily_realized_loss', parseRule)
    .option('--since <when>', 'from this time: ISO date/time, or an age like 24h, 7d')
    .option('--until <when>', 'up to this time: ISO date/time, or an age like 1h')
    .option('--limit <n>', 'at most this many rows (newest first)', parseInteger, 200)
    .option('--format <format>', 'table | csv | json', oneOf(['table', 'csv', 'json'] as const), 'table')
    .option('--all', 'also the skipped rows (repeats absorbed while an action was in flight, actions with nothing to do)')
    .option('-v, --verbose', 'table: also the internal fields (endpoint, contract id, status, lock kind)')
    .action(function (this: Command, opts: HistoryOptions) {
      setExitCode(this, runHistory(opts));
    });
}
