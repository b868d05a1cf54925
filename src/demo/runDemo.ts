// `npm start` / `riskd demo`: the built-in gateway simulator, riskd running against it exactly as against
// TopstepX (real REST and SignalR over loopback), and a scripted trader who breaks the rules one by one.
// The terminal tells what the trader did, what riskd did about it, why, and how fast.
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, DEMO_ACCOUNTS, type Simulator } from '../sim/index.ts';
import { simAccountsYaml } from '../sim/accountsYaml.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger, type RootLogger } from '../log/logger.ts';
import { Daemon } from '../runtime/daemon.ts';
import { OrderSide, OrderType } from '../gateway/models.ts';
import { Narrator } from './narrator.ts';

export interface DemoOptions {
  /** Where riskd keeps its state; default a fresh temp dir. */
  dataDir?: string;
  out?: NodeJS.WritableStream;
  /** Stay running after the script (Ctrl+C to stop). */
  stay?: boolean;
  /** Hook to start extra parts (control server) once riskd is live; returns a cleanup. */
  onLive?: (daemon: Daemon) => Promise<(() => Promise<void>) | void>;
}

const ACCOUNT = DEMO_ACCOUNTS[0]!.id;
const MNQ = 'CON.F.US.MNQ.Z26';
const MES = 'CON.F.US.MES.Z26';

export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'riskd-demo-'));
  const sim = await startSimulator({ seed: 42, marketIntervalMs: 500, accounts: [DEMO_ACCOUNTS[0]!] });
  const riskPath = join(dir, 'risk.yaml');
  const accountsPath = join(dir, 'accounts.yaml');
  writeFileSync(riskPath, readFileSync(new URL('./demoRisk.yaml', import.meta.url), 'utf8'));
  writeFileSync(accountsPath, simAccountsYaml(sim, { apiKey: '${RISKD_DEMO_API_KEY}' }));
  // The simulator's demo key is not a secret; in the environment, `riskd admin reload` can re-read the files.
  process.env.RISKD_DEMO_API_KEY = sim.credentials.apiKey;
  const config = loadConfig({ riskPath, accountsPath });
  const logger = createLogger({ level: 'info', file: join(dir, 'riskd.log'), terminal: false });
  const narrator = new Narrator(out);
  narrator.banner(sim, dir);
  const dataDir = join(dir, 'data');

  let daemon: Daemon | undefined;
  let cleanup: (() => Promise<void>) | void = undefined;
  try {
    daemon = await Daemon.start({ config, dataDir, logger, tickMs: 1000 });
    narrator.attach(daemon);
    const control = await startDashboard(daemon, logger, riskPath, accountsPath);
    narrator.say('demo', `trader dashboard: http://127.0.0.1:${control.port}/`);
    narrator.say('demo', `inspector (statecharts, transitions): http://127.0.0.1:${control.port}/inspector`);
    narrator.say('demo', `follow along in another terminal: npx riskd watch --data-dir ${dataDir}`);
    const extra = await opts.onLive?.(daemon);
    cleanup = async () => {
      await extra?.();
      await control.stop();
    };
    await script(sim, daemon, narrator);
    narrator.summary(daemon);
    narrator.followUps(dataDir, control.port, opts.stay === true);
    if (opts.stay) {
      narrator.say('demo', 'riskd keeps running against the simulator. Press Ctrl+C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return 0;
  } catch (err) {
    narrator.say('demo', `the demo failed: ${err instanceof Error ? err.message : String(err)} (log: ${join(dir, 'riskd.log')})`);
    return 1;
  } finally {
    await cleanup?.().catch(() => {});
    await daemon?.stop().catch(() => {});
    logger.close();
    await sim.close();
  }
}

/** The control server with the inspector page, on the configured port or, when that is taken, any free one. */
async function startDashboard(daemon: Daemon, logger: RootLogger, riskPath: string, accountsPath: string) {
  const { startControlPlane } = await import('../control/controlPlane.ts');
  const { mountInspector } = await import('../control/inspector/mount.ts');
  const plane = await startControlPlane(daemon, logger, { riskPath, accountsPath }).catch(() =>
    startControlPlane(daemon, logger, { riskPath, accountsPath, port: 0 }),
  );
  const inspector = mountInspector(daemon, logger, plane.server);
  return {
    port: plane.server.port,
    stop: async () => {
      inspector.stop();
      await plane.stop();
    },
  };
}

/** Waits until `check` holds (polled), or fails naming what it waited for. */
async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function script(sim: Simulator, daemon: Daemon, n: Narrator): Promise<void> {
  const ledger = () => daemon.registry.get(ACCOUNT)!;
  const size = (contractId: string) => ledger().position(contractId)?.size ?? 0;
  const locked = () => daemon.accountStatus(ACCOUNT).locks.some((l) => l.kind !== 'symbol');
  const buy = (contractId: string, qty: number, stopTicks?: number) =>
    sim.trader.placeOrder({
      accountId: ACCOUNT,
      contractId,
      type: OrderType.Market,
      side: OrderSide.Bid,
      size: qty,
      ...(stopTicks ? { stopLossBracket: { ticks: -stopTicks, type: OrderType.Stop } } : {}),
    });

  n.step('1/5 Too many contracts', 'the limit is 3 contracts in total');
  n.trader('buys 5 MNQ at market, no stop');
  buy(MNQ, 5);
  await until('MNQ reduced to 3', () => size(MNQ) === 3);
  await pause(1500);

  n.step('2/5 No stop loss', 'a position must have a protective stop within 10 s');
  n.trader('holds 3 MNQ and places no stop');
  await until('the unprotected MNQ position closed', () => size(MNQ) === 0, 20_000);
  await pause(1500);

  n.step('3/5 Revenge trading', 'a losing exit of $40 or more starts a 20 s cooldown');
  n.trader('buys 1 MES with a 40-tick stop');
  buy(MES, 1, 40);
  await until('MES position open', () => size(MES) === 1);
  const q = sim.market.quote(MES);
  n.trader(`market drops 12 points against the trade (MES ${q.bid} -> ${q.bid - 12})`);
  sim.market.setPrice(MES, q.bid - 12);
  await until('the stop filled', () => size(MES) === 0);
  await until('the cooldown lock', locked);
  n.trader('angry, immediately buys 2 MES again (revenge trade)');
  let mark = n.mark();
  buy(MES, 2);
  await until('the revenge trade closed', () => n.confirmedCloseSince(mark, MES));
  n.say('demo', 'waiting for the cooldown to end...');
  await until('the cooldown ended', () => !locked(), 40_000);
  await pause(1000);

  n.step('4/5 Daily loss limit', 'net realized loss of $150 today locks the account until 17:00 CT');
  n.trader('buys 2 MNQ with a 200-tick stop');
  buy(MNQ, 2, 200);
  await until('MNQ position open', () => size(MNQ) === 2);
  const m = sim.market.quote(MNQ);
  n.trader(`market falls 30 points (MNQ ${m.bid} -> ${m.bid - 30}); trader closes at a loss`);
  sim.market.setPrice(MNQ, m.bid - 30);
  await pause(500);
  sim.trader.closeContract(ACCOUNT, MNQ);
  await until('the daily loss lock', () => daemon.accountStatus(ACCOUNT).locks.some((l) => l.kind === 'until_reset'));
  await pause(1500);

  n.step('5/5 Trading after the lock', 'while locked, every new position is closed at once');
  n.trader('tries again: buys 1 MNQ');
  mark = n.mark();
  buy(MNQ, 1);
  await until('the new position closed by the kill switch', () => n.confirmedCloseSince(mark, MNQ), 15_000);
  await pause(1500);
}
