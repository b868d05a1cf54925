// How failed calls are read: the real gateway error classes, per-endpoint codes, live-account messages.
import { describe, expect, it } from 'vitest';
import { AuthError, GatewayError, GatewayHttpError, GatewayTimeoutError, RateLimitedError } from '../../src/gateway/errors.ts';
import { OrderSide } from '../../src/gateway/models.ts';
import { classifyFailure } from '../../src/enforce/gatewayOutcome.ts';
import { isTighter, tightest } from '../../src/enforce/stops.ts';

describe('classifyFailure', () => {
  it.each([
    ['Position/closeContract', 2, null, 'already-gone'],
    ['Position/closeContract', 5, null, 'rejected'],
    ['Position/partialCloseContract', 2, null, 'already-gone'],
    ['Position/partialCloseContract', 5, null, 'invalid-size'],
    ['Position/partialCloseContract', 6, null, 'rejected'], // market closed / no price: a close would fail too
    ['Position/partialCloseContract', 9, null, 'account-refuses'],
    ['Order/cancel', 2, null, 'already-gone'],
    ['Order/cancel', 6, 'Live accounts not supported', 'account-refuses'],
    ['Order/cancel', 6, 'Follower accounts cannot cancel orders', 'account-refuses'],
    ['Order/cancel', 3, 'Live accounts not supported', 'account-refuses'],
    ['Order/cancel', 3, null, 'rejected'],
    ['Order/modify', 2, null, 'already-gone'],
    ['Order/place', 2, null, 'rejected'],
  ] as const)('%s errorCode %i (%s) -> %s', (endpoint, code, message, refusal) => {
    const f = classifyFailure(endpoint, new GatewayError(`/api/${endpoint}`, code, message));
    expect(f).toMatchObject({ kind: 'refused', refusal, errorCode: code });
  });

  it('treats timeouts, 429, 5xx, auth failures and plain errors as outcome unknown', () => {
    const ep = 'Position/closeContract';
    expect(classifyFailure(ep, new GatewayTimeoutError('/api/Position/closeContract', 400, true)).kind).toBe('unknown');
    expect(classifyFailure(ep, new RateLimitedError('/api/Position/closeContract', 1000))).toMatchObject({ kind: 'unknown', retryAfterMs: 1000 });
    expect(classifyFailure(ep, new GatewayHttpError('/api/Position/closeContract', 500, 'boom', true)).kind).toBe('unknown');
    expect(classifyFailure(ep, new AuthError('/api/Auth/loginKey', 'login failed', false, 3, 'InvalidCredentials')).kind).toBe('unknown');
    expect(classifyFailure(ep, new Error('ECONNRESET')).kind).toBe('unknown');
    expect(classifyFailure(ep, 'weird').kind).toBe('unknown');
  });
});

describe('stop direction', () => {
  it('a sell stop (long) tightens upward, a buy stop (short) downward; equal is not tighter', () => {
    expect(isTighter(OrderSide.Ask, 100, 101)).toBe(true);
    expect(isTighter(OrderSide.Ask, 100, 99)).toBe(false);
    expect(isTighter(OrderSide.Ask, 100, 100)).toBe(false);
    expect(isTighter(OrderSide.Bid, 100, 99)).toBe(true);
    expect(isTighter(OrderSide.Bid, 100, 101)).toBe(false);
    expect(tightest(OrderSide.Ask, 100, 102)).toBe(102);
    expect(tightest(OrderSide.Bid, 100, 102)).toBe(100);
    expect(tightest(OrderSide.Bid, undefined, 102)).toBe(102);
  });
});
