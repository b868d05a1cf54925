// `riskd admin logs`: <data-dir>/riskd.log (JSON lines) shown as readable lines, filtered by level, with
// --follow polling for appended lines (the file is only ever appended to).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { LogLevel } from '../log/logger.ts';

const RANK: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function formatLogLine(line: string, minLevel: LogLevel): string | null {
  if (line.trim() === '') return null;
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line; // not ours; show as is
  }
  const level = String(e['level'] ?? 'info');
  if ((RANK[level] ?? 20) < RANK[minLevel]!) return null;
  const fields = Object.entries(e)
    .filter(([k]) => k !== 't' && k !== 'level' && k !== 'msg')
    .map(([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`);
  return [String(e['t'] ?? ''), level.toUpperCase().padEnd(5), String(e['msg'] ?? ''), ...fields].join(' ');
}

function readFrom(file: string, offset: number): { text: string; end: number } {
  const size = statSync(file).size;
  if (size <= offset) return { text: '', end: size < offset ? 0 : offset }; // truncated/rotated: start over
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    return { text: buf.subarray(0, n).toString('utf8'), end: offset + n };
  } finally {
    closeSync(fd);
  }
}

export interface TailOptions {
  level: LogLevel;
  /** Show this many matching lines of what is already there. */
  lines: number;
  follow: boolean;
  pollMs?: number;
  /** Resolves to stop following (tests; the CLI stops on SIGINT). */
  until?: Promise<void>;
}

export async function tailLog(file: string, out: NodeJS.WritableStream, opts: TailOptions): Promise<void> {
  const first = readFrom(file, 0);
  const lastNewline = first.text.lastIndexOf('\n');
  const complete = first.text.slice(0, lastNewline + 1);
  const shown = complete
    .split('\n')
    .map((l) => formatLogLine(l, opts.level))
    .filter((l): l is string => l !== null)
    .slice(-opts.lines);
  for (const l of shown) out.write(`${l}\n`);
  if (!opts.follow) return;
  let offset = lastNewline + 1;
  let partial = '';
  let stop = false;
  void opts.until?.then(() => (stop = true));
  while (!stop) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
    const next = readFrom(file, offset);
    if (next.end < offset) partial = '';
    offset = next.end;
    const text = partial + next.text;
    const cut = text.lastIndexOf('\n');
    partial = text.slice(cut + 1);
    for (const l of text.slice(0, cut + 1).split('\n')) {
      const f = formatLogLine(l, opts.level);
      if (f !== null) out.write(`${f}\n`);
    }
  }
}
