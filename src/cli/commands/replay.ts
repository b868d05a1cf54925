// `riskd replay`: what riskd would have done on the account's past trading days (its own ledger, rules and
// machines on a simulated clock), as a terminal table and an offline HTML report.
import type { Command } from 'commander';
import { setExitCode } from '../exitCode.ts';
import type { ReplayOptions } from '../../replay/runReplay.ts';

type ReplayCliOptions = Omit<ReplayOptions, 'now'>;

export function register(program: Command): void {
  program
    .command('replay')
    .description('what-if: replay your past fills through riskd with these rules (terminal table + HTML report)')
    .option('--since <date>', 'first trading day (YYYY-MM-DD) or an ISO date-time with a zone')
    .option('--until <date>', 'last trading day (default: up to the start of the current one)')
    .option('-c, --config <file>', 'risk rules to replay with', 'config/risk.yaml')
    .option('-a, --accounts <file>', 'gateway, credentials and accounts file', 'config/accounts.yaml')
    .option('--account <name>', 'which account (default: the only configured or visible one)')
    .option('--compare <file>', 'a second rule set to compare with')
    .option('-d, --data-dir <dir>', 'state database (the replay cache lives there)', 'data')
    .option('-o, --out <file>', 'HTML report path (default: <data-dir>/replay/<account>-<since>.html)')
    .option('--demo', 'use the built-in simulator and its remembered past (no credentials)')
    .action(async function (this: Command, opts: ReplayCliOptions) {
      const { runReplay } = await import('../../replay/runReplay.ts');
      try {
        await runReplay(opts);
        setExitCode(this, 0);
      } catch (e) {
        // Bad input (ReplayInputError) and gateway failures alike: one line, nothing written.
        process.stderr.write(`riskd replay: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
        setExitCode(this, 1);
      }
    });
}
