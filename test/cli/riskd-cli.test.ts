// The real `riskd` process (node bin/riskd.js, cwd = repo root): exit codes and messages users see.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { loadCommands } from '../../src/cli/commands/index.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function riskd(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  delete base['PROJECTX_USERNAME'];
  delete base['PROJECTX_API_KEY'];
  return new Promise((resolve) => {
    execFile('node', ['bin/riskd.js', ...args], { cwd: process.cwd(), env: { ...base, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'riskd-cli-'));
}

const CREDS = { PROJECTX_USERNAME: 'cli-user', PROJECTX_API_KEY: 'cli-S3CR3T-key-value' };

describe('riskd config validate', () => {
  it('accepts the shipped risk.yaml and accounts.example.yaml (variables set): exit 0 and a summary', async () => {
    const r = await riskd(['config', 'validate', '--config', 'config/risk.yaml', '--accounts', 'config/accounts.example.yaml'], CREDS);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('config/risk.yaml: ok');
    expect(r.stdout).toContain('RULE-001 max_contracts');
    expect(r.stdout).toContain('config/accounts.example.yaml: ok');
    expect(r.stdout).toContain('PRAC-V2-123456-7890123');
    expect(r.stdout + r.stderr).not.toContain(CREDS.PROJECTX_API_KEY);
  });

  it('defaults to config/risk.yaml', async () => {
    const r = await riskd(['config', 'validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('config/risk.yaml: ok');
  });

  it('a broken risk file: exit 1 and every problem with file:line:column key', async () => {
    const dir = tempDir();
    const file = join(dir, 'risk.yaml');
    writeFileSync(file, 'rules:\n  max_contracts:\n    enabled: true\n    limit: five\n  bogus_rule: { enabled: true }\n');
    const r = await riskd(['config', 'validate', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}:4:12 rules.max_contracts.limit: expected a whole number ≥ 0, got "five"`);
    expect(r.stderr).toContain(`${file}:5:3 rules.bogus_rule: unknown key "bogus_rule"`);
  });

  it('an unset credential variable: exit 1 naming the variable, file, line and key; set secrets never printed', async () => {
    const r = await riskd(['config', 'validate', '--accounts', 'config/accounts.example.yaml'], {
      PROJECTX_API_KEY: CREDS.PROJECTX_API_KEY,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'config/accounts.example.yaml:16:13 credentials.username: environment variable PROJECTX_USERNAME is not set',
    );
    expect(r.stdout + r.stderr).not.toContain(CREDS.PROJECTX_API_KEY);
  });

  it('prints notices (negative money) and still exits 0', async () => {
    const dir = tempDir();
    const file = join(dir, 'risk.yaml');
    writeFileSync(file, 'rules:\n  daily_realized_loss: { enabled: true, limit: -750 }\n');
    const r = await riskd(['config', 'validate', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}:2:48 rules.daily_realized_loss.limit: -750 read as 750`);
  });

  it('names the rules each account overrides, and the notices of accounts.yaml', async () => {
    const dir = tempDir();
    const accounts = join(dir, 'accounts.yaml');
    writeFileSync(
      accounts,
      [
        'gateway: { api_url: "http://127.0.0.1:1", user_hub_url: "ws://127.0.0.1:1/hubs/user", market_hub_url: "ws://127.0.0.1:1/hubs/market" }',
        'credentials: { username: "${PROJECTX_USERNAME}", api_key: "${PROJECTX_API_KEY}" }',
        'accounts:',
        '  - name: A',
        '    rules: { daily_realized_loss: { limit: -250 }, symbol_blocks: { symbols: [ES] } }',
        '  - name: B',
        '',
      ].join('\n'),
    );
    const r = await riskd(['config', 'validate', '--accounts', accounts], CREDS);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('accounts: A (overrides: daily_realized_loss, symbol_blocks), B');
    expect(r.stdout).toContain(`${accounts}:5:44 accounts[0].rules.daily_realized_loss.limit: -250 read as 250`);
  });

  it('a missing file: exit 1 naming it', async () => {
    const r = await riskd(['config', 'validate', '--config', 'config/does-not-exist.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('config/does-not-exist.yaml: file not found');
  });
});

describe('riskd config schema', () => {
  it('writes the same JSON Schemas as the committed ones', async () => {
    const dir = tempDir();
    const r = await riskd(['config', 'schema', '--out-dir', dir]);
    expect(r.code).toBe(0);
    for (const name of ['risk.schema.json', 'accounts.schema.json']) {
      expect(readFileSync(join(dir, name), 'utf8')).toBe(readFileSync(join('config', name), 'utf8'));
    }
  });
});

// Every command module (riskd itself loads only the one named on the command line).
const allCommands = await loadCommands([]);

describe('riskd usage', () => {
  // Every registered subcommand, found from the program itself, so new commands are covered too.
  const subcommands: string[][] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const sub of cmd.commands) {
      subcommands.push([...path, sub.name()]);
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(buildProgram(allCommands), []);

  it('finds the subcommands', () => {
    expect(subcommands).toEqual(expect.arrayContaining([['config'], ['config', 'validate'], ['config', 'schema'], ['sim']]));
  });

  it.each([
    [['--help'], 'Usage: riskd [options] [command]'],
    [['help', 'sim'], 'Usage: riskd sim [options]'],
    ...subcommands.map((path) => [[...path, '--help'], `Usage: riskd ${path.join(' ')}`] as [string[], string]),
  ])('riskd %j prints help and exits 0', async (args, usage) => {
    const r = await riskd(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(usage);
  });

  it('--version prints the package version', async () => {
    const r = await riskd(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['config', 'validate', '--strict'], "unknown option '--strict'"],
    [['sim', '--port', 'eighty'], 'expected a port number from 0 to 65535'],
    [['sim', '--seed', '1.5'], 'expected a whole number'],
    [['config', 'validate', '--config'], "option '-c, --config <file>' argument missing"],
    [['config'], 'Usage: riskd config'],
  ])('riskd %j is a usage error: exit 2 with a message', async (args, message) => {
    const r = await riskd(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('riskd start', () => {
  it('checks the control port before logging in: a taken port is one clear message, no gateway call', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    const port = await new Promise<number>((res) => blocker.listen(0, '127.0.0.1', () => res((blocker.address() as { port: number }).port)));
    const dir = tempDir();
    writeFileSync(join(dir, 'risk.yaml'), 'rules: {}\n');
    // The gateway address answers nothing: reaching the login would fail with another message.
    writeFileSync(
      join(dir, 'accounts.yaml'),
      ['gateway:', '  api_url: http://127.0.0.1:59997', '  user_hub_url: http://127.0.0.1:59997/hubs/user', '  market_hub_url: http://127.0.0.1:59997/hubs/market',
        'credentials:', '  username: u', '  api_key: k', 'control:', `  port: ${port}`, ''].join('\n'),
    );
    try {
      const r = await riskd(['start', '-c', join(dir, 'risk.yaml'), '-a', join(dir, 'accounts.yaml'), '-d', join(dir, 'data')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the control port 127.0.0.1:${port} is not free (EADDRINUSE), nothing started`);
      expect(r.stderr).toContain('npx riskd status');
      expect(r.stderr).not.toContain('loginKey');
    } finally {
      blocker.close();
    }
  });
});

describe('riskd diagram', () => {
  // `script` gives the command a real terminal (util-linux, present on Debian).
  const HAS_SCRIPT = (() => {
    try {
      return readFileSync('/usr/bin/script').length > 0;
    } catch {
      return false;
    }
  })();

  it.skipIf(!HAS_SCRIPT)('refuses to dump SVG on a terminal and says how to write it', async () => {
    const r = await new Promise<Run>((resolve) =>
      execFile('script', ['-qec', 'node bin/riskd.js diagram -m position', '/dev/null'], { cwd: process.cwd(), timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('not writing SVG to the terminal');
    expect(r.stdout + r.stderr).toContain('npx riskd diagram -m position -o position.svg');
    expect(r.stdout + r.stderr).not.toContain('<svg');
  });

  it('writes SVG to a pipe or a file', async () => {
    expect((await riskd(['diagram', '-m', 'position'])).stdout).toMatch(/^<svg /);
    const file = join(tempDir(), 'p.svg');
    const r = await riskd(['diagram', '-m', 'position', '-o', file]);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^<svg /);
  });
});
