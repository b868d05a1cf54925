// `riskd demo` (what `npm start` runs): simulator + riskd + a scripted trader breaking the rules.
import type { Command } from 'commander';
import { setExitCode } from '../exitCode.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the built-in simulator, riskd and a scripted trader who breaks the rules one by one')
    .option('-d, --data-dir <dir>', 'where the demo keeps state and logs (default: a new temp dir)')
    .option('--stay', 'keep riskd and the simulator running after the script')
    .action(async function (this: Command, opts: { dataDir?: string; stay?: boolean }) {
      const { runDemo } = await import('../../demo/runDemo.ts'); // loaded on use
      const code = await runDemo({ ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), stay: opts.stay === true });
      setExitCode(this, code);
    });
}
