// `riskd sim`: runs the ProjectX-compatible gateway simulator in the foreground (until SIGINT/SIGTERM).
import type { Command } from 'commander';
import { parseInteger, parsePort } from '../options.ts';
import { setExitCode } from '../exitCode.ts';

interface SimOptions {
  port: number;
  host: string;
  seed?: number;
}

/** The contract of src/sim/cli.ts (owned by the simulator). */
interface SimCli {
  runSimCommand(opts: { port: number; host: string; seed?: number }): Promise<number | void>;
}

// Loaded lazily (and through a variable, so the CLI builds without the simulator present): only
// `riskd sim` pays for the simulator's imports.
const SIM_CLI = '../../sim/cli.ts';

export function register(program: Command): void {
  program
    .command('sim')
    .description('run the ProjectX gateway simulator (REST + SignalR hubs) in the foreground')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', parsePort, 5800)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <n>', 'random seed for a reproducible market', parseInteger)
    .action(async function (this: Command, opts: SimOptions) {
      let mod: Partial<SimCli>;
      try {
        mod = (await import(SIM_CLI)) as Partial<SimCli>;
      } catch (err) {
        process.stderr.write(`riskd sim: the simulator could not be loaded: ${(err as Error).message}\n`);
        setExitCode(this, 1);
        return;
      }
      if (typeof mod.runSimCommand !== 'function') {
        process.stderr.write('riskd sim: src/sim/cli.ts does not export runSimCommand\n');
        setExitCode(this, 1);
        return;
      }
      const code = await mod.runSimCommand({ port: opts.port, host: opts.host, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
      setExitCode(this, typeof code === 'number' ? code : 0);
    });
}
