import { describe, expect, it } from 'vitest';
import { ProjectXRest } from '../../src/gateway/rest.ts';
import { AuthError, ENDPOINT_ERROR_CODES, GatewayError, GatewayHttpError, GatewayProtocolError, GatewayTimeoutError, RateLimitedError, errorCodeName } from '../../src/gateway/errors.ts';
import { RateBudget } from '../../src/gateway/rateBudget.ts';
import { P } from './fixtures/payloads.ts';
import { envelopeOk, fakeFetch, StaticTokens, type Handler } from './fakeGateway.ts';

function client(handler: Handler, extra: Partial<ConstructorParameters<typeof ProjectXRest>[0]> = {}) {
  const f = fakeFetch(handler);
  const tokens = new StaticTokens();
  const sleeps: number[] = [];
  const rest = new ProjectXRest({
    baseUrl: 'http://gw.test', tokens, fetch: f.fetch, timeoutMs: 30, sleep: async (ms) => { sleeps.push(ms); }, ...extra,
  });
  return { rest, calls: f.calls, tokens, sleeps };
}

const PLACE = { accountId: 1, contractId: 'CON.F.US.MNQ.Z25', type: 2 as const, side: 0 as const, size: 1 };

describe('error code tables', () => {
  it('name the same integer differently per endpoint', () => {
    expect(errorCodeName('/api/Order/place', 2)).toBe('OrderRejected');
    expect(errorCodeName('/api/Order/cancel', 2)).toBe('OrderNotFound');
    expect(errorCodeName('/api/Position/closeContract', 2)).toBe('PositionNotFound');
    expect(errorCodeName('/api/Auth/validate', 2)).toBe('SessionNotFound');
    expect(errorCodeName('/api/Position/partialCloseContract', 5)).toBe('InvalidCloseSize');
    expect(errorCodeName('/api/Position/closeContract', 5)).toBe('OrderRejected');
    expect(errorCodeName('/api/Auth/loginKey', 9)).toBe('ApiSubscriptionNotFound');
    expect(errorCodeName('/api/Order/modify', 7)).toBe('ContractNotFound');
    expect(errorCodeName('/api/Order/cancel', 99)).toBe('Unknown(99)');
    for (const table of Object.values(ENDPOINT_ERROR_CODES)) expect(table[0]).toBe('Success');
  });

  it.each([
    ['cancel on a live account', '/api/Order/cancel', P.cancelLiveRefused, 'AccountRejected', (r: ProjectXRest) => r.cancelOrder(1, 2)],
    ['close without a position', '/api/Position/closeContract', P.closeNoPosition, 'PositionNotFound', (r: ProjectXRest) => r.closeContract(1, 'C')],
    ['partial close too big', '/api/Position/partialCloseContract', P.partialCloseInvalidSize, 'InvalidCloseSize', (r: ProjectXRest) => r.partialCloseContract(1, 'C', 3)],
    ['partial close market closed', '/api/Position/partialCloseContract', P.partialCloseMarketClosed, 'OrderRejected', (r: ProjectXRest) => r.partialCloseContract(1, 'C', 1)],
    ['contract not found', '/api/Contract/searchById', P.contractByIdNotFound, 'ContractNotFound', (r: ProjectXRest) => r.contractById('X')],
    ['modify unknown order', '/api/Order/modify', { success: false, errorCode: 2, errorMessage: null }, 'OrderNotFound', (r: ProjectXRest) => r.modifyOrder({ accountId: 1, orderId: 5, stopPrice: 1 })],
  ])('%s -> GatewayError with the endpoint name', async (_n, path, body, codeName, call) => {
    const { rest } = client((c) => (c.path === path ? { body } : undefined));
    const err = await call(rest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ endpoint: path, codeName, ambiguous: false, httpStatus: 200 });
  });
});

