import { describe, expect, it } from 'vitest';
import { P } from './fixtures/payloads.ts';
import { parseGatewayInstant } from '../../src/gateway/parse/timestamp.ts';
import { parseQuoteEvent, parseUserHubEvent } from '../../src/gateway/parse/hubEvents.ts';
import {
  parseAccountsResponse, parseBarsResponse, parseContractResponse, parseContractsResponse, parseOrderIdResponse,
  parseOrdersPageResponse, parseOrdersResponse, parsePositionsResponse, parseTokenResponse, parseTradesResponse,
} from '../../src/gateway/parse/responses.ts';
import { parseRestEnvelope } from '../../src/gateway/parse/envelope.ts';
import { readDepthRows, readMarketTrades } from '../../src/gateway/parse/market.ts';
import { redactedSample } from '../../src/gateway/parse/failure.ts';
import type { GatewayEvent } from '../../src/gateway/models.ts';

const T0 = 1_700_000_000_000;
function ok<T>(r: { ok: true; value: T } | { ok: false; failure: { reason: string } }): T {
  if (!r.ok) throw new Error(`expected ok, got failure: ${r.failure.reason}`);
  return r.value;
}

describe('gateway timestamps', () => {
  it('parses 7 fractional digits exactly, keeping the sub-ms remainder as ticks', () => {
    expect(parseGatewayInstant('2025-11-21T20:49:25.3938333+00:00')).toEqual({ ms: Date.UTC(2025, 10, 21, 20, 49, 25, 393), ticks: 8333 });
    expect(parseGatewayInstant('2025-11-21T14:35:02.1648811+00:00')!.ticks).toBe(8811);
  });
  it('orders two events inside one millisecond by ticks', () => {
    const a = parseGatewayInstant('2025-11-21T14:41:10.3017513+00:00')!;
    const b = parseGatewayInstant('2025-11-21T14:41:10.3017999+00:00')!;
    expect(a.ms).toBe(b.ms);
    expect(a.ticks).toBeLessThan(b.ticks);
  });
  it('handles 5-6 digit REST fractions, Z, other offsets and offset-less (= UTC)', () => {
    expect(parseGatewayInstant('2025-11-21T14:35:02.15673+00:00')).toEqual({ ms: Date.UTC(2025, 10, 21, 14, 35, 2, 156), ticks: 7300 });
    expect(parseGatewayInstant('2024-07-21T13:45:00Z')!.ms).toBe(Date.UTC(2024, 6, 21, 13, 45));
    expect(parseGatewayInstant('2024-07-21T08:45:00-05:00')!.ms).toBe(Date.UTC(2024, 6, 21, 13, 45));
    expect(parseGatewayInstant('2024-07-21T19:15:00+0530')!.ms).toBe(Date.UTC(2024, 6, 21, 13, 45));
    expect(parseGatewayInstant('2024-07-21T13:45:00.5')!.ms).toBe(Date.UTC(2024, 6, 21, 13, 45, 0, 500));
    expect(parseGatewayInstant('2026-08-19T20:51:31.348+00:00')).toEqual({ ms: Date.UTC(2026, 7, 19, 20, 51, 31, 348), ticks: 0 });
  });
  it('rejects garbage and impossible dates', () => {
    for (const s of ['', 'yesterday', '2025-02-30T00:00:00Z', '2025-13-01T00:00:00Z', '1700000000', '2025-11-21T25:00:00Z']) {
      expect(parseGatewayInstant(s), s).toBeUndefined();
    }
    expect(parseGatewayInstant('2025-11-21 14:35')!.ms).toBe(Date.UTC(2025, 10, 21, 14, 35)); // space separator tolerated
  });
});

