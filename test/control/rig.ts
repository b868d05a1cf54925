// A real daemon (in this process) against the simulator over loopback, with its config files in a temp dir.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ACCOUNTS, startSimulator, type Simulator } from '../../src/sim/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger, type RootLogger } from '../../src/log/logger.ts';
import { Daemon } from '../../src/runtime/daemon.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';

export const PRAC = DEMO_ACCOUNTS[0]!;

export interface Rig {
  sim: Simulator;
  daemon: Daemon;
  logger: RootLogger;
  dir: string;
  riskPath: string;
  accountsPath: string;
  close(): Promise<void>;
}

export function riskYaml(admin: { unlock: 'allowed' | 'delayed' | 'never'; delay?: string }): string {
  return [
    'rules:',
    '  auth_loss_guard: { enabled: true }',
    '  max_contracts: { enabled: true, limit: 2, action: reduce_to_limit }',
    'admin:',
    `  unlock: ${admin.unlock}`,
    `  unlock_delay: ${admin.delay ?? '2s'}`,
    '',
  ].join('\n');
}

export function accountsYaml(sim: Simulator, extra: string[] = [], port = 8765): string {
  return simAccountsYaml(sim, { accounts: [PRAC.name], controlPort: port, extra });
}

export async function startRig(admin: Parameters<typeof riskYaml>[0]): Promise<Rig> {
  const sim = await startSimulator({ seed: 7, accounts: [PRAC] });
  const dir = mkdtempSync(join(tmpdir(), 'riskd-control-'));
  const riskPath = join(dir, 'risk.yaml');
  const accountsPath = join(dir, 'accounts.yaml');
  writeFileSync(riskPath, riskYaml(admin));
  writeFileSync(accountsPath, accountsYaml(sim));
  const logger = createLogger({ level: 'warn', file: join(dir, 'data', 'riskd.log'), terminal: false });
  const daemon = await Daemon.start({ config: loadConfig({ riskPath, accountsPath }), dataDir: join(dir, 'data'), logger, tickMs: 100 });
  return {
    sim,
    daemon,
    logger,
    dir,
    riskPath,
    accountsPath,
    close: async () => {
      await daemon.stop();
      logger.close();
      await sim.close();
    },
  };
}

export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
