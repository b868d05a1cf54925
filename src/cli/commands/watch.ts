// `riskd watch`: a live terminal dashboard of every watched account (P&L against limits, positions, rule
// gauges, locks counting down, session, recent enforcement, hub and REST health). Read-only: it never sends a
// command that changes anything. The limits are the daemon's own (from its status, or the configuration it saved
// in SQLite when it is down): watch reads no config file. When the daemon is down it shows the last saved state
// from SQLite (clearly bannered) and keeps retrying the daemon.
import type { Command } from 'commander';
import { setExitCode } from '../exitCode.ts';
import { parsePort } from '../options.ts';
import { WatchFeed } from '../../tui/feed.ts';
import { INITIAL_VIEW, type ViewState } from '../../tui/model.ts';
import { applyKey } from '../../tui/keys.ts';
import { maxScroll, renderScreen } from '../../tui/render.ts';
import { TerminalScreen } from '../../tui/terminal.ts';

interface WatchOptions {
  port?: number;
  dataDir: string;
}

export async function runWatch(opts: WatchOptions): Promise<number> {
  const input = process.stdin;
  const output = process.stdout;
  if (!output.isTTY || !input.isTTY) {
    process.stderr.write('riskd watch needs an interactive terminal; for scripts use `npx riskd status --json`\n');
    return 1;
  }
  const color = !process.env['NO_COLOR'];
  let view: ViewState = INITIAL_VIEW;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  const feed = new WatchFeed({
    dataDir: opts.dataDir,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    onModel: () => screen.requestDraw(),
  });
  const screen = new TerminalScreen({
    input,
    output,
    draw: (width, height) => renderScreen(feed.model, { width, height, now: Date.now(), view, color }),
    onKey: (action) => {
      if (action === 'quit') return finish();
      const m = feed.model;
      const sel = Math.min(view.selected, Math.max(0, m.accounts.length - 1));
      view = applyKey({ ...view, selected: sel }, action, m.accounts.length, maxScroll(m.accounts[sel]));
      screen.requestDraw();
    },
  });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, finish);
  screen.enter();
  feed.start();
  try {
    await done;
  } finally {
    for (const s of signals) process.off(s, finish);
    feed.stop();
    screen.restore();
  }
  return 0;
}

export function register(program: Command): void {
  program
    .command('watch')
    .description('live terminal dashboard of every account (read-only; shows the last saved state when riskd is down)')
    .option('-p, --port <port>', 'control port of the running riskd (default: the one it recorded, else 8765)', parsePort)
    .option('-d, --data-dir <dir>', 'riskd data directory', 'data')
    .action(async function (this: Command, opts: WatchOptions) {
      setExitCode(this, await runWatch(opts));
    });
}
