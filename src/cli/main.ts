// The `riskd` command line (bin/riskd.js calls main). main() returns the exit code and never calls
// process.exit itself: 0 ok, 1 the command failed (e.g. invalid config), 2 usage error.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { loadCommands, type CommandModule } from './commands/index.ts';
import { exitCodeOf } from './exitCode.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** The program with `commands` registered (loadCommands picks them from argv). */
export function buildProgram(commands: readonly CommandModule[]): Command {
  const program = new Command('riskd')
    .description('Self-hosted risk daemon for futures traders on ProjectX Gateway (TopstepX) accounts.')
    .version(packageVersion(), '-V, --version', 'print the riskd version')
    .helpCommand(true)
    .showSuggestionAfterError(true)
    .exitOverride(); // inherited by every subcommand added after this line
  for (const command of commands) command.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(await loadCommands(argv));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodeOf(program);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed the help, the version, or "error: unknown command ..." etc.
      // Asked-for help and --version exit 0; usage errors (and help shown for a missing subcommand) exit 2.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    process.stderr.write(`riskd: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILED;
  }
}
