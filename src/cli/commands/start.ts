// `riskd start`: the daemon in the foreground (config → store → restore machines → login → reconcile → hubs
// → live). SIGINT/SIGTERM stop it cleanly. Exit 1 with one clear message on any fatal problem.
import type { Command } from 'commander';
import { setExitCode } from '../exitCode.ts';
import type { LogLevel } from '../../log/logger.ts';
import { startControlPlane } from '../../control/controlPlane.ts';

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
      // Loaded on use: other commands must not pay for the whole runtime's imports.
      const { runDaemon } = await import('../../runtime/runDaemon.ts');
      const paths = { riskPath: opts.config, accountsPath: opts.accounts };
      const code = await runDaemon({ ...paths, dataDir: opts.dataDir, logLevel: opts.logLevel, onLive: async (d, log) => (await startControlPlane(d, log, paths)).stop });
      setExitCode(this, code);
    });
}
