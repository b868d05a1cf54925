// Commands the control server accepts as `{id, cmd, args, token?}`. Viewer commands only read (and `login`,
// which only creates a session). Every admin command needs a live admin session token and is audited in
// store.adminAudit with its outcome, refusals included; nothing a viewer sends can change the daemon's state.
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../config/errors.ts';
import type { LoadedConfig } from '../config/types.ts';
import type { Logger } from '../log/logger.ts';
import type { Daemon } from '../runtime/daemon.ts';
import type { AdminAuth } from './adminAuth.ts';
import { queryHistory, HistoryQueryError, type HistoryKind, type HistoryQuery } from './history.ts';
import { statusSnapshot } from './statusSnapshot.ts';

export interface CommandContext {
  daemon: Daemon;
  auth: AdminAuth;
  logger: Logger;
  /** Loads risk.yaml + accounts.yaml again for `reload` (throws ConfigError on a bad file). */
  loadConfig: () => LoadedConfig;
  now?: () => number;
}

export interface CommandRequest {
  id?: unknown;
  cmd?: unknown;
  args?: unknown;
  token?: unknown;
}

export type CommandReply = { id: unknown; ok: true; result: unknown } | { id: unknown; ok: false; error: string; code: string };

/** A failure the caller should see as-is (its message is safe to show: no secrets). */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Args = Record<string, unknown>;
interface Spec {
  role: 'viewer' | 'admin';
  run(args: Args, ctx: CommandContext, token: string | undefined): Promise<unknown> | unknown;
}

