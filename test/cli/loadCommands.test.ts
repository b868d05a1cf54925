// riskd loads only the command module named on the command line; everything else gets every command.
import { describe, expect, it } from 'vitest';
import { commandLoaders, loadCommands } from '../../src/cli/commands/index.ts';
import { buildProgram } from '../../src/cli/main.ts';

const names = async (argv: string[]) => buildProgram(await loadCommands(argv)).commands.map((c) => c.name());

describe('loadCommands', () => {
  it('a command name first loads that command only', async () => {
    expect(await names(['start', '--config', 'x.yaml'])).toEqual(['start']);
    expect(await names(['config', 'validate'])).toEqual(['config']);
  });

  it('help, --version, no command or an unknown one load every command (help lists them, typos get suggestions)', async () => {
    const all = Object.keys(commandLoaders);
    expect(all).toEqual(['init', 'config', 'sim', 'start', 'demo', 'status', 'admin', 'history', 'watch', 'diagram', 'replay']);
    for (const argv of [[], ['--help'], ['-V'], ['help', 'start'], ['strat'], ['--version', 'start'], ['toString'], ['__proto__']]) {
      expect(await names(argv)).toEqual(all);
    }
  });
});
