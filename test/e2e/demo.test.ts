// `riskd demo` (what npm start runs, minus --stay) as a real process: every scripted breach is enforced, in
// order, and the process ends cleanly. The demo fails itself (exit 1) when an enforcement does not happen.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('riskd demo', () => {
  it('runs the scripted trader and enforces each rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskd-demo-test-'));
    const child = spawn(process.execPath, ['bin/riskd.js', 'demo', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);
    const order = [
      // The dashboard and the inspector, each with its own address.
      /trader dashboard: http:\/\/127\.0\.0\.1:\d+\/\n/,
      /inspector \(statecharts, transitions\): http:\/\/127\.0\.0\.1:\d+\/inspector\n/,
      /RULE-001 closed 2 MNQ: over your 3-contract limit/,
      /RULE-008 closed (the|\d+) MNQ( position)?: no stop loss/,
      /LOCK\s+RULE-007 no new trades until \d\d:\d\d CT/,
      /RULE-007 closed (the|\d+) MES( position)?: opened while locked/,
      /UNLOCK\s+RULE-007 lock released/,
      /LOCK\s+RULE-003 locked until the (\w{3} )?17:00 CT reset/,
      /RULE-003 closed (the|\d+) MNQ( position)?: opened while locked/,
      new RegExp(`npx riskd history --data-dir ${join(dir, 'data')}`),
    ];
    // Plain words for the trader: no endpoint names, internal lock kinds or "$-".
    expect(out).not.toMatch(/partialCloseContract|closeContract|until_reset|\$-\d/);
    let from = 0;
    for (const re of order) {
      const m = re.exec(out.slice(from));
      expect(m, `expected ${re} after offset ${from} in:\n${out}`).not.toBeNull();
      from += m!.index + m![0].length;
    }
  }, 180_000);
});
