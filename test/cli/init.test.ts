// `riskd init` driven through stdin, as a script would: the real process asks its questions, takes one answer
// per line (re-asking a wrong one with a "did you mean"), tests the login against the simulator, and writes
// files that `riskd config validate` accepts.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startSimulator, type Simulator } from '../../src/sim/index.ts';
import { loadConfig } from '../../src/config/load.ts';

function run(args: string[], stdin: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/riskd.js', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 3, accounts: [DEMO_ACCOUNTS[0]!] });
});
afterAll(async () => {
  await sim?.close();
});

describe('riskd init through stdin', () => {
  it('writes accounts.yaml and risk.yaml that config validate accepts, after a test login', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskd-init-'));
    const env = { RISKD_INIT_TEST_KEY: sim.credentials.apiKey };
    const answers = [
      '4', // enter the gateway URLs
      sim.url,
      '', // user hub: the default <api>/hubs/user
      '', // market hub
      sim.credentials.userName,
      'RISKD_INIT_TEST_KEY',
      DEMO_ACCOUNTS[0]!.name,
      '18766',
      'America/Chicgo', // a typo: asked again
      'America/Chicago',
      '150', // daily loss
      '3', // contracts
      '', // profit target: none
      '40', // pause after a loss of $40
      '10m',
      '20s',
      '08:30-15:05',
      'cl, rty',
      '2', // admin may unlock at once
      'y', // test the login
    ];
    const r = await run(['init', '--dir', dir, '--force'], `${answers.join('\n')}\n`, env);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('did you mean "America/Chicago"?');
    expect(r.out).toMatch(/ok\s+login: .* accepted the API key/);
    expect(r.out).toContain(`npx riskd start --config ${join(dir, 'risk.yaml')} --accounts ${join(dir, 'accounts.yaml')}`);
    expect(readFileSync(join(dir, 'accounts.yaml'), 'utf8')).toContain('api_key: ${RISKD_INIT_TEST_KEY}'); // the key itself is never written
    expect(readFileSync(join(dir, 'accounts.yaml'), 'utf8')).not.toContain(sim.credentials.apiKey);

    const validate = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, ['bin/riskd.js', 'config', 'validate', '--config', join(dir, 'risk.yaml'), '--accounts', join(dir, 'accounts.yaml')], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
      ),
    );
    expect(validate.code, validate.out).toBe(0);
    const cfg = loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env: { ...process.env, ...env } });
    expect(cfg.accounts.gateway.api_url).toBe(sim.url);
    expect(cfg.accounts.accounts.map((a) => a.name)).toEqual([DEMO_ACCOUNTS[0]!.name]);
    expect(cfg.accounts.control.port).toBe(18766);
    const rules = cfg.risk.rules;
    expect(rules.daily_realized_loss).toMatchObject({ enabled: true, limit: 150 });
    expect(rules.max_contracts).toMatchObject({ enabled: true, limit: 3 });
    expect(rules.daily_realized_profit.enabled).toBe(false);
    expect(rules.cooldown_after_loss.tiers).toEqual([{ loss: 40, cooldown: 600_000 }]);
    expect(rules.no_stop_loss_grace).toMatchObject({ enabled: true, grace: 20_000 });
    expect(rules.session_block_outside.windows).toEqual([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:30', end: '15:05' }]);
    expect(rules.symbol_blocks.symbols).toEqual(['CL', 'RTY']);
    expect(cfg.risk.admin.unlock).toBe('allowed');
  }, 60_000);

  it('stdin ending early writes nothing and says which question had no answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskd-init-'));
    const r = await run(['init', '--dir', dir], '1\nbob\n', {});
    expect(r.code).toBe(1);
    expect(r.out).toContain('no answer on stdin for "Environment variable that will hold your API key:"; nothing written');
    expect(() => readFileSync(join(dir, 'accounts.yaml'))).toThrow();
  });
});
