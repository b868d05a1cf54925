// `riskd start`: the daemon in the foreground (config → store → restore machines → login → reconcile → hubs
// → live). SIGINT/SIGTERM stop it cleanly. Exit 1 with one clear message on any fatal problem.
import type { Command } from 'commander';
import { setExitCode } from '../exitCode.ts';
import type { LogLevel } from '../../log/logger.ts';
import type { LiveInspector } from '../../control/inspector/liveInspect.ts';

interface StartOptions {
  config: string;
  accounts: string;
  dataDir: string;
  logLevel: LogLevel;
  inspect?: boolean;
  inspectPort: string;
}

export function register(program: Command): void {
  program
    .command('start')
    .description('run the risk daemon in the foreground (SIGINT/SIGTERM stop it cleanly)')
    .option('-c, --config <file>', 'risk rules file', 'config/risk.yaml')
    .option('-a, --accounts <file>', 'gateway, credentials and accounts file', 'config/accounts.yaml')
    .option('-d, --data-dir <dir>', 'state database and logs', 'data')
    .option('--log-level <level>', 'debug | info | warn | error', 'info')
    .option('--inspect', 'stream XState inspection events to a loopback WebSocket relay (Stately protocol)')
    .option('--inspect-port <port>', 'port of the --inspect relay on 127.0.0.1 (0 = any free port, logged)', '0')
    .action(async function (this: Command, opts: StartOptions) {
      // Loaded on use: other commands must not pay for the whole runtime's imports.
      const { runDaemon } = await import('../../runtime/runDaemon.ts');
      const paths = { riskPath: opts.config, accountsPath: opts.accounts };
      const inspectPort = Number(opts.inspectPort);
      if (!Number.isInteger(inspectPort) || inspectPort < 0 || inspectPort > 65535) {
        process.stderr.write(`riskd: --inspect-port must be a port number 0-65535, got "${opts.inspectPort}"\n`);
        setExitCode(this, 1);
        return;
      }
      const code = await runDaemon({
        ...paths,
        dataDir: opts.dataDir,
        logLevel: opts.logLevel,
        checkControlPort: true,
        onLive: async (d, log) => {
          // Loaded once enforcing: the control plane and inspector are not on the path to "riskd is live".
          const { startControlPlane } = await import('../../control/controlPlane.ts');
          const { mountInspector, liveActors, onEveryInspection } = await import('../../control/inspector/mount.ts');
          const plane = await startControlPlane(d, log, paths);
          // The transitions audit and the /inspector page; --inspect adds the live relay.
          const inspector = mountInspector(d, log, plane.server);
          let live: LiveInspector | undefined;
          try {
            if (opts.inspect) {
              const { startLiveInspector } = await import('../../control/inspector/liveInspect.ts');
              live = await startLiveInspector((fn) => onEveryInspection(d, fn), log, { port: inspectPort, actors: () => liveActors(d) });
            }
          } catch (err) {
            inspector.stop();
            await plane.stop();
            throw new Error(`--inspect relay could not start on 127.0.0.1:${inspectPort}: ${err instanceof Error ? err.message : String(err)}`);
          }
          return async () => {
            await live?.stop();
            inspector.stop();
            await plane.stop();
          };
        },
      });
      setExitCode(this, code);
    });
}
