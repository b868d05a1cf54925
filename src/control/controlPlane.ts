// What `riskd start` adds once the daemon is live: the control server (accounts.yaml control.port) and the
// webhook notifier. Returns the cleanup runDaemon calls before stopping the daemon.
import type { Logger } from '../log/logger.ts';
import type { Daemon } from '../runtime/daemon.ts';
import { Notifier } from '../notify/notifier.ts';
import { attachNotifier, daemonEventSource } from '../notify/daemonEvents.ts';
import { fileConfigLoader } from './commands.ts';
import { ControlServer } from './server.ts';

export interface ControlPlaneOptions {
  riskPath: string;
  accountsPath: string;
  /** Overrides accounts.yaml control.port (0 = any free port). */
  port?: number;
  /** Adds pages/assets (the inspector, the dashboard) through server.registerRoute before it listens. */
  extend?: (server: ControlServer, daemon: Daemon, logger: Logger) => void | Promise<void>;
}

export interface ControlPlane {
  server: ControlServer;
  notifier: Notifier;
  stop(): Promise<void>;
}

export async function startControlPlane(daemon: Daemon, logger: Logger, opts: ControlPlaneOptions): Promise<ControlPlane> {
  const cfg = daemon.config.accounts;
  const notifier = new Notifier({ webhooks: cfg.notifications?.webhooks ?? [], logger: logger.child({ part: 'notify' }) });
  const detach = attachNotifier(notifier, daemonEventSource(daemon));
  const server = new ControlServer({
    daemon,
    logger: logger.child({ part: 'control' }),
    port: opts.port ?? cfg.control.port,
    loadConfig: fileConfigLoader(opts.riskPath, opts.accountsPath),
  });
  try {
    await opts.extend?.(server, daemon, logger);
    await server.start();
  } catch (err) {
    detach();
    await notifier.close(0);
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `control port 127.0.0.1:${opts.port ?? cfg.control.port} is already in use (another riskd? change control.port in accounts.yaml)`
        : `control server could not start: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const names = [...daemon.accounts.values()].map((a) => a.name).join(', ');
  notifier.notify({ event: 'daemon', at: Date.now(), account: null, title: '✅ riskd is live', text: `watching ${names}`, data: { accounts: names } });
  return {
    server,
    notifier,
    stop: async () => {
      notifier.notify({ event: 'daemon', at: Date.now(), account: null, title: '⏹ riskd stopping', text: 'riskd received a stop signal; enforcement ends', data: {} });
      await server.stop();
      detach();
      await notifier.close(2_000);
    },
  };
}