const str = (args: Args, key: string, required = false): string | undefined => {
  const v = args[key];
  if (v === undefined || v === null) {
    if (required) throw new CommandError('bad_args', `missing argument "${key}"`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new CommandError('bad_args', `argument "${key}" must be text`);
  return String(v);
};
const num = (args: Args, key: string): number | undefined => {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CommandError('bad_args', `argument "${key}" must be a number`);
  return v;
};

function findAccount(daemon: Daemon, account: string): { id: number; name: string } {
  for (const a of daemon.accounts.values()) if (a.name === account || String(a.id) === account) return a;
  const known = [...daemon.accounts.values()].map((a) => a.name).join(', ');
  throw new CommandError('unknown_account', `account "${account}" is not watched by this riskd (watched: ${known || 'none'})`);
}

export const COMMANDS: Record<string, Spec> = {
  status: { role: 'viewer', run: (_a, ctx) => statusSnapshot(ctx.daemon) },

  history: {
    role: 'viewer',
    run: (a, ctx) => {
      const kind = str(a, 'kind') ?? 'enforcement';
      // The admin audit is for admins (the `audit` command), not for viewers.
      if (kind !== 'enforcement' && kind !== 'locks') throw new CommandError('bad_args', 'kind must be enforcement or locks');
      const q: HistoryQuery = { kind: kind as HistoryKind };
      const account = str(a, 'account');
      const rule = str(a, 'rule');
      const since = num(a, 'since');
      const until = num(a, 'until');
      const limit = num(a, 'limit');
      if (account !== undefined) q.account = account;
      if (rule !== undefined) q.rule = rule;
      if (since !== undefined) q.since = since;
      if (until !== undefined) q.until = until;
      q.limit = Math.min(limit ?? 500, 5000);
      if (a['all'] === true) q.all = true;
      try {
        return queryHistory(ctx.daemon.store, q);
      } catch (err) {
        if (err instanceof HistoryQueryError) throw new CommandError('bad_args', err.message);
        throw err;
      }
    },
  },

  /** Opens an admin session. Audited; the password itself never reaches a log or the audit table. */
  login: {
    role: 'viewer',
    run: async (a, ctx) => {
      const password = a['password'];
      if (typeof password !== 'string' || password === '') throw new CommandError('bad_args', 'missing argument "password"');
      const r = await ctx.auth.login(password);
      ctx.daemon.store.adminAudit.insert({ at: (ctx.now ?? Date.now)(), actor: 'admin', command: 'login', args: {}, outcome: r.ok ? 'ok' : r.reason });
      if (!r.ok) {
        ctx.logger.warn('admin login refused', { reason: r.reason });
        throw new CommandError(r.reason, r.message);
      }
      ctx.logger.info('admin logged in');
      return { token: r.token, expiresAfterIdleMs: r.expiresAfterIdleMs };
    },
  },

  logout: {
    role: 'viewer',
    run: (_a, ctx, token) => {
      if (token) ctx.auth.logout(token);
      return { loggedOut: true };
    },
  },

  unlock: {
    role: 'admin',
    run: (a, ctx) => {
      const account = findAccount(ctx.daemon, str(a, 'account', true)!);
      const rule = str(a, 'rule');
      const lockId = str(a, 'lockId');
      const r = ctx.daemon.adminUnlock(account.id, { by: 'admin', ...(rule !== undefined ? { rule } : {}), ...(lockId !== undefined ? { lockId } : {}) });
      if (!r) throw new CommandError('unknown_account', `account ${account.name} has no state machine`);
      const cfg = ctx.daemon.configOf(account.id).admin;
      const what = rule ? `locks set by ${rule}` : lockId ? `lock ${lockId}` : 'all locks';
      const message = {
        released: `released ${r.lockIds.length} lock(s) on ${account.name} now`,
        scheduled: `unlock of ${r.lockIds.length} lock(s) on ${account.name} scheduled: takes effect at ${new Date(r.effectiveAt ?? 0).toISOString()} (admin.unlock: delayed, ${Math.round(cfg.unlock_delay / 1000)} s cooling-off)`,
        refused: `refused: admin.unlock is "never" for ${account.name}; the lock stays until its own release condition`,
        no_match: `nothing to unlock: ${account.name} has no active ${what}`,
      }[r.outcome];
      return { account: account.name, outcome: r.outcome, lockIds: r.lockIds, effectiveAt: r.effectiveAt, message };
    },
  },

  reload: {
    role: 'admin',
    run: (_a, ctx) => {
      let next: LoadedConfig;
      try {
        next = ctx.loadConfig();
      } catch (err) {
        if (err instanceof ConfigError) throw new CommandError('invalid_config', `the new configuration is invalid; the old one stays in force.\n${err.message}`);
        throw new CommandError('invalid_config', `could not load the configuration; the old one stays in force: ${err instanceof Error ? err.message : String(err)}`);
      }
      const applied = ctx.daemon.applyConfig(next);
      for (const n of next.notices) ctx.logger.warn(n);
      ctx.logger.info('configuration reloaded', { accounts: applied });
      return { applied, notices: next.notices, message: `configuration reloaded for ${applied.join(', ') || 'no account'}` };
    },
  },

  audit: {
    role: 'admin',
    run: (a, ctx) => ctx.daemon.store.adminAudit.list({ limit: Math.min(num(a, 'limit') ?? 100, 1000) }),
  },
};

/** Which commands change state or reveal admin-only data: used by tests to prove a viewer can do none of them. */
export const ADMIN_COMMANDS = Object.entries(COMMANDS)
  .filter(([, s]) => s.role === 'admin')
  .map(([name]) => name);

function auditArgs(cmd: string, args: Args): unknown {
  // Only the arguments that say what was asked for; never a password, whatever the caller sent.
  const keep = cmd === 'unlock' ? ['account', 'rule', 'lockId'] : [];
  return Object.fromEntries(keep.filter((k) => args[k] !== undefined).map((k) => [k, args[k]]));
}

export async function handleCommand(req: CommandRequest, ctx: CommandContext): Promise<CommandReply> {
  const id = req.id ?? null;
  const fail = (code: string, error: string): CommandReply => ({ id, ok: false, code, error });
  if (typeof req.cmd !== 'string' || !Object.hasOwn(COMMANDS, req.cmd)) {
    return fail('unknown_command', `unknown command ${JSON.stringify(req.cmd)} (known: ${Object.keys(COMMANDS).join(', ')})`);
  }
  const cmd = req.cmd;
  const spec = COMMANDS[cmd]!;
  const args: Args = req.args && typeof req.args === 'object' && !Array.isArray(req.args) ? (req.args as Args) : {};
  const token = typeof req.token === 'string' ? req.token : undefined;
  const now = ctx.now ?? Date.now;
  const audit = (actor: string, outcome: string) => {
    try {
      ctx.daemon.store.adminAudit.insert({ at: now(), actor, command: cmd, args: auditArgs(cmd, args), outcome });
    } catch (err) {
      ctx.logger.error('admin audit write failed', { command: cmd, error: String(err) });
    }
  };
  if (spec.role === 'admin' && !ctx.auth.touch(token)) {
    audit('viewer', 'refused: no valid admin session');
    return fail('admin_required', `"${cmd}" needs an admin session: log in with the admin password first (sessions end after 15 min idle)`);
  }
  try {
    const result = await spec.run(args, ctx, token);
    if (spec.role === 'admin') audit('admin', outcomeOf(result));
    return { id, ok: true, result };
  } catch (err) {
    const e = err instanceof CommandError ? err : new CommandError('internal', `command failed: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof CommandError)) ctx.logger.error('control command failed', { command: cmd, error: e.message });
    if (spec.role === 'admin') audit('admin', `${e.code}: ${e.message.split('\n')[0]}`);
    return fail(e.code, e.message);
  }
}

function outcomeOf(result: unknown): string {
  const r = result as { outcome?: unknown; message?: unknown } | null;
  if (r && typeof r.outcome === 'string') return `${r.outcome}: ${String(r.message ?? '')}`;
  if (r && typeof r.message === 'string') return `ok: ${r.message}`;
  return 'ok';
}

/** The default reload loader: the same files the daemon started with. */
export function fileConfigLoader(riskPath: string, accountsPath: string): () => LoadedConfig {
  return () => loadConfig({ riskPath, accountsPath });
}
