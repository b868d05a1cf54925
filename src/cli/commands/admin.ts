// `riskd admin ...`: the admin password (set/change, directly in the data dir's store, daemon running or not),
// commands to the running daemon over its control socket (unlock, reload; admin login first), and local
// tools (test-connection against the configured gateway, logs). Passwords come from the terminal without
// echo or, with --password-stdin, one per line on stdin; never from the command line.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { setExitCode } from '../exitCode.ts';
import { parseInteger, parsePort, parseRule } from '../options.ts';
import { openStore } from '../../store/index.ts';
import { AdminAuth, PasswordError, setPassword } from '../../control/adminAuth.ts';
import { ControlClient, ControlReplyError, ControlUnreachableError } from '../../control/client.ts';
import { controlPort, stateFile } from '../../control/locate.ts';
import { PromptAborted, readPasswords } from '../../control/passwordPrompt.ts';
import { tailLog } from '../../control/logTail.ts';
import { testConnection } from '../../control/testConnection.ts';
import { loadConfig } from '../../config/load.ts';
import { ConfigError } from '../../config/errors.ts';
import { createLogger, type LogLevel } from '../../log/logger.ts';

interface DataDirOpt {
  dataDir: string;
}
interface PasswordOpt {
  passwordStdin?: boolean;
}
interface RemoteOpts extends DataDirOpt, PasswordOpt {
  port?: number;
}

const say = (s: string) => process.stdout.write(`${s}\n`);
const complain = (s: string) => process.stderr.write(`riskd admin: ${s}\n`);

async function passwordChange(opts: DataDirOpt & PasswordOpt, first: boolean): Promise<number> {
  const store = openStore(stateFile(opts.dataDir));
  try {
    if (first) {
      const stdin = Boolean(opts.passwordStdin) || !process.stdin.isTTY;
      const pws = await readPasswords(stdin ? ['new admin password: '] : ['new admin password: ', 'again: '], { fromStdin: stdin });
      if (pws.length === 2 && pws[0] !== pws[1]) throw new PasswordError('the two passwords differ; nothing changed');
      await setPassword(store.meta, pws[0]!);
      store.adminAudit.insert({ at: Date.now(), actor: 'admin', command: 'set-password', args: {}, outcome: 'ok' });
      say(`admin password set (bcrypt) in ${store.path}`);
    } else {
      const auth = new AdminAuth(store.meta);
      if (!auth.hasPassword()) throw new PasswordError('no admin password is set yet; use `npx riskd admin set-password`');
      const [oldPw, newPw] = await readPasswords(['current admin password: ', 'new admin password: '], { fromStdin: Boolean(opts.passwordStdin) });
      try {
        await auth.changePassword(oldPw!, newPw!);
      } catch (e) {
        store.adminAudit.insert({ at: Date.now(), actor: 'admin', command: 'change-password', args: {}, outcome: `refused: ${e instanceof Error ? e.message : String(e)}` });
        throw e;
      }
      store.adminAudit.insert({ at: Date.now(), actor: 'admin', command: 'change-password', args: {}, outcome: 'ok' });
      say('admin password changed (running riskd sessions must log in again after a restart)');
    }
    return 0;
  } catch (e) {
    if (e instanceof PasswordError || e instanceof PromptAborted) {
      complain(e.message);
      return 1;
    }
    throw e;
  } finally {
    store.close();
  }
}

