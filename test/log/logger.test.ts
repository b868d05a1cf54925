import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type RootLogger } from '../../src/log/logger.ts';

const API_KEY = 'pk_live_7Hq2vN9xZ3mR8sT1wY5u';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const PASSWORD = 'hunter2-correct-horse';

let dirs: string[] = [];
let loggers: RootLogger[] = [];
afterEach(() => {
  for (const l of loggers) l.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
  loggers = [];
});

function setup(opts: Parameters<typeof createLogger>[0] = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskd-log-'));
  dirs.push(dir);
  const file = path.join(dir, 'logs', 'riskd.jsonl');
  const term = new PassThrough();
  let terminal = '';
  term.on('data', (c: Buffer) => (terminal += c.toString('utf8')));
  const logger = createLogger({ file, terminal: term, now: () => Date.UTC(2026, 0, 5, 14, 3, 7, 42), ...opts });
  loggers.push(logger);
  return {
    logger,
    fileText: () => fs.readFileSync(file, 'utf8'),
    lines: () =>
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    terminal: () => terminal,
  };
}

describe('logger output', () => {
  it('writes one JSON object per line with t, level, msg and fields, appending', () => {
    const { logger, lines } = setup();
    logger.info('account connected', { accountId: 42, balance: 50_000.5 });
    logger.warn('hub slow', { lagMs: 1200 });
    const out = lines();
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ t: '2026-01-05T14:03:07.042Z', level: 'info', msg: 'account connected', accountId: 42, balance: 50_000.5 });
    expect(out[1]).toMatchObject({ level: 'warn', msg: 'hub slow', lagMs: 1200 });
  });

  it('appends to an existing file instead of truncating it', () => {
    const a = setup();
    a.logger.info('first');
    a.logger.close();
    const file = path.join(dirs[0]!, 'logs', 'riskd.jsonl');
    const b = createLogger({ file, terminal: false });
    loggers.push(b);
    b.info('second');
    const msgs = a.lines().map((l) => l.msg);
    expect(msgs).toEqual(['first', 'second']);
  });

  it('prints readable single lines to the terminal', () => {
    const { logger, terminal } = setup();
    logger.error('close failed', { accountId: 7, contractId: 'CON.F.US.MNQ.Z25', note: 'two words', err: new Error('boom') });
    const line = terminal();
    expect(line.split('\n').filter(Boolean)).toHaveLength(1);
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.042 ERROR close failed accountId=7 contractId=CON\.F\.US\.MNQ\.Z25 note="two words" err="Error: boom"\n$/);
  });

  it('filters by level', () => {
    const { logger, lines } = setup({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines().map((l) => l.level)).toEqual(['warn', 'error']);
  });

  it('child loggers add bindings and share secrets with the parent', () => {
    const { logger, lines } = setup();
    const child = logger.child({ accountId: 9, component: 'executor' });
    child.child({ contractId: 'X' }).info('closing', { size: 2 });
    child.addSecret('shared-secret-value');
    logger.info('parent sees shared-secret-value scrubbed');
    const out = lines();
    expect(out[0]).toMatchObject({ accountId: 9, component: 'executor', contractId: 'X', size: 2, msg: 'closing' });
    expect(out[1]!.msg).toBe('parent sees [redacted] scrubbed');
  });

  it('keeps reserved keys from overwriting t/level/msg', () => {
    const { logger, lines } = setup();
    logger.info('real', { msg: 'fake', level: 'error', t: 'x' });
    expect(lines()[0]).toMatchObject({ msg: 'real', level: 'info', field_msg: 'fake', field_level: 'error', field_t: 'x' });
  });

  it('survives cyclic objects, throwing getters, bigint and odd values without throwing', () => {
    const { logger, lines } = setup();
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const shared = { x: 1 };
    const evil = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    expect(() =>
      logger.info('odd', { cyclic, pair: [shared, shared], evil, big: 2n ** 70n, nan: Number.NaN, when: new Date(0), fn: () => 1 }),
    ).not.toThrow();
    const e = lines()[0]!;
    expect(e.cyclic).toEqual({ name: 'a', self: '[circular]' });
    expect(e.pair).toEqual([{ x: 1 }, { x: 1 }]);
    expect(e.evil).toEqual({ boom: '[unreadable: getter exploded]' });
    expect(e.big).toBe((2n ** 70n).toString());
    expect(e.nan).toBe('NaN');
    expect(e.when).toBe('1970-01-01T00:00:00.000Z');
  });

  it('caps huge arrays and strings so one entry cannot flood the log', () => {
    const { logger, lines } = setup();
    logger.info('big', { xs: Array.from({ length: 5000 }, (_, i) => i), s: 'x'.repeat(50_000) });
    const e = lines()[0]!;
    expect((e.xs as unknown[]).length).toBe(1001);
    expect((e.xs as unknown[])[1000]).toBe('[4000 more items]');
    expect((e.s as string).length).toBeLessThan(20_100);
  });

  it('never leaves half a secret at the truncation point', () => {
    const { logger, fileText } = setup({ secrets: [API_KEY] });
    logger.info('edge', { s: `${'x'.repeat(20_000 - 5)}${API_KEY}tail` });
    expect(fileText()).not.toContain(API_KEY.slice(0, 5));
  });

  it('does not throw when the log file cannot be opened; falls back to the terminal', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskd-log-'));
    dirs.push(dir);
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, 'x');
    const term = new PassThrough();
    let out = '';
    term.on('data', (c: Buffer) => (out += c.toString()));
    const logger = createLogger({ file: path.join(blocker, 'riskd.jsonl'), terminal: term });
    loggers.push(logger);
    expect(() => logger.info('still logging')).not.toThrow();
    expect(out).toContain('cannot be opened');
    expect(out).toContain('still logging');
  });

  it('serializes errors with name, message, stack, extra fields and cause', () => {
    const { logger, lines } = setup();
    const cause = new TypeError('socket hang up');
    const err = Object.assign(new Error('close failed', { cause }), { endpoint: '/api/Position/closeContract', errorCode: 2 });
    logger.error('x', err);
    const e = lines()[0]!.err as Record<string, unknown>;
    expect(e.name).toBe('Error');
    expect(e.message).toBe('close failed');
    expect(String(e.stack)).toContain('logger.test.ts');
    expect(e.endpoint).toBe('/api/Position/closeContract');
    expect(e.errorCode).toBe(2);
    expect((e.cause as Record<string, unknown>).message).toBe('socket hang up');
  });
});

