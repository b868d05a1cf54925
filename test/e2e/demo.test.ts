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
      /RULE-001 .*partialCloseContract CON\.F\.US\.MNQ\.Z26 size 2/,
      /RULE-008 .*closeContract CON\.F\.US\.MNQ\.Z26/,
      /LOCK\s+RULE-007 cooldown/,
      /new position while locked.*closeContract CON\.F\.US\.MES\.Z26/,
      /UNLOCK\s+RULE-007 cooldown released/,
      /LOCK\s+RULE-003 until_reset/,
      /RULE-003 new position while locked.*closeContract CON\.F\.US\.MNQ\.Z26/,
    ];
    let from = 0;
    for (const re of order) {
      const m = re.exec(out.slice(from));
      expect(m, `expected ${re} after offset ${from} in:\n${out}`).not.toBeNull();
      from += m!.index + m![0].length;
    }
  }, 180_000);
});
