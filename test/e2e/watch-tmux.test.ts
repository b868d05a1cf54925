// E2E: `riskd watch` in a real terminal (tmux) against the real `riskd start` and the simulator. A losing exit
// gives a RULE-007 cooldown; the dashboard shows the lock and its countdown decreasing between two captures;
// `q` leaves the alternate screen (the terminal is restored); after riskd stops, a new watch shows the
// DAEMON DOWN banner and the lock read from SQLite. Needs tmux (.ci/run installs it); skipped without it.
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRiskd, type RiskdProcess } from './support/riskd.ts';
import { MNQ, positionSize, startE2ESim, trader, waitFor, type E2ESim } from './support/sim.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
// A private tmux server (its own socket), so the test never touches the user's sessions.
const SOCKET = `riskd-watch-e2e-${process.pid}`;
// CI shells may have no TERM; a detached tmux does not need a real one.
const TMUX_ENV = { ...process.env, TERM: process.env['TERM'] || 'xterm-256color' };
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', env: TMUX_ENV });

const COUNTDOWN = /RULE-007 cooldown\s+(\d+):(\d\d) left/;
const seconds = (m: RegExpExecArray) => Number(m[1]) * 60 + Number(m[2]);

/** Starts `riskd watch` in a detached 120x40 tmux session; after it exits the shell prints its exit code. */
function startWatch(session: string, riskd: RiskdProcess): void {
  const cmd = [process.execPath, 'bin/riskd.js', 'watch', '--data-dir', riskd.dataDir, '--config', riskd.riskPath, '--accounts', riskd.accountsPath]
    .map((a) => `'${a}'`)
    .join(' ');
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', '-c', REPO_ROOT, `${cmd}; echo WATCH-EXITED:$?; sleep 600`);
}

const capture = (session: string) => tmux('capture-pane', '-p', '-t', session);

// Generous: `node bin/riskd.js` compiles TypeScript on start, slow on a loaded CI machine.
async function screenWith(session: string, what: string, check: (screen: string) => boolean, timeoutMs = 30_000): Promise<string> {
  let last = '';
  return waitFor(what, () => ((last = capture(session)), check(last) ? last : undefined), timeoutMs, () => `screen:\n${last}`);
}

describe.skipIf(!HAS_TMUX)('riskd watch in tmux', () => {
  let env: E2ESim;
  let riskd: RiskdProcess | undefined;

  beforeAll(async () => {
    env = await startE2ESim('watch', 1);
  });
  afterAll(async () => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { env: TMUX_ENV });
    await riskd?.dispose();
    await env?.close();
  });

  it('shows a lock counting down, quits cleanly on q, and shows DAEMON DOWN from SQLite once riskd stops', async () => {
    const acct = env.nextAccount();
    const sim = env.sim;
    riskd = await startRiskd({
      sim,
      accountName: acct.name,
      risk: { rules: { cooldown_after_loss: { enabled: true, tiers: [{ loss: 10, cooldown: '10m' }], consecutive_losses: { count: 5, cooldown: '1h' } } } },
    });
    const t = trader(sim, acct.id);
    sim.market.setQuote(MNQ, { bid: 20000, ask: 20000.25 });
    t.buy(MNQ, 1);
    sim.market.setQuote(MNQ, { bid: 19990.25, ask: 19990.5 });
    t.close(MNQ); // a $20 loser: the 10-minute tier
    await waitFor('flat', () => positionSize(sim, acct.id, MNQ) === 0);

    startWatch('live', riskd);
    const first = await screenWith('live', 'the RULE-007 lock with a countdown', (s) => s.includes('LIVE') && COUNTDOWN.test(s));
    if (process.env.WATCH_E2E_PRINT) console.log(first);
    expect(first).toContain(acct.name);
    expect(first).toContain('R007 losers in row');
    const before = seconds(COUNTDOWN.exec(first)!);
    expect(before).toBeGreaterThan(500);
    expect(before).toBeLessThanOrEqual(600);
    // Real time has to pass for a real countdown; the dashboard redraws every second.
    const second = await screenWith('live', 'the countdown to go down', (s) => {
      const m = COUNTDOWN.exec(s);
      return m !== null && seconds(m) <= before - 2;
    });
    expect(seconds(COUNTDOWN.exec(second)!)).toBeLessThan(before);

    expect(tmux('display-message', '-p', '-t', 'live', '#{alternate_on}').trim()).toBe('1');
    tmux('send-keys', '-t', 'live', 'q');
    const after = await screenWith('live', 'watch to exit', (s) => s.includes('WATCH-EXITED:'));
    expect(after).toContain('WATCH-EXITED:0');
    expect(after).not.toContain('RULE-007 cooldown'); // back on the normal screen: the dashboard is gone
    expect(tmux('display-message', '-p', '-t', 'live', '#{alternate_on} #{cursor_flag}').trim()).toBe('0 1');

    expect(await riskd.stop()).toBe(0);
    startWatch('down', riskd);
    const down = await screenWith('down', 'the DAEMON DOWN banner with the saved lock', (s) => s.includes('DAEMON DOWN — showing last known state') && COUNTDOWN.test(s));
    expect(down.replace(/\s+/g, '')).toContain(`${riskd.dataDir}/state.db(read-only)`.replace(/\s+/g, ''));
    if (process.env.WATCH_E2E_PRINT) console.log(down);
    expect(down).toContain('Nothing is being enforced');
    tmux('send-keys', '-t', 'down', 'q');
    expect(await screenWith('down', 'watch to exit', (s) => s.includes('WATCH-EXITED:'))).toContain('WATCH-EXITED:0');
  }, 150_000);
});

describe.skipIf(HAS_TMUX)('riskd watch in tmux (skipped)', () => {
  it.skip('tmux is not installed: apt-get install tmux (.ci/run does) to run the terminal dashboard e2e test', () => {});
});
