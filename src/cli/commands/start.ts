// `riskd start`: the daemon in the foreground (config → store → restore machines → login → reconcile → hubs
// → live). SIGINT/SIGTERM stop it cleanly. Exit 1 with one clear message on any fatal problem.
import type { Command } from 'commander';
import { setExitCode } from '../exitCode.ts';
import { runDaemon } from '../../runtime/runDaemon.ts';
import type { LogLevel } from '../../log/logger.ts';

interface StartOptions {
  config: string;
  accounts: string;
  dataDir: string;
  logLevel: LogLevel;
}

export function register(program: Command): void {
  program
    .command('start')
    .description('run the risk daemon in the foreground (SIGINT/SIGTERM stop it cleanly)')
    .option('-c, --config <file>', 'risk rules file', 'config/risk.yaml')
    .option('-a, --accounts <file>', 'gateway, credentials and accounts file', 'config/accounts.yaml')
    .option('-d, --data-dir <dir>', 'state database and logs', 'data')
    .option('--log-level <level>', 'debug | info | warn | error', 'info')
    .action(async function (this: Command, opts: StartOptions) {
      const code = await runDaemon({ riskPath: opts.config, accountsPath: opts.accounts, dataDir: opts.dataDir, logLevel: opts.logLevel });
      setExitCode(this, code);
    });
}
