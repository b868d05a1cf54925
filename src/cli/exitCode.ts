// How a subcommand's action hands its exit code back to main() (commander actions return nothing).
import type { Command } from 'commander';

const codes = new WeakMap<Command, number>();

function rootOf(cmd: Command): Command {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root;
}

/** Records the exit code `main()` will return once the action finishes. */
export function setExitCode(cmd: Command, code: number): void {
  codes.set(rootOf(cmd), code);
}

export function exitCodeOf(program: Command): number {
  return codes.get(program) ?? 0;
}
