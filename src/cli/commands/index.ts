// Every `riskd` subcommand. To add one: create src/cli/commands/<name>.ts exporting
// `register(program: Command)` and add one line below.
import type { Command } from 'commander';
import * as config from './config.ts';
import * as sim from './sim.ts';
import * as start from './start.ts';
import * as demo from './demo.ts';
import * as status from './status.ts';
import * as admin from './admin.ts';
import * as history from './history.ts';
import * as watch from './watch.ts';
import * as diagram from './diagram.ts';

export const commands: { register(program: Command): void }[] = [
  config,
  sim,
  start,
  demo,
  status,
  admin,
  history,
  watch,
  diagram,
];
