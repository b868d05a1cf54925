import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenManager } from '../../src/gateway/auth.ts';
import { AuthError } from '../../src/gateway/errors.ts';
import { P } from './fixtures/payloads.ts';
import { envelopeOk, fakeFetch, makeJwt, type Handler } from './fakeGateway.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2025, 10, 21, 12);

beforeEach(() => vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
afterEach(() => vi.useRealTimers());

function manager(handler: Handler, extra: Partial<ConstructorParameters<typeof TokenManager>[0]> = {}) {
  const f = fakeFetch(handler);
  const tm = new TokenManager({ baseUrl: 'http://gw.test', userName: 'trader', apiKey: 'secret-key', fetch: f.fetch, timeoutMs: 50, ...extra });
  return { tm, calls: f.calls };
}

describe('TokenManager', () => {
  it('logs in with the key, decodes exp, and serves current()', async () => {
    const jwt = makeJwt(NOW + 24 * HOUR);
    const { tm, calls } = manager(() => ({ body: { ...envelopeOk(), token: jwt } }));
    expect(() => tm.current()).toThrow(AuthError);
    await tm.login();
    expect(tm.current()).toBe(jwt);
    expect(tm.tokenInfo()).toEqual({ obtainedAt: NOW, expiresAt: NOW + 24 * HOUR });
    expect(calls[0]).toMatchObject({ path: '/api/Auth/loginKey', body: { userName: 'trader', apiKey: 'secret-key' }, authorization: null });
    expect(tm.msUntilRefresh()).toBe(12 * HOUR); // half of 24 h is earlier than 1 h before expiry
    tm.stop();
  });

  it('refresh time is 1 h before expiry when that is earlier than half the lifetime', async () => {
    const { tm } = manager(() => ({ body: { ...envelopeOk(), token: makeJwt(NOW + 90 * 60_000) } }));
    await tm.login();
    expect(tm.msUntilRefresh()).toBe(30 * 60_000);
    tm.stop();
  });

  it('validates on its own timer, swaps in newToken, and keeps refreshing', async () => {
    let n = 0;
    const { tm, calls } = manager((c) => {
      if (c.path === '/api/Auth/loginKey') return { body: { ...envelopeOk(), token: makeJwt(Date.now() + 24 * HOUR, 'login') } };
      n++;
      return { body: { ...envelopeOk(), newToken: makeJwt(Date.now() + 24 * HOUR, `v${n}`) } };
    });
    const seen: number[] = [];
    tm.onToken((i) => seen.push(i.expiresAt));
    const first = await tm.login();
    await vi.advanceTimersByTimeAsync(12 * HOUR - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[1]).toMatchObject({ path: '/api/Auth/validate', authorization: `Bearer ${first}` });
    expect(tm.current()).not.toBe(first);
    await vi.advanceTimersByTimeAsync(12 * HOUR);
    expect(calls.map((c) => c.path)).toEqual(['/api/Auth/loginKey', '/api/Auth/validate', '/api/Auth/validate']);
    expect(seen).toHaveLength(3);
    tm.stop();
  });

  it.each([
    ['validate refused', (): ReturnType<Handler> => ({ body: P.validateExpired })],
    ['validate 500', (): ReturnType<Handler> => ({ status: 500 })],
    ['validate times out', (): ReturnType<Handler> => 'hang'],
  ])('on any doubt (%s) falls back to a fresh loginKey', async (_n, validateReply) => {
    vi.useRealTimers(); // AbortSignal.timeout runs on real timers
    let logins = 0;
    const { tm, calls } = manager((c) => {
      if (c.path === '/api/Auth/validate') return validateReply();
      logins++;
      return { body: { ...envelopeOk(), token: makeJwt(Date.now() + 24 * HOUR, `l${logins}`) } };
    }, { autoRefresh: false });
    const first = await tm.login();
    const next = await tm.refresh();
    expect(next).not.toBe(first);
    expect(calls.map((c) => c.path)).toEqual(['/api/Auth/loginKey', '/api/Auth/validate', '/api/Auth/loginKey']);
  });

  it.each([
    [P.loginBadCredentials, /InvalidCredentials.*check the user name and API key/, true],
    [P.loginAgreements, /AgreementsNotSigned.*accept the required agreements.*gateway says/, true],
    [P.loginNoSubscription, /API subscription not found/, true],
    [{ token: null, success: false, errorCode: 8, errorMessage: null }, /UnknownError/, false],
  ])('maps login failures to clear messages (%#)', async (body, message, fatal) => {
    const { tm } = manager(() => ({ body }));
    const err = (await tm.login().catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(message);
    expect(err.fatal).toBe(fatal);
    expect(err.message).not.toContain('secret-key');
  });

  it('HTTP 400 on login (missing key) is fatal with a config hint', async () => {
    const { tm } = manager(() => ({ status: 400, body: P.loginMissingKey400 }));
    await expect(tm.login()).rejects.toMatchObject({ fatal: true, message: expect.stringMatching(/missing in the configuration/) });
  });

  it('concurrent relogins after a 401 share one loginKey; a relogin for an already-replaced token is free', async () => {
    let logins = 0;
    const { tm, calls } = manager(() => {
      logins++;
      return { body: { ...envelopeOk(), token: makeJwt(Date.now() + HOUR, `l${logins}`) } };
    });
    const stale = await tm.login();
    const [a, b] = await Promise.all([tm.relogin(stale), tm.relogin(stale)]);
    expect(a).toBe(b);
    expect(await tm.relogin(stale)).toBe(a);
    expect(calls).toHaveLength(2);
    tm.stop();
  });

  it('a failed scheduled refresh retries later; stop() cancels the timer', async () => {
    let fail = true;
    const { tm, calls } = manager((c) => {
      if (c.path === '/api/Auth/loginKey' && calls.length === 1) return { body: { ...envelopeOk(), token: makeJwt(Date.now() + 2 * HOUR, 'a') } };
      if (fail) return { status: 503 };
      return c.path === '/api/Auth/validate' ? { body: { ...envelopeOk(), newToken: makeJwt(Date.now() + 2 * HOUR, 'b') } } : undefined;
    }, { retryDelaysMs: [1_000] });
    await tm.login();
    await vi.advanceTimersByTimeAsync(HOUR); // due: validate 503 -> loginKey 503 -> retry in 1 s
    expect(calls.map((c) => c.path)).toEqual(['/api/Auth/loginKey', '/api/Auth/validate', '/api/Auth/loginKey']);
    fail = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.at(-1)!.path).toBe('/api/Auth/validate');
    tm.stop();
    await vi.advanceTimersByTimeAsync(10 * HOUR);
    expect(calls).toHaveLength(4);
  });

  it('ensure() logs in again when the token has expired', async () => {
    let n = 0;
    const { tm, calls } = manager(() => ({ body: { ...envelopeOk(), token: makeJwt(Date.now() + HOUR, `t${++n}`) } }), { autoRefresh: false });
    const a = await tm.ensure();
    expect(await tm.ensure()).toBe(a);
    vi.setSystemTime(NOW + 2 * HOUR);
    expect(await tm.ensure()).not.toBe(a);
    expect(calls).toHaveLength(2);
  });
});
