// REST surface of the simulator: auth, envelopes, per-endpoint error codes, rate limit, token expiry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { login, MNQ, post, PRAC } from './helpers.ts';

let sim: Simulator;
let clock = 1_763_735_702_156;
beforeEach(async () => {
  clock = 1_763_735_702_156;
  sim = await startSimulator({ seed: 3, now: () => clock, rateLimit: { max: 20, windowMs: 60_000 } });
});
afterEach(async () => sim.close());

describe('auth', () => {
  it('logs in with the API key and returns a JWT whose payload carries exp', async () => {
    const r = await post(sim, '/api/Auth/loginKey', sim.credentials);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, errorCode: 0, errorMessage: null });
    const parts = String(r.body.token).split('.');
    expect(parts).toHaveLength(3);
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString());
    expect(payload.exp).toBe(Math.floor((clock + 24 * 3600_000) / 1000));
  });

  it('user name is case-insensitive', async () => {
    const r = await post(sim, '/api/Auth/loginKey', { ...sim.credentials, userName: sim.credentials.userName.toUpperCase() });
    expect(r.body.success).toBe(true);
  });

  it('bad credentials are HTTP 200 with success:false and errorCode 3', async () => {
    const r = await post(sim, '/api/Auth/loginKey', { userName: sim.credentials.userName, apiKey: 'wrong' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ token: null, success: false, errorCode: 3, errorMessage: null });
  });

  it('a body missing apiKey is HTTP 400 naming the field', async () => {
    const r = await post(sim, '/api/Auth/loginKey', { userName: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toHaveProperty('ApiKey');
  });

  it('calls without, with unknown, or with expired tokens get 401 and no body', async () => {
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true })).status).toBe(401);
    const bad = await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, 'a.b.c');
    expect(bad.status).toBe(401);
    expect(bad.body).toBeNull();
    const token = await login(sim);
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token)).status).toBe(200);
    sim.control.expireTokens();
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token)).status).toBe(401);
  });

  it('tokens expire after the configured TTL on the injected clock', async () => {
    const token = await login(sim);
    clock += 24 * 3600_000 - 1;
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token)).status).toBe(200);
    clock += 1;
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token)).status).toBe(401);
  });

  it('validate returns a new working token; an expired one gets errorCode 3; unknown gets 401', async () => {
    const token = await login(sim);
    const v = await post(sim, '/api/Auth/validate', undefined, token);
    expect(v.body).toMatchObject({ success: true, errorCode: 0 });
    expect(v.body.newToken).not.toBe(token);
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, v.body.newToken)).status).toBe(200);
    sim.control.expireTokens();
    const e = await post(sim, '/api/Auth/validate', undefined, token);
    expect(e.body).toEqual({ newToken: null, success: false, errorCode: 3, errorMessage: null });
    expect((await post(sim, '/api/Auth/validate', undefined, 'nope')).status).toBe(401);
  });

  it('logout revokes only that token', async () => {
    const a = await login(sim);
    const b = await login(sim);
    expect((await post(sim, '/api/Auth/logout', undefined, a)).body.success).toBe(true);
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, a)).status).toBe(401);
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, b)).status).toBe(200);
  });

  it('never logs secrets in the request log', async () => {
    await login(sim);
    const text = JSON.stringify(sim.requests.entries);
    expect(text).not.toContain(sim.credentials.apiKey);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});

