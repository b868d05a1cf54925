// The shipped systemd user unit: the settings the README promises, and `systemd-analyze verify` finds nothing
// to complain about (it reports unknown keys and bad values as warnings with exit 0, so stderr is checked).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const UNIT = resolve(import.meta.dirname, '..', '..', 'config', 'service', 'riskd.service');
const HAS_ANALYZE = spawnSync('systemd-analyze', ['--version']).status === 0;

/** section -> key -> values (a key may repeat). Comments and blank lines skipped. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`${UNIT}: not key=value: ${line}`);
    ((out[section] ??= {})[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return out;
}

describe('config/service/riskd.service', () => {
  const unit = parseUnit(readFileSync(UNIT, 'utf8'));
  const svc = unit['Service']!;

  it('restarts on failure after 5 s, stops with SIGTERM within 15 s, reads secrets from an env file', () => {
    expect(svc['Restart']).toEqual(['on-failure']);
    expect(svc['RestartSec']).toEqual(['5']);
    expect(svc['KillSignal']).toEqual(['SIGTERM']);
    expect(svc['TimeoutStopSec']).toEqual(['15']);
    expect(svc['EnvironmentFile']).toEqual(['%h/.config/riskd/riskd.env']);
    expect(svc['ExecStart']![0]).toMatch(/^\/usr\/bin\/env node %h\/riskd\/bin\/riskd\.js start /);
    expect(unit['Install']!['WantedBy']).toEqual(['default.target']);
  });

  it('holds no secret: no PROJECTX_* value in the unit itself', () => {
    for (const values of Object.values(svc)) for (const v of values) expect(v).not.toMatch(/PROJECTX_[A-Z_]+=/);
  });

  it.skipIf(!HAS_ANALYZE)('passes systemd-analyze verify without a warning', () => {
    // System mode: a user manager is not always available (containers, CI); the unit syntax is the same.
    const r = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    const aboutUnit = r.stderr.split('\n').filter((l) => l.includes('riskd.service'));
    expect(aboutUnit).toEqual([]);
    expect(r.status).toBe(0);
  });
});