describe('REST response parsers (every A-section payload)', () => {
  it('accounts', () => {
    const accts = ok(parseAccountsResponse(P.accountSearch));
    expect(accts).toHaveLength(2);
    expect(accts[0]).toEqual({ id: 13572468, name: 'PRAC-V2-000000-13572468', balance: 49812.4, canTrade: true, isVisible: true, simulated: true });
  });
  it('contracts, including exponent tick sizes', () => {
    expect(ok(parseContractsResponse('/api/Contract/search', P.contractSearch))).toHaveLength(3);
    const avail = ok(parseContractsResponse('/api/Contract/available', P.contractAvailable));
    expect(avail.find((c) => c.id === 'CON.F.US.JY6.U26')!.tickSize).toBe(5e-7);
    expect(avail.find((c) => c.id === 'CON.F.US.TYA.U26')!.tickSize).toBe(0.015625);
    expect(ok(parseContractResponse(P.contractById)).activeContract).toBe(false);
    expect(parseContractResponse(P.contractByIdNotFound).ok).toBe(false);
  });
  it('orders from search, searchOpen (no fillVolume), v2/query and searchById', () => {
    const hist = ok(parseOrdersResponse('/api/Order/search', P.orderSearch));
    expect(hist.map((o) => o.status)).toEqual([2, 3, 2]);
    expect(hist[2]).toMatchObject({ parentOrderId: 3470001001, linkedOrderId: 3470001002, customTag: 'rm-demo-0001-TP' });
    expect(hist[0]!.parentOrderId).toBeUndefined(); // absent stays absent
    expect(hist[0]!.limitPrice).toBeNull(); // explicit null stays null
    const open = ok(parseOrdersResponse('/api/Order/searchOpen', P.orderSearchOpen));
    expect(open[0]).toMatchObject({ status: 1, stopPrice: 25802.25, fillVolume: 0 });
    expect(open[0]!.symbolId).toBeUndefined();
    const page = ok(parseOrdersPageResponse(P.orderV2Query));
    expect(page.totalCount).toBe(1);
    expect(page.orders[0]).toMatchObject({ status: 8, trailDistance: -40, trailPrice: -10 });
    expect(page.orders[0]!.stopPrice).toBeUndefined();
  });
  it('positions, trades, bars, place orderId, tokens', () => {
    expect(ok(parsePositionsResponse(P.positionSearchOpen))[0]).toMatchObject({ type: 1, size: 2, averagePrice: 25812.25, contractDisplayName: 'MNQZ25' });
    expect(ok(parsePositionsResponse(P.positionSearchOpenFlat))).toEqual([]);
    const trades = ok(parseTradesResponse(P.tradeSearch));
    expect(trades.map((t) => t.profitAndLoss)).toEqual([80, null]);
    expect(ok(parseTradesResponse(P.tradeSearchDoc))[0]!.fees).toBe(1.4);
    const bars = ok(parseBarsResponse(P.bars));
    expect(bars[0]).toEqual({ t: Date.UTC(2024, 11, 20, 14), o: 2208.1, h: 2217, l: 2206.7, c: 2210.1, v: 87 });
    expect(ok(parseOrderIdResponse(P.placeOk))).toBe(3470001001);
    expect(ok(parseOrderIdResponse(P.placeBracketModeRejected))).toBe(9057);
    expect(ok(parseTokenResponse('/api/Auth/loginKey', P.loginOk, 'token'))).toMatch(/^eyJ/);
    expect(ok(parseTokenResponse('/api/Auth/validate', P.validateOk, 'newToken'))).toMatch(/^eyJ/);
    expect(parseTokenResponse('/api/Auth/validate', P.validateExpired, 'newToken').ok).toBe(false);
  });
  it('envelopes of failures carry the code and message', () => {
    for (const [body, code] of [[P.loginBadCredentials, 3], [P.loginAgreements, 7], [P.loginNoSubscription, 9], [P.barsBadUnit, 2], [P.placeMarketClosed, 5],
      [P.cancelLiveRefused, 6], [P.cancelFollowerRefused, 6], [P.closeNoPosition, 2], [P.partialCloseInvalidSize, 5], [P.partialCloseMarketClosed, 6]] as const) {
      const env = parseRestEnvelope(body, 'x');
      expect(env.success).toBe(false);
      expect(env.errorCode).toBe(code);
    }
    for (const body of [P.modifyOk, P.cancelOk, P.closeOk, P.logoutOk]) expect(parseRestEnvelope(body, 'x').success).toBe(true);
    expect(() => parseRestEnvelope(P.orderV2Query400, '/api/Order/v2/query')).toThrow(/success/);
    expect(() => parseRestEnvelope(P.loginMissingKey400, '/api/Auth/loginKey')).toThrow(/success/);
  });
  it('a malformed list element fails the whole response with a named field', () => {
    const bad = { ...P.orderSearch, orders: [{ ...P.orderSearch.orders[0], status: 42 }] };
    const r = parseOrdersResponse('/api/Order/search', bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.reason).toBe('/api/Order/search.orders[0].status: unknown value 42 (allowed 0,1,2,3,4,5,6,7,8)');
  });
});