describe('accounts and contracts', () => {
  it('Account/search returns the six-field model for practice and live accounts', async () => {
    const token = await login(sim);
    const r = await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token);
    expect(r.body.success).toBe(true);
    expect(r.body.accounts).toEqual([
      { id: 13572468, name: 'PRAC-V2-000000-13572468', balance: 50000, canTrade: true, isVisible: true, simulated: true },
      { id: 13572501, name: 'LIVE-000000-13572501', balance: 50000, canTrade: true, isVisible: true, simulated: false },
    ]);
  });

  it('contracts use the gateway roots and real tick facts', async () => {
    const token = await login(sim);
    const all = (await post(sim, '/api/Contract/available', { live: false }, token)).body.contracts as any[];
    const ids = all.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['CON.F.US.MNQ.Z26', 'CON.F.US.EP.Z26', 'CON.F.US.ENQ.Z26', 'CON.F.US.GCE.Z26', 'CON.F.US.CLE.F27', 'CON.F.US.MCLE.F27']));
    const es = all.find((c) => c.id === 'CON.F.US.EP.Z26');
    expect(es).toEqual({ id: 'CON.F.US.EP.Z26', name: 'ESZ6', description: 'E-Mini S&P 500: December 2026', tickSize: 0.25, tickValue: 12.5, activeContract: true, symbolId: 'F.US.EP' });
    const byId = await post(sim, '/api/Contract/searchById', { contractId: 'CON.F.US.MNQ.U26' }, token);
    expect(byId.body.contract).toMatchObject({ name: 'MNQU6', activeContract: false, tickSize: 0.25, tickValue: 0.5 });
    const missing = await post(sim, '/api/Contract/searchById', { contractId: 'CON.F.US.XXX.Z26' }, token);
    expect(missing.body).toEqual({ contract: null, success: false, errorCode: 1, errorMessage: null });
    expect((await post(sim, '/api/Contract/search', { live: true, searchText: 'NQ' }, token)).body).toMatchObject({ success: true, contracts: [] });
    const search = await post(sim, '/api/Contract/search', { live: false, searchText: 'NQ' }, token);
    expect((search.body.contracts as any[]).map((c) => c.id)).toEqual(expect.arrayContaining([MNQ, 'CON.F.US.ENQ.Z26']));
  });

  it('GET /api/Status/ping answers "pong"', async () => {
    const r = await fetch(`${sim.url}/api/Status/ping`);
    expect(await r.json()).toBe('pong');
  });

  it('unknown accounts get the endpoint-specific AccountNotFound code', async () => {
    const token = await login(sim);
    expect((await post(sim, '/api/Position/searchOpen', { accountId: 1 }, token)).body).toMatchObject({ success: false, errorCode: 1 });
    expect((await post(sim, '/api/Position/closeContract', { accountId: 1, contractId: MNQ }, token)).body).toMatchObject({ success: false, errorCode: 1 });
    expect((await post(sim, '/api/Order/searchOpen', { accountId: PRAC }, token)).body).toMatchObject({ success: true, orders: [] });
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once the sliding window is full, and recovers as it slides', async () => {
    const token = await login(sim); // 1 call on the ip key, not the token
    for (let i = 0; i < 20; i++) {
      clock += 1000;
      expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token)).status).toBe(200);
    }
    const limited = await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(41); // oldest hit at +1 s leaves the window at +61 s
    clock += 41_000; // the first hit slides out
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token)).status).toBe(200);
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token)).status).toBe(429);
    expect(sim.requests.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it('budgets are per token', async () => {
    const a = await login(sim);
    const b = await login(sim);
    for (let i = 0; i < 20; i++) await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, a);
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, a)).status).toBe(429);
    expect((await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, b)).status).toBe(200);
  });
});

describe('request log', () => {
  it('records path, body, status and timing, and waitForRequest resolves on a matching call', async () => {
    const token = await login(sim);
    const waiting = sim.requests.waitForRequest((r) => r.path === '/api/Position/closeContract', 2000);
    await post(sim, '/api/Position/closeContract', { accountId: PRAC, contractId: MNQ }, token);
    const r = await waiting;
    expect(r.body).toEqual({ accountId: PRAC, contractId: MNQ });
    expect(r.status).toBe(200);
    expect(r.response).toEqual({ success: false, errorCode: 2, errorMessage: null });
    expect(r.doneAt).toBeGreaterThanOrEqual(r.at);
    expect(typeof r.wallAt).toBe('number');
    // past entries are found too, and afterSeq skips them
    await expect(sim.requests.waitForRequest((x) => x.path === '/api/Auth/loginKey', 50)).resolves.toMatchObject({ seq: 1 });
    await expect(sim.requests.waitForRequest((x) => x.path === '/api/Auth/loginKey', 50, { afterSeq: sim.requests.lastSeq() })).rejects.toThrow(/no matching/);
  });

  it('trader actions are not in the REST log', async () => {
    sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: 2, side: 0, size: 1 });
    expect(sim.requests.entries).toHaveLength(0);
    expect(sim.state.positions(PRAC)).toHaveLength(1);
  });
});