describe('redaction', () => {
  it('never lets an API key, JWT, password or Bearer header reach the file or the terminal', () => {
    const { logger, fileText, terminal } = setup({ secrets: [API_KEY] });
    logger.addSecret(PASSWORD);
    const err = new Error(`login failed for key ${API_KEY} with token ${JWT}`);
    (err as Error & { request?: unknown }).request = { headers: { Authorization: `Bearer ${JWT}` }, body: { apiKey: API_KEY } };

    // keys at any depth, arrays, nested objects
    logger.info('login', { userName: 'trader', apiKey: API_KEY, nested: { deeper: [{ password: PASSWORD }, { api_key: API_KEY }] } });
    logger.info('headers', { headers: { authorization: `Bearer ${JWT}`, 'X-Api-Key': API_KEY }, sessionToken: JWT });
    // values hidden under innocent keys are caught by shape or by registration
    logger.info('raw values', { note: `the key is ${API_KEY}`, body: `{"userName":"t","apiKey":"${API_KEY}"}`, other: JWT });
    logger.warn(`request https://api.example.com/hubs/user?access_token=${JWT}&x=1 failed`);
    logger.warn(`header was Bearer abc.def-ghi_jkl and password ${PASSWORD}`);
    logger.error('errors too', { err });
    logger.error('error as fields', err);
    logger.child({ credentials: { passphrase: PASSWORD } }).info('child binding');

    const everything = fileText() + terminal();
    for (const secret of [API_KEY, JWT, PASSWORD, 'abc.def-ghi_jkl', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9']) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).toContain('[redacted]');
    // The non-secret parts survive so the log is still useful.
    expect(everything).toContain('userName');
    expect(everything).toContain('login failed for key [redacted]');
    expect(everything).toContain('access_token=[redacted]&x=1');
  });

  it('registered secrets are scrubbed from messages and keys', () => {
    const { logger, fileText, terminal } = setup();
    logger.addSecret('zq-private-9931');
    logger.info('msg zq-private-9931', { ['k-zq-private-9931']: 1, plain: 'x zq-private-9931 y' });
    const out = fileText() + terminal();
    expect(out).not.toContain('zq-private-9931');
    expect(out).toContain('x [redacted] y');
  });

  it('scrubs header lines and URL credentials inside free text', () => {
    const { logger, fileText, terminal } = setup();
    logger.info('raw request', { dump: 'POST /api/Auth/loginKey\r\nAuthorization: Basic dXNlcjpwYXNz\r\nHost: x' });
    logger.info('proxy https://trader:s3cr3tpw@proxy.example.com:8080/ used');
    const out = fileText() + terminal();
    expect(out).not.toContain('dXNlcjpwYXNz');
    expect(out).not.toContain('s3cr3tpw');
    expect(out).toContain('Host: x');
    expect(out).toContain('https://[redacted]@proxy.example.com:8080/');
  });

  it('ignores very short registered secrets instead of mangling every line', () => {
    const { logger, lines } = setup({ secrets: ['a', ''] });
    logger.info('a normal message');
    expect(lines()[0]!.msg).toBe('a normal message');
  });
});