describe('user hub events: envelope and bare', () => {
  const cases: [Parameters<typeof parseUserHubEvent>[0], unknown, GatewayEvent['kind'], number | undefined][] = [
    ['GatewayUserAccount', P.hubAccountEnvelope, 'account', 1],
    ['GatewayUserAccount', P.hubAccountBare, 'account', undefined],
    ['GatewayUserOrder', P.hubOrderSlSuspended, 'order', 1],
    ['GatewayUserOrder', P.hubOrderTpSuspended, 'order', 1],
    ['GatewayUserOrder', P.hubOrderEntryPending, 'order', 1],
    ['GatewayUserOrder', P.hubOrderEntryFilled, 'order', 1],
    ['GatewayUserOrder', P.hubOrderSlOpen, 'order', 1],
    ['GatewayUserOrder', P.hubOrderTpFilled, 'order', 1],
    ['GatewayUserOrder', P.hubOrderSlCancelled, 'order', 1],
    ['GatewayUserOrder', P.hubOrderRejected, 'order', 1],
    ['GatewayUserOrder', P.hubOrderBare, 'order', undefined],
    ['GatewayUserPosition', P.hubPositionOpened, 'position', 1],
    ['GatewayUserPosition', P.hubPositionScaleIn, 'position', 1],
    ['GatewayUserPosition', P.hubPositionClosed, 'position', 2],
    ['GatewayUserPosition', P.hubPositionBare, 'position', undefined],
    ['GatewayUserTrade', P.hubTradeOpening, 'trade', 0],
    ['GatewayUserTrade', P.hubTradeClosing, 'trade', 0],
    ['GatewayUserTrade', P.hubTradeLive, 'trade', 0],
    ['GatewayUserTrade', P.hubTradeBare, 'trade', undefined],
  ];
  it.each(cases)('%s %#', (target, raw, kind, action) => {
    const ev = ok(parseUserHubEvent(target, raw, T0));
    expect(ev.kind).toBe(kind);
    expect(ev.source).toBe('hub');
    expect(ev.receivedAt).toBe(T0);
    expect('action' in ev ? ev.action : undefined).toBe(action);
  });
  it('envelope and bare forms of the same entity parse to the same value', () => {
    const bare = (P.hubOrderEntryFilled as { data: unknown }).data;
    const a = ok(parseUserHubEvent('GatewayUserOrder', P.hubOrderEntryFilled, T0));
    const b = ok(parseUserHubEvent('GatewayUserOrder', bare, T0));
    expect(a.kind === 'order' && b.kind === 'order' && a.order).toEqual(b.kind === 'order' && b.order);
  });
  it('keeps sparse order fields absent and 7-digit update ticks', () => {
    const ev = ok(parseUserHubEvent('GatewayUserOrder', P.hubOrderRejected, T0));
    if (ev.kind !== 'order') throw new Error('kind');
    expect(ev.order).toEqual({
      id: 3470002001, accountId: 13572468, contractId: 'CON.F.US.MNQ.Z25', symbolId: 'F.US.MNQ',
      creationTimestamp: Date.UTC(2025, 10, 21, 20, 49, 25, 393), updateTimestamp: Date.UTC(2025, 10, 21, 20, 49, 25, 396),
      updateTicks: 2105, status: 5, type: 2, side: 1, size: 1, fillVolume: 0, customTag: 'rm-demo-0002',
    });
  });
  it('position close arrives as action 2 type 0 size 0', () => {
    const ev = ok(parseUserHubEvent('GatewayUserPosition', P.hubPositionClosed, T0));
    expect(ev).toMatchObject({ kind: 'position', action: 2, position: { type: 0, size: 0, averagePrice: 25812.25 } });
  });
  it('trades keep commissions and null P&L', () => {
    const ev = ok(parseUserHubEvent('GatewayUserTrade', P.hubTradeOpening, T0));
    expect(ev).toMatchObject({ kind: 'trade', trade: { profitAndLoss: null, fees: 0.72, commissions: 0.5, voided: false } });
  });
  it('unknown extra fields are tolerated', () => {
    const raw = { action: 1, data: { ...(P.hubPositionOpened as { data: object }).data, brandNewField: { x: 1 } }, extra: true };
    expect(parseUserHubEvent('GatewayUserPosition', raw, T0).ok).toBe(true);
  });
  it('live extra and informational fields (projectx-api.md §8.26-27) never break parsing', () => {
    const pos = (P.hubPositionOpened as { data: Record<string, unknown> }).data;
    expect(ok(parseUserHubEvent('GatewayUserPosition', { action: 1, data: pos }, T0))).toMatchObject({ position: { contractDisplayName: 'MNQZ25' } });
    // A display name or a commission of an unexpected type is dropped, the position or trade still parses.
    for (const v of [42, { x: 1 }, '', true]) {
      expect(ok(parseUserHubEvent('GatewayUserPosition', { action: 1, data: { ...pos, contractDisplayName: v } }, T0))).toMatchObject({ position: { size: 2 } });
    }
    const trade = (P.hubTradeLive as { data: Record<string, unknown> }).data;
    expect(ok(parseUserHubEvent('GatewayUserTrade', { action: 0, data: trade }, T0))).toMatchObject({ trade: { fees: 0.36, commissions: 0.25, profitAndLoss: -49 } });
    for (const v of ['n/a', { amount: 0.25 }, [0.25]]) {
      const ev = ok(parseUserHubEvent('GatewayUserTrade', { action: 0, data: { ...trade, commissions: v } }, T0));
      expect(ev).toMatchObject({ trade: { fees: 0.36, profitAndLoss: -49 } });
      expect((ev as { trade: object }).trade).not.toHaveProperty('commissions');
    }
    // REST Trade/search rows have no commissions at all.
    const { commissions: _c, ...restRow } = trade;
    expect((ok(parseUserHubEvent('GatewayUserTrade', { action: 0, data: restRow }, T0)) as { trade: object }).trade).not.toHaveProperty('commissions');
  });
  it('malformed payloads become ParseFailures with event name, reason and a redacted truncated sample', () => {
    const bad = [
      null, 'text', 42, [], { action: 1, data: { id: 'x' } }, { action: 1, data: { ...(P.hubOrderEntryFilled as { data: object }).data, side: 7 } },
      { action: 1, data: { ...(P.hubOrderEntryFilled as { data: object }).data, updateTimestamp: 'soon' } },
      { action: 'one', data: {} },
    ];
    for (const raw of bad) {
      const r = parseUserHubEvent('GatewayUserOrder', raw, T0);
      expect(r.ok, JSON.stringify(raw)).toBe(false);
      if (!r.ok) {
        expect(r.failure.event).toBe('GatewayUserOrder');
        expect(r.failure.reason.length).toBeGreaterThan(5);
      }
    }
    const secret = { action: 1, data: { id: 1, token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig', note: 'x'.repeat(1000) } };
    const r = parseUserHubEvent('GatewayUserAccount', secret, T0);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.failure.sample).not.toContain('eyJ');
      expect(r.failure.sample.length).toBeLessThan(400);
    }
    expect(redactedSample({ apiKey: 'k', nested: { Authorization: 'Bearer abc' } })).toBe('{"apiKey":"[redacted]","nested":{"Authorization":"[redacted]"}}');
  });
});

