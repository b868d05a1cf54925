// Every `riskd` subcommand, loaded on use. To add one: create src/cli/commands/<name>.ts exporting
// `register(program: Command)` and add one line below. `riskd start` loads start.ts and its imports only, not the
// dashboard, the admin client or the diagram renderer (~0.15 s CPU of every daemon start when all were loaded).
import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

/** In the order `riskd --help` lists them. */
export const commandLoaders: Record<string, () => Promise<CommandModule>> = {
  init: () => import('./init.ts'),
  config: () => import('./config.ts'),
  sim: () => import('./sim.ts'),
  start: () => import('./start.ts'),
  demo: () => import('./demo.ts'),
  status: () => import('./status.ts'),
  admin: () => import('./admin.ts'),
  history: () => import('./history.ts'),
  watch: () => import('./watch.ts'),
  diagram: () => import('./diagram.ts'),
  replay: () => import('./replay.ts'),
};

/**
 * The command modules `argv` needs: only the named one when argv starts with a command name (riskd has no root
 * option that takes a value, so argv[0] is the command), every one otherwise (help, --version, a typo that gets
 * "did you mean", no command at all).
 */
export async function loadCommands(argv: readonly string[]): Promise<CommandModule[]> {
  const first = argv[0];
  const names = first !== undefined && Object.hasOwn(commandLoaders, first) ? [first] : Object.keys(commandLoaders);
  return Promise.all(names.map((n) => commandLoaders[n]!()));
}