describe('ProjectXRest', () => {
  it('sends typed requests with the Bearer header and parses the response', async () => {
    const { rest, calls } = client(() => ({ body: P.accountSearch }));
    const accts = await rest.searchAccounts(true);
    expect(accts.map((a) => a.id)).toEqual([13572468, 13572499]);
    expect(calls[0]).toEqual({ path: '/api/Account/search', body: { onlyActiveAccounts: true }, authorization: 'Bearer tok-1' });
  });

  it('sends timestamps as ISO strings and null end', async () => {
    const { rest, calls } = client(() => ({ body: P.tradeSearch }));
    await rest.searchTrades(7, Date.UTC(2025, 10, 20, 23));
    expect(calls[0]!.body).toEqual({ accountId: 7, startTimestamp: '2025-11-20T23:00:00.000Z', endTimestamp: null });
  });

  it('placeOrder returns the id; success:false throws GatewayError carrying the rejected orderId', async () => {
    let reply: unknown = P.placeOk;
    const { rest } = client(() => ({ body: reply }));
    expect(await rest.placeOrder(PLACE)).toBe(3470001001);
    reply = P.placeBracketModeRejected;
    const err = await rest.placeOrder(PLACE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ orderId: 9057, codeName: 'OrderRejected', gatewayMessage: 'Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.' });
  });

  it('401 -> exactly one re-login, one retry (also for a mutation: 401 proves nothing ran)', async () => {
    const { rest, calls, tokens } = client((c) => (c.authorization === 'Bearer tok-1' ? { status: 401 } : { body: envelopeOk() }));
    await rest.closeContract(1, 'C');
    expect(tokens.logins).toBe(1);
    expect(calls.map((c) => c.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('401 twice -> AuthError, no third attempt', async () => {
    const { rest, calls, tokens } = client(() => ({ status: 401 }));
    await expect(rest.searchOpenPositions(1)).rejects.toBeInstanceOf(AuthError);
    expect(tokens.logins).toBe(1);
    expect(calls).toHaveLength(2);
  });

  it('429 on a read backs off (Retry-After) and retries', async () => {
    const budget = new RateBudget();
    const { rest, calls, sleeps } = client((_c, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '0.05' } } : { body: P.positionSearchOpen }), { budget });
    expect(await rest.searchOpenPositions(1)).toHaveLength(1);
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([50]);
    expect(budget.stats().rateLimitedResponses).toBe(1);
  });

  it('429 on a mutation is NOT retried', async () => {
    const { rest, calls } = client(() => ({ status: 429 }));
    const err = await rest.cancelOrder(1, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ ambiguous: false });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['closeContract', (r: ProjectXRest) => r.closeContract(1, 'C')],
    ['partialCloseContract', (r: ProjectXRest) => r.partialCloseContract(1, 'C', 1)],
    ['cancelOrder', (r: ProjectXRest) => r.cancelOrder(1, 2)],
    ['placeOrder', (r: ProjectXRest) => r.placeOrder(PLACE)],
    ['modifyOrder', (r: ProjectXRest) => r.modifyOrder({ accountId: 1, orderId: 2, size: 1 })],
  ])('mutation %s: a timeout is ambiguous and never retried', async (_n, call) => {
    const { rest, calls } = client(() => 'hang');
    const err = await call(rest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayTimeoutError);
    expect(err).toMatchObject({ ambiguous: true });
    expect(calls).toHaveLength(1);
  });

  it('mutation: a 5xx is ambiguous and never retried; a 400 is not ambiguous', async () => {
    let status = 502;
    const { rest, calls } = client(() => ({ status, body: { title: 'Bad Gateway' } }));
    await expect(rest.closeContract(1, 'C')).rejects.toMatchObject({ name: 'GatewayHttpError', ambiguous: true, httpStatus: 502 });
    expect(calls).toHaveLength(1);
    status = 400;
    await expect(rest.closeContract(1, 'C')).rejects.toMatchObject({ ambiguous: false, httpStatus: 400 });
  });

  it('mutation: an unreadable 200 body is ambiguous', async () => {
    const { rest } = client(() => ({ body: { hello: 'world' } }));
    await expect(rest.cancelOrder(1, 2)).rejects.toMatchObject({ name: 'GatewayProtocolError', ambiguous: true });
  });

  it('reads retry timeouts and 5xx, then give up with a non-ambiguous error', async () => {
    const { rest, calls, sleeps } = client(() => 'hang', { readRetryDelaysMs: [1, 2] });
    const err = await rest.searchAccounts(true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayTimeoutError);
    expect(err).toMatchObject({ ambiguous: false });
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([1, 2]);
  });

  it('reads an enforcement waits on back off on the short ladder (200 ms, 500 ms, 1 s, 2 s); others on the long one', async () => {
    const enforce = client(() => ({ status: 503 }));
    await expect(enforce.rest.searchOpenPositions(1, { priority: 'enforce' })).rejects.toBeInstanceOf(GatewayHttpError);
    expect(enforce.sleeps).toEqual([200, 500, 1_000, 2_000]);
    const reconcile = client(() => ({ status: 503 }));
    await expect(reconcile.rest.searchOpenPositions(1, { priority: 'reconcile' })).rejects.toBeInstanceOf(GatewayHttpError);
    expect(reconcile.sleeps).toEqual([1_000, 5_000, 15_000]);
  });

  it('a malformed read response is a GatewayProtocolError and reported as a parse failure', async () => {
    const failures: string[] = [];
    const { rest } = client(() => ({ body: { ...P.positionSearchOpen, positions: [{ id: 1 }] } }), { onParseFailure: (f) => failures.push(f.event) });
    await expect(rest.searchOpenPositions(1)).rejects.toBeInstanceOf(GatewayProtocolError);
    expect(failures).toEqual(['/api/Position/searchOpen']);
  });

  it('queryWorkingOrders uses v2/query with statuses [1,6,7,8] and pages through', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ ...P.orderV2Query.orders[0], id: 100 + i }));
    const { rest, calls } = client((c) => {
      const b = c.body as { pageSize: number; pageOffset: number };
      return { body: envelopeOk({ orders: all.slice(b.pageOffset, b.pageOffset + b.pageSize), totalCount: all.length }) };
    }, { pageSize: 2 });
    const orders = await rest.queryWorkingOrders(13572468);
    expect(orders.map((o) => o.id)).toEqual([100, 101, 102, 103, 104]);
    expect(calls).toHaveLength(3);
    expect(calls[0]!.body).toMatchObject({ filter: { accountId: 13572468, statuses: [1, 6, 7, 8] }, pageOffset: 0 });
  });

  it('v2/query paging also works when pageOffset is a page index', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ ...P.orderV2Query.orders[0], id: 100 + i }));
    const { rest } = client((c) => {
      const b = c.body as { pageSize: number; pageOffset: number };
      return { body: envelopeOk({ orders: all.slice(b.pageOffset * b.pageSize, (b.pageOffset + 1) * b.pageSize), totalCount: all.length }) };
    }, { pageSize: 2 });
    expect((await rest.queryWorkingOrders(1)).map((o) => o.id).sort()).toEqual([100, 101, 102, 103, 104]);
  });

  it.each([404, 405, 400])('falls back to Order/searchOpen when v2/query answers %i, and remembers', async (status) => {
    const { rest, calls } = client((c) => (c.path === '/api/Order/v2/query' ? { status, body: P.orderV2Query400 } : { body: P.orderSearchOpen }));
    expect(await rest.queryWorkingOrders(1)).toHaveLength(2);
    expect(await rest.queryWorkingOrders(1)).toHaveLength(2);
    expect(calls.map((c) => c.path)).toEqual(['/api/Order/v2/query', '/api/Order/searchOpen', '/api/Order/searchOpen']);
    expect(rest.usesSearchOpenFallback).toBe(true);
  });

  it('a 5xx on v2/query is not mistaken for a missing endpoint', async () => {
    const { rest } = client(() => ({ status: 503 }), { readRetryDelaysMs: [] });
    await expect(rest.queryWorkingOrders(1)).rejects.toBeInstanceOf(GatewayHttpError);
    expect(rest.usesSearchOpenFallback).toBe(false);
  });

  it('never puts the token in URLs or error messages', async () => {
    const { rest, calls } = client(() => ({ status: 401 }));
    const err = (await rest.searchAccounts(true).catch((e: unknown) => e)) as Error;
    expect(err.message).not.toMatch(/tok-/);
    for (const c of calls) expect(c.path).not.toMatch(/tok-|access_token/);
  });
});
