// Runs the daemon in the foreground until SIGINT/SIGTERM: what `riskd start` and the demo share.
// Logs go to <data-dir>/riskd.log as JSON lines and to the terminal as readable lines.
import { join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../config/errors.ts';
import type { LoadedConfig } from '../config/types.ts';
import { createLogger, type LogLevel, type RootLogger } from '../log/logger.ts';
import { Daemon, type DaemonOptions } from './daemon.ts';
import { portProblem } from '../control/portFree.ts';
import { acquireDataDirLock, DataDirLockedError } from '../store/index.ts';

export interface RunOptions {
  riskPath: string;
  accountsPath: string;
  dataDir: string;
  logLevel?: LogLevel;
  terminal?: boolean | NodeJS.WritableStream;
  /** Refuse to start (before the gateway login) when accounts.yaml control.port is taken. */
  checkControlPort?: boolean;
  /** Extra options for the daemon (tests and the demo). */
  daemon?: Partial<DaemonOptions>;
  /** Called once the daemon is live (the control server, the demo narrator). Returns a cleanup. */
  onLive?: (daemon: Daemon, logger: RootLogger) => Promise<(() => Promise<void> | void) | void> | (() => Promise<void> | void) | void;
}

/** Loads config and starts the daemon; prints one clear message and returns 1 on any fatal problem. */
export async function startFromFiles(opts: RunOptions): Promise<{ daemon: Daemon; logger: RootLogger } | { error: string }> {
  let config: LoadedConfig;
  try {
    config = loadConfig({ riskPath: opts.riskPath, accountsPath: opts.accountsPath });
  } catch (err) {
    if (err instanceof ConfigError) return { error: `riskd: invalid configuration, nothing started:\n${err.message}` };
    return { error: `riskd: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (opts.checkControlPort) {
    const port = config.accounts.control.port;
    const problem = await portProblem(port);
    if (problem) {
      // The usual cause: this very data dir's riskd is running. Its lock names its pid; say that instead.
      try {
        acquireDataDirLock(opts.dataDir).release();
      } catch (err) {
        if (err instanceof DataDirLockedError) return { error: `riskd: could not start: ${err.message}` };
      }
      return {
        error:
          `riskd: the control port 127.0.0.1:${port} is not free (${problem}), nothing started. Is another riskd running? ` +
          '`npx riskd status` tells; or set control.port in accounts.yaml to a free port.',
      };
    }
  }
  const logger = createLogger({
    level: opts.logLevel ?? 'info',
    file: join(opts.dataDir, 'riskd.log'),
    terminal: opts.terminal ?? true,
    secrets: [config.accounts.credentials.api_key],
  });
  try {
    const daemon = await Daemon.start({ config, dataDir: opts.dataDir, logger, ...opts.daemon });
    return { daemon, logger };
  } catch (err) {
    logger.close();
    // DaemonStartError already names the startup step that failed.
    return { error: `riskd: could not start: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Foreground run: resolves with the exit code after a signal stopped the daemon cleanly. */
export async function runDaemon(opts: RunOptions): Promise<number> {
  const started = await startFromFiles(opts);
  if ('error' in started) {
    process.stderr.write(`${started.error}\n`);
    return 1;
  }
  const { daemon, logger } = started;
  let cleanup: (() => Promise<void> | void) | void = undefined;
  try {
    cleanup = await opts.onLive?.(daemon, logger);
  } catch (err) {
    logger.error('startup hook failed', { error: err instanceof Error ? err.message : String(err) });
    await daemon.stop();
    logger.close();
    return 1;
  }
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`received ${signal}: stopping`);
      try {
        await cleanup?.();
      } catch (err) {
        logger.error('shutdown hook failed', { error: String(err) });
      }
      await daemon.stop();
      logger.close();
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(0);
    };
    const onInt = () => void stop('SIGINT');
    const onTerm = () => void stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}
