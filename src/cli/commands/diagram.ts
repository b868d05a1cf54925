// `riskd diagram`: a statechart drawn from the machine definitions (SVG, Mermaid or Graphviz DOT), optionally
// with one account's current states highlighted, read from its stored snapshot (store opened read-only, so it
// works next to a running daemon). No network, no browser.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { StateValue } from 'xstate';
import { setExitCode } from '../exitCode.ts';
import { openStateReadOnly, stateFile } from '../../control/locate.ts';
import { DIAGRAM_FORMATS, MACHINE_NAMES, isMachineName, renderDiagram, type DiagramFormat, type MachineName } from '../../control/inspector/diagram.ts';
import { ACCOUNT_MACHINE_ID } from '../../../machines/account/index.ts';
import { positionChildId } from '../../../machines/account/index.ts';

interface DiagramOptions {
  machine: string;
  account?: string;
  contract?: string;
  dataDir: string;
  format: string;
  out?: string;
}

export class DiagramError extends Error {}

/** The state value to highlight for `machine` of an account, from the stored account snapshot. */
export function storedStateValue(dataDir: string, account: string, machine: MachineName, contract?: string): StateValue {
  if (machine === 'connection') throw new DiagramError('--account highlights the account and position machines; the connection machine is not stored per account');
  const store = openStateReadOnly(dataDir);
  if (!store) throw new DiagramError(`no state database at ${stateFile(dataDir)} (has riskd run with --data-dir ${dataDir}?)`);
  try {
    const rows = store.accounts.all();
    const byName = rows.filter((r) => r.name === account);
    const id = /^\d+$/.test(account) ? Number(account) : byName.length === 1 ? byName[0]!.id : undefined;
    if (id === undefined) {
      throw new DiagramError(
        byName.length > 1 ? `account name "${account}" is ambiguous (ids ${byName.map((r) => r.id).join(', ')}); pass the id`
          : `no account "${account}" in ${stateFile(dataDir)} (known: ${rows.map((r) => `${r.id} ${r.name}`).join(', ') || 'none'})`,
      );
    }
    const row = store.snapshots.load(id, ACCOUNT_MACHINE_ID);
    if (!row) throw new DiagramError(`account ${id} has no stored ${ACCOUNT_MACHINE_ID} snapshot in ${stateFile(dataDir)}`);
    const snap = row.snapshot as { value?: StateValue; children?: Record<string, { snapshot?: { value?: StateValue } }> };
    if (machine === 'account') {
      if (snap.value === undefined) throw new DiagramError(`account ${id}: stored snapshot has no state value`);
      return snap.value;
    }
    const children = Object.entries(snap.children ?? {}).filter(([k]) => k.startsWith('pos:'));
    const chosen = contract ? children.find(([k]) => k === positionChildId(contract)) : children.length === 1 ? children[0] : undefined;
    if (!chosen) {
      const known = children.map(([k]) => k.slice(4)).join(', ') || 'none';
      throw new DiagramError(
        contract ? `account ${id} has no position machine for contract ${contract} (open: ${known})`
          : children.length === 0 ? `account ${id} has no position machine running (no open position in grace)`
          : `account ${id} has several position machines (${known}); pick one with --contract`,
      );
    }
    const value = chosen[1].snapshot?.value;
    if (value === undefined) throw new DiagramError(`account ${id}: position ${chosen[0]} has no stored state value`);
    return value;
  } finally {
    store.close();
  }
}

export function runDiagram(opts: DiagramOptions): { text: string } | { error: string } {
  if (!isMachineName(opts.machine)) return { error: `--machine must be one of ${MACHINE_NAMES.join(', ')} (got "${opts.machine}")` };
  if (!(DIAGRAM_FORMATS as string[]).includes(opts.format)) return { error: `--format must be one of ${DIAGRAM_FORMATS.join(', ')} (got "${opts.format}")` };
  let active: StateValue | null = null;
  if (opts.account !== undefined) {
    try {
      active = storedStateValue(opts.dataDir, opts.account, opts.machine, opts.contract);
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return { text: renderDiagram(opts.machine, opts.format as DiagramFormat, active) };
}

export function register(program: Command): void {
  program
    .command('diagram')
    .description('draw a statechart (svg | mermaid | dot), optionally highlighting an account\'s current states')
    .option('-m, --machine <name>', `${MACHINE_NAMES.join(' | ')}`, 'account')
    .option('--account <id|name>', 'highlight this account\'s stored state (read-only)')
    .option('--contract <id>', 'with --machine position: which open position')
    .option('-d, --data-dir <dir>', 'state database (for --account)', 'data')
    .option('-f, --format <format>', DIAGRAM_FORMATS.join(' | '), 'svg')
    .option('-o, --out <file>', 'write to this file instead of stdout (SVG is never written to a terminal)')
    .action(function (this: Command, opts: DiagramOptions) {
      // An SVG is hundreds of lines of markup: on a terminal it is noise, so it goes to a file (or a pipe).
      if (opts.format === 'svg' && !opts.out && process.stdout.isTTY) {
        process.stderr.write(
          `riskd diagram: not writing SVG to the terminal. Write it to a file: npx riskd diagram -m ${opts.machine} -o ${opts.machine}.svg` +
            ` (or pipe it: npx riskd diagram -m ${opts.machine} > ${opts.machine}.svg; or --format mermaid to read it here)\n`,
        );
        setExitCode(this, 2);
        return;
      }
      const r = runDiagram(opts);
      if ('error' in r) {
        process.stderr.write(`riskd diagram: ${r.error}\n`);
        setExitCode(this, 1);
        return;
      }
      if (opts.out) {
        writeFileSync(opts.out, r.text);
        process.stderr.write(`wrote ${opts.out}\n`);
      } else process.stdout.write(r.text);
    });
}
