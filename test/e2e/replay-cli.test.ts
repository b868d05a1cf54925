// `riskd replay` as the user runs it (node bin/riskd.js): the demo needs no credentials and prints the table,
// the totals, what is approximated and where the HTML report is; bad input is one line on stderr, exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const riskd = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'riskd.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('riskd replay (process)', () => {
  it('--demo replays the simulator\'s remembered past with no credentials', () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskd-replay-cli-'));
    const out = join(dir, 'report.html');
    const r = riskd(['replay', '--demo', '-d', join(dir, 'data'), '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^riskd replay: PRAC-V2-000000-13572468, /);
    expect(r.stdout).toMatch(/trading day +trades +as traded +with riskd +blocked +rules fired/);
    expect(r.stdout).toContain('maximum drawdown:');
    expect(r.stdout).toContain('Approximated:');
    expect(r.stdout).toContain(`HTML report: ${out}`);
    expect(existsSync(out)).toBe(true);
  });

  it('bad input: one line on stderr, exit 1, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskd-replay-cli-'));
    const r = riskd(['replay', '--since', '2026-11-01', '-a', join(dir, 'nope.yaml'), '-d', join(dir, 'data')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`riskd replay: ${join(dir, 'nope.yaml')} not found: riskd replay needs the gateway credentials file (or try: riskd replay --demo)\n`);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});