describe('market hub events', () => {
  it('sparse quote stays sparse (missing = undefined, never 0)', () => {
    const ev = ok(parseQuoteEvent('CON.F.US.MNQ.U26', P.quoteSparse, T0));
    expect(ev).toEqual({
      kind: 'quote', source: 'hub', receivedAt: T0,
      quote: { contractId: 'CON.F.US.MNQ.U26', symbol: 'F.US.MNQ', bestBid: 29547, bestAsk: 29547.5, lastUpdated: Date.UTC(2026, 7, 19, 20, 51, 31, 434), timestamp: Date.UTC(2026, 7, 19, 20, 51, 31, 348) },
    });
    if (ev.kind === 'quote') expect('lastPrice' in ev.quote).toBe(false);
  });
  it('quote with last trade, full documented form, contract id from the body when the arg is missing', () => {
    expect(ok(parseQuoteEvent('CON.F.US.MNQ.Z25', P.quoteLastTrade, T0))).toMatchObject({ quote: { lastPrice: 25813.5, volume: 188402 } });
    expect(ok(parseQuoteEvent('CON.F.US.EP.U25', P.quoteFull, T0))).toMatchObject({ quote: { open: 2090, bestBid: 2100, changePercent: 0.14 } });
    expect(ok(parseQuoteEvent(undefined, P.quoteSparse, T0))).toMatchObject({ quote: { contractId: 'CON.F.US.MNQ.U26' } });
    const r = parseQuoteEvent(undefined, P.quoteFull, T0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.event).toBe('GatewayQuote');
    expect(parseQuoteEvent('C', { bestBid: 'abc' }, T0).ok).toBe(false);
  });
  it('trade prints and depth rows (arrays and single rows)', () => {
    expect(readMarketTrades('CON.F.US.MES.U26', P.marketTrades, 'GatewayTrade').map((t) => t.volume)).toEqual([1, 3]);
    expect(readDepthRows('C', P.depthRows, 'GatewayDepth').map((r) => r.type)).toEqual([4, 3, 2, 1]);
    expect(readDepthRows('C', P.depthReset, 'GatewayDepth')[0]!.type).toBe(6);
    expect(readDepthRows('C', P.depthSingle, 'GatewayDepth')).toHaveLength(1);
  });
});
