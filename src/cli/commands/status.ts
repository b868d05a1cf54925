// `riskd status`: the running daemon's view per account (P&L, positions, locks, connection, last action).
// Exit 0 = live and every account monitored, 3 = running but degraded, 1 = not running (then the last saved
// state is read from SQLite read-only and shown, clearly marked).
import type { Command } from 'commander';
import { setExitCode } from '../exitCode.ts';
import { parsePort } from '../options.ts';
import { ControlClient, ControlUnreachableError } from '../../control/client.ts';
import { controlPort, openStateReadOnly } from '../../control/locate.ts';
import { offlineStatus } from '../../control/offlineStatus.ts';
import { renderLiveStatus, renderOfflineStatus } from '../../control/statusText.ts';

export const EXIT_DEGRADED = 3;

interface StatusOptions {
  json?: boolean;
  verbose?: boolean;
  port?: number;
  dataDir: string;
}

export async function runStatus(opts: StatusOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const port = controlPort(opts.dataDir, opts.port);
  let client: ControlClient | undefined;
  try {
    client = await ControlClient.connect(port, { timeoutMs: 3_000 });
  } catch (e) {
    if (!(e instanceof ControlUnreachableError)) throw e;
  }
  if (client) {
    const s = client.firstStatus;
    client.close();
    out.write(opts.json ? `${JSON.stringify({ daemon: 'running', ...s }, null, 2)}\n` : renderLiveStatus(s, { verbose: opts.verbose === true }));
    return s.health === 'ok' ? 0 : EXIT_DEGRADED;
  }
  let store;
  try {
    store = openStateReadOnly(opts.dataDir);
  } catch (e) {
    err.write(`riskd is not running (nothing answers on 127.0.0.1:${port}) and its state cannot be read: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (!store) {
    if (opts.json) out.write(`${JSON.stringify({ daemon: 'down', dataFile: null, accounts: [] }, null, 2)}\n`);
    err.write(`riskd is not running (nothing answers on 127.0.0.1:${port}) and ${opts.dataDir} has no state yet: start it with \`npx riskd start\` (or pass the --data-dir it uses; \`npx riskd demo\` prints its own)\n`);
    return 1;
  }
  try {
    const s = offlineStatus(store);
    out.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : renderOfflineStatus(s, { verbose: opts.verbose === true }));
  } finally {
    store.close();
  }
  return 1;
}

export function register(program: Command): void {
  program
    .command('status')
    .description('show each account: P&L, positions, locks, connection health, last enforcement (exit 0 ok, 3 degraded, 1 not running)')
    .option('--json', 'machine-readable output')
    .option('-v, --verbose', 'also the internal names (lock kinds and ids, rule keys)')
    .option('-p, --port <port>', 'control port of the running riskd (default: the one it recorded, else 8765)', parsePort)
    .option('-d, --data-dir <dir>', 'riskd data directory', 'data')
    .action(async function (this: Command, opts: StatusOptions) {
      setExitCode(this, await runStatus(opts));
    });
}
