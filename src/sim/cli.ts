// `riskd sim`: a standalone simulator with a Practice and a live demo account and a moving market,
// running in the foreground until SIGINT/SIGTERM (or `stop` resolves, for tests).
import { DEMO_ACCOUNTS, startSimulator } from './index.ts';

export interface SimCommandOptions {
  port: number;
  host: string;
  seed?: number;
  /** Market step interval; default 250 ms. */
  marketIntervalMs?: number;
  /** Where the banner goes; default stdout. */
  out?: NodeJS.WritableStream;
  /** Resolves to stop the simulator (in addition to SIGINT/SIGTERM). */
  stop?: Promise<unknown>;
  /** Called once the simulator listens (tests read the URL from here). */
  onReady?: (urls: { url: string; userHubUrl: string; marketHubUrl: string }) => void;
}

export async function runSimCommand(opts: SimCommandOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const err = process.stderr;
  const seed = opts.seed ?? Date.now() % 100000;
  let sim;
  try {
    sim = await startSimulator({
      port: opts.port,
      host: opts.host,
      seed,
      marketIntervalMs: opts.marketIntervalMs ?? 250,
      accounts: [...DEMO_ACCOUNTS],
      requestLogLimit: 10_000, // a foreground sim may run for days
    });
  } catch (e) {
    err.write(`riskd sim: cannot listen on ${opts.host}:${opts.port}: ${(e as Error).message}\n`);
    return 1;
  }
  const lines = [
    'riskd sim: ProjectX-compatible gateway simulator',
    `  REST         ${sim.url}/api`,
    `  user hub     ${sim.userHubUrl}`,
    `  market hub   ${sim.marketHubUrl}`,
    `  credentials  userName=${sim.credentials.userName}  apiKey=${sim.credentials.apiKey}  (demo values, not secrets)`,
    `  seed         ${seed} (pass --seed ${seed} to replay this market)`,
    '  accounts',
    ...sim.accounts().map((a) => `    ${a.id}  ${a.name.padEnd(26)} ${a.simulated ? 'practice (simulated)' : 'live (simulated:false)'}  balance ${a.balance}`),
    '  contracts    ' + sim.contracts().filter((c) => c.activeContract).map((c) => c.id).join(' '),
    'Press Ctrl+C to stop.',
  ];
  out.write(lines.join('\n') + '\n');
  opts.onReady?.({ url: sim.url, userHubUrl: sim.userHubUrl, marketHubUrl: sim.marketHubUrl });

  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    opts.stop?.then(done, done);
  });
  await sim.close();
  out.write('riskd sim: stopped\n');
  return 0;
}
