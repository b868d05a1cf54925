// Structured logger: JSON lines to a file (machine-readable, append-only) and one readable line per entry to a
// terminal. Every message and field passes through redaction first, and logging never throws: a broken log
// destination must not take enforcement down with it.
import fs from 'node:fs';
import path from 'node:path';
import { REDACTED, SecretSet, sanitize } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const RESERVED = new Set(['t', 'level', 'msg']);

export interface Logger {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
  /** A logger that adds `bindings` to every entry; it shares destinations and secrets with its parent. */
  child(bindings: object): Logger;
  /** Scrub this exact value from everything logged from now on (by this logger, its parent and children). */
  addSecret(s: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** JSON-lines file, appended to; its directory is created. */
  file?: string;
  /** true = stderr, false = no terminal output, or any writable stream. Default true. */
  terminal?: boolean | NodeJS.WritableStream;
  secrets?: string[];
  /** Clock for the `t` field (tests). */
  now?: () => number;
}

/** Where entries go; shared by a root logger and all its children. */
interface Sinks {
  minRank: number;
  secrets: SecretSet;
  fd: number | null;
  fileBroken: boolean;
  terminal: NodeJS.WritableStream | null;
  now: () => number;
}

/** The root logger also owns the file descriptor; `close()` releases it (children stop writing to the file). */
export interface RootLogger extends Logger {
  close(): void;
}

export function createLogger(opts: LoggerOptions = {}): RootLogger {
  const secrets = new SecretSet();
  for (const s of opts.secrets ?? []) secrets.add(s);
  const sinks: Sinks = {
    minRank: LEVEL_RANK[opts.level ?? 'info'] ?? LEVEL_RANK.info,
    secrets,
    fd: null,
    fileBroken: false,
    terminal: opts.terminal === false ? null : opts.terminal === true || opts.terminal === undefined ? process.stderr : opts.terminal,
    now: opts.now ?? Date.now,
  };
  if (opts.file) {
    try {
      fs.mkdirSync(path.dirname(opts.file), { recursive: true });
      sinks.fd = fs.openSync(opts.file, 'a', 0o600);
    } catch (e) {
      sinks.fileBroken = true;
      writeTerminal(sinks, 'error', `log file ${opts.file} cannot be opened; logging to terminal only`, {
        error: sanitize(e, secrets),
      });
    }
  }
  const root = makeLogger(sinks, {});
  return {
    ...root,
    close: () => {
      if (sinks.fd === null) return;
      try {
        fs.closeSync(sinks.fd);
      } catch {
        // already closed
      }
      sinks.fd = null;
    },
  };
}

function makeLogger(sinks: Sinks, bindings: Record<string, unknown>): Logger {
  const log = (level: LogLevel, msg: string, fields?: object): void => {
    try {
      if (LEVEL_RANK[level] < sinks.minRank) return;
      emit(sinks, level, msg, bindings, fields);
    } catch {
      // Logging must never break the caller.
    }
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (more) => {
      try {
        return makeLogger(sinks, { ...bindings, ...toFields(more) });
      } catch {
        return makeLogger(sinks, bindings);
      }
    },
    addSecret: (s) => sinks.secrets.add(s),
  };
}

/** Fields as a plain object; an Error passed directly becomes `{ err }`. */
function toFields(fields: object | undefined): Record<string, unknown> {
  if (fields === undefined || fields === null) return {};
  if (fields instanceof Error) return { err: fields };
  if (typeof fields !== 'object') return { value: fields };
  return fields as Record<string, unknown>;
}

function emit(sinks: Sinks, level: LogLevel, msg: string, bindings: Record<string, unknown>, fields?: object): void {
  const raw = { ...bindings, ...toFields(fields) };
  const clean = sanitize(raw, sinks.secrets) as Record<string, unknown>;
  const text = sinks.secrets.scrub(typeof msg === 'string' ? msg : String(msg));
  if (sinks.fd !== null && !sinks.fileBroken) writeFile(sinks, level, text, clean);
  if (sinks.terminal) writeTerminal(sinks, level, text, clean);
}

function writeFile(sinks: Sinks, level: LogLevel, msg: string, fields: Record<string, unknown>): void {
  const entry: Record<string, unknown> = { t: new Date(sinks.now()).toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields)) entry[RESERVED.has(k) ? `field_${k}` : k] = v;
  try {
    // Synchronous append: entries stay in order and survive a crash right after the call.
    fs.writeSync(sinks.fd as number, `${JSON.stringify(entry)}\n`);
  } catch (e) {
    sinks.fileBroken = true;
    writeTerminal(sinks, 'error', 'log file write failed; logging to terminal only', { error: sanitize(e, sinks.secrets) });
  }
}

function writeTerminal(sinks: Sinks, level: LogLevel, msg: string, fields: Record<string, unknown>): void {
  if (!sinks.terminal) return;
  const parts = [clock(sinks.now()), level.toUpperCase().padEnd(5), msg];
  for (const [k, v] of Object.entries(fields)) parts.push(`${k}=${formatValue(v)}`);
  try {
    sinks.terminal.write(`${parts.join(' ')}\n`);
  } catch {
    // A closed terminal is not worth crashing over.
  }
}

/** Local wall-clock time HH:MM:SS.mmm, for a person watching the terminal. */
function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v && typeof v === 'object' && typeof (v as { stack?: unknown }).stack === 'string') {
    // Serialized Error: one line stays one line; the full stack is in the JSON file.
    const e = v as { name?: string; message?: string; stack: string };
    return JSON.stringify(`${e.name ?? 'Error'}: ${e.message ?? ''}`);
  }
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return REDACTED;
  }
}