describe('History/retrieveBars', () => {
  const req = (o: Record<string, unknown> = {}) => ({
    contractId: MNQ, live: false, startTime: '2025-11-21T10:00:00Z', endTime: '2025-11-21T14:00:00Z', unit: 3, unitNumber: 1, limit: 3, includePartialBar: false, ...o,
  });

  it('returns bars newest first on the tick grid; limit keeps the most recent; error codes per field', async () => {
    const token = await login(sim);
    const r = await post(sim, '/api/History/retrieveBars', req(), token);
    expect(r.body.success).toBe(true);
    const bars = r.body.bars as any[];
    expect(bars.map((b) => b.t)).toEqual(['2025-11-21T13:00:00+00:00', '2025-11-21T12:00:00+00:00', '2025-11-21T11:00:00+00:00']);
    for (const b of bars) {
      expect(b.h).toBeGreaterThanOrEqual(Math.max(b.o, b.c));
      expect(b.l).toBeLessThanOrEqual(Math.min(b.o, b.c));
      expect((b.o / 0.25) % 1).toBe(0);
    }
    expect((await post(sim, '/api/History/retrieveBars', req(), token)).body).toEqual(r.body); // deterministic
    expect((await post(sim, '/api/History/retrieveBars', req({ contractId: 'CON.F.US.NOPE.Z26' }), token)).body).toEqual({ bars: null, success: false, errorCode: 1, errorMessage: null });
    expect((await post(sim, '/api/History/retrieveBars', req({ unit: 9 }), token)).body.errorCode).toBe(2);
    expect((await post(sim, '/api/History/retrieveBars', req({ unitNumber: 0 }), token)).body.errorCode).toBe(3);
    expect((await post(sim, '/api/History/retrieveBars', req({ limit: 20_001 }), token)).body.errorCode).toBe(4);
  });

  it('has its own 50 / 30 s budget', async () => {
    const token = await login(sim);
    for (let i = 0; i < 50; i++) expect((await post(sim, '/api/History/retrieveBars', req({ limit: 1 }), token)).status).toBe(200);
    expect((await post(sim, '/api/History/retrieveBars', req({ limit: 1 }), token)).status).toBe(429);
    expect((await post(sim, '/api/Contract/available', { live: false }, token)).status).toBe(200);
    clock += 30_000;
    expect((await post(sim, '/api/History/retrieveBars', req({ limit: 1 }), token)).status).toBe(200);
  });
});

describe('request binding', () => {
  it('body endpoints need a JSON content type (415) and a body (400); validate/logout need neither', async () => {
    const token = await login(sim);
    const auth = { authorization: `Bearer ${token}` };
    const noType = await fetch(`${sim.url}/api/Account/search`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: '{"onlyActiveAccounts":true}' });
    expect(noType.status).toBe(415);
    const empty = await fetch(`${sim.url}/api/Account/search`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    const bad = await fetch(`${sim.url}/api/Account/search`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    const wrongType = await post(sim, '/api/Position/searchOpen', { accountId: 'abc' }, token);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors).toHaveProperty('AccountId');
    const validate = await fetch(`${sim.url}/api/Auth/validate`, { method: 'POST', headers: auth });
    expect(validate.status).toBe(200);
    expect((await fetch(`${sim.url}/api/Account/search`, { method: 'GET', headers: auth })).status).toBe(405);
    expect((await post(sim, '/api/Nope/nothing', {}, token)).status).toBe(404);
  });
});

describe('request log bound', () => {
  it('keeps only the newest entries when requestLogLimit is set, with seq still counting', async () => {
    const s = await startSimulator({ requestLogLimit: 3 });
    try {
      for (let i = 0; i < 5; i++) await fetch(`${s.url}/api/Status/ping`);
      expect(s.requests.entries.map((r) => r.seq)).toEqual([3, 4, 5]);
    } finally {
      await s.close();
    }
  });
});
