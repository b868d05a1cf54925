// A request that never reaches the gateway says which host it tried (a typo in api_url shows at once), and
// never the token.
import { describe, expect, it } from 'vitest';
import { postJson, transportFor } from '../../src/gateway/http.ts';
import { RateBudget } from '../../src/gateway/rateBudget.ts';

describe('network errors', () => {
  it('name the host, not the token', async () => {
    const failing = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) });
    }) as typeof fetch;
    const deps = { baseUrl: 'https://api.topstepx.cmo', transport: transportFor({ fetch: failing }), budget: new RateBudget() };
    const err = await postJson(deps, '/api/Auth/loginKey', {}, { token: 'SECRET-TOKEN', timeoutMs: 1000, priority: 'reconcile', mutation: false }).catch((e: Error) => e);
    expect(String(err)).toContain('network error (ENOTFOUND reaching api.topstepx.cmo)');
    expect(String(err)).not.toContain('SECRET-TOKEN');
  });
});