/** Logs in to the running daemon and runs one admin command; prints its message. */
async function remote(opts: RemoteOpts, cmd: string, args: Record<string, unknown>, okOutcomes: string[] = []): Promise<number> {
  const port = controlPort(opts.dataDir, opts.port);
  let client: ControlClient;
  try {
    client = await ControlClient.connect(port);
  } catch (e) {
    if (e instanceof ControlUnreachableError) {
      complain(`riskd is not running (nothing answers on 127.0.0.1:${port}); "${cmd}" needs the running daemon (--port if it uses another port)`);
      return 1;
    }
    throw e;
  }
  try {
    const [password] = await readPasswords(['admin password: '], { fromStdin: Boolean(opts.passwordStdin) });
    await client.login(password!);
    const result = await client.call<{ message?: string; outcome?: string }>(cmd, args);
    say(result.message ?? JSON.stringify(result));
    return result.outcome === undefined || okOutcomes.includes(result.outcome) ? 0 : 1;
  } catch (e) {
    if (e instanceof ControlReplyError || e instanceof PromptAborted || e instanceof ControlUnreachableError) {
      complain(e.message);
      return 1;
    }
    throw e;
  } finally {
    client.close();
  }
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
function parseLevel(v: string): LogLevel {
  if (!(LEVELS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${LEVELS.join(', ')}.`);
  return v as LogLevel;
}

export function register(program: Command): void {
  const admin = program.command('admin').description('admin password, unlock, reload, connection test, logs');
  const dataDir = ['-d, --data-dir <dir>', 'riskd data directory', 'data'] as const;
  const stdinOpt = ['--password-stdin', 'read the password(s) from stdin, one per line (for scripts)'] as const;

  admin
    .command('set-password')
    .description('set the admin password (first time; works with riskd stopped)')
    .option(...dataDir)
    .option(...stdinOpt)
    .action(async function (this: Command, o: DataDirOpt & PasswordOpt) {
      setExitCode(this, await passwordChange(o, true));
    });

  admin
    .command('change-password')
    .description('change the admin password (asks for the current one; stdin: current then new)')
    .option(...dataDir)
    .option(...stdinOpt)
    .action(async function (this: Command, o: DataDirOpt & PasswordOpt) {
      setExitCode(this, await passwordChange(o, false));
    });

  admin
    .command('unlock <account>')
    .description('release an account lock per its admin.unlock policy (allowed: now; delayed: after unlock_delay; never: refused)')
    .option('--rule <rule>', 'only locks set by this rule: RULE-007, 007 or cooldown_after_loss', parseRule)
    .option('--lock-id <id>', 'only this lock')
    .option('-p, --port <port>', 'control port (default: the one riskd recorded, else 8765)', parsePort)
    .option(...dataDir)
    .option(...stdinOpt)
    .action(async function (this: Command, account: string, o: RemoteOpts & { rule?: string; lockId?: string }) {
      const rule = o.rule;
      const args = { account, ...(rule ? { rule } : {}), ...(o.lockId ? { lockId: o.lockId } : {}) };
      setExitCode(this, await remote(o, 'unlock', args, ['released', 'scheduled']));
    });

  admin
    .command('reload')
    .description('validate risk.yaml/accounts.yaml and apply the rules to the running riskd (a bad file changes nothing)')
    .option('-p, --port <port>', 'control port (default: the one riskd recorded, else 8765)', parsePort)
    .option(...dataDir)
    .option(...stdinOpt)
    .action(async function (this: Command, o: RemoteOpts) {
      setExitCode(this, await remote(o, 'reload', {}));
    });

  admin
    .command('test-connection')
    .description('check login, both hubs, account visibility and canTrade with accounts.yaml (no daemon needed)')
    .option('-c, --config <file>', 'risk rules file', 'config/risk.yaml')
    .option('-a, --accounts <file>', 'gateway, credentials and accounts file', 'config/accounts.yaml')
    .action(async function (this: Command, o: { config: string; accounts: string }) {
      let cfg;
      try {
        cfg = loadConfig({ riskPath: o.config, accountsPath: o.accounts });
      } catch (e) {
        complain(e instanceof ConfigError ? e.message : String(e));
        return setExitCode(this, 1);
      }
      const logger = createLogger({ level: 'error', terminal: false, secrets: [cfg.accounts.credentials.api_key] });
      const lines = await testConnection(cfg.accounts, logger);
      for (const l of lines) say(`${l.ok ? 'ok  ' : 'FAIL'}  ${l.what}: ${l.detail}`);
      setExitCode(this, lines.every((l) => l.ok) ? 0 : 1);
    });

  admin
    .command('logs')
    .description('show <data-dir>/riskd.log as readable lines')
    .option(...dataDir)
    .option('-f, --follow', 'keep printing new lines (Ctrl+C stops)')
    .option('--level <level>', 'debug | info | warn | error', parseLevel, 'info')
    .option('-n, --lines <n>', 'how many existing lines to show', parseInteger, 50)
    .action(async function (this: Command, o: DataDirOpt & { follow?: boolean; level: LogLevel; lines: number }) {
      const file = join(o.dataDir, 'riskd.log');
      if (!existsSync(file)) {
        complain(`${file} does not exist (has riskd run with this --data-dir?)`);
        return setExitCode(this, 1);
      }
      const until = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await tailLog(file, process.stdout, { level: o.level, lines: o.lines, follow: Boolean(o.follow), until });
      setExitCode(this, 0);
    });
}
