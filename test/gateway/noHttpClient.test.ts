// Hubs connect with skipNegotiation over WebSockets: SignalR's default HTTP client (and the cookie/public-suffix
// libraries it loads, ~0.1 s of every start) must not be built.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { HubClient } from '../../src/gateway/hubs.ts';
import { NoHttpClient } from '../../src/gateway/noHttpClient.ts';

describe('NoHttpClient', () => {
  it('building the hub clients loads no cookie jar (tough-cookie, fetch-cookie, psl)', () => {
    const client = new HubClient({
      userHubUrl: 'http://127.0.0.1:9/hubs/user',
      marketHubUrl: 'http://127.0.0.1:9/hubs/market',
      tokens: { current: () => 'jwt', relogin: async () => 'jwt' },
      onEvent: () => {},
    });
    expect(client.status().user.state).toBe('disconnected');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.some((f) => f.includes('/@microsoft/signalr/'))).toBe(true);
    expect(loaded.filter((f) => /\/(tough-cookie|fetch-cookie|psl)\//.test(f))).toEqual([]);
  });

  it('refuses any HTTP request with a message naming it, and has no cookies', async () => {
    const c = new NoHttpClient();
    await expect(c.post('http://127.0.0.1:9/hubs/user/negotiate')).rejects.toThrow('SignalR HTTP request not supported (hubs use skipNegotiation + WebSockets): POST http://127.0.0.1:9/hubs/user/negotiate');
    expect(c.getCookieString()).toBe('');
  });
});
