// Hub frame -> typed GatewayEvent. One function per hub; both return a ParseResult and never throw.
import type { GatewayEvent } from '../models.ts';
import { attempt, type ParseResult } from './failure.ts';
import { unwrapHubEnvelope } from './envelope.ts';
import { readAccount } from './account.ts';
import { readOrder } from './order.ts';
import { readPosition } from './position.ts';
import { readTrade } from './trade.ts';
import { readQuote } from './quote.ts';

export const USER_HUB_EVENTS = ['GatewayUserAccount', 'GatewayUserOrder', 'GatewayUserPosition', 'GatewayUserTrade'] as const;
export type UserHubEventName = (typeof USER_HUB_EVENTS)[number];

export function parseUserHubEvent(target: UserHubEventName, arg: unknown, receivedAt: number): ParseResult<GatewayEvent> {
  return attempt(target, arg, (): GatewayEvent => {
    const { action, data } = unwrapHubEnvelope(arg, target);
    const base = { source: 'hub' as const, receivedAt, ...(action === undefined ? {} : { action }) };
    switch (target) {
      case 'GatewayUserAccount':
        return { kind: 'account', ...base, account: readAccount(data, target) };
      case 'GatewayUserOrder':
        return { kind: 'order', ...base, order: readOrder(data, target) };
      case 'GatewayUserPosition':
        return { kind: 'position', ...base, position: readPosition(data, target) };
      case 'GatewayUserTrade':
        return { kind: 'trade', ...base, trade: readTrade(data, target) };
    }
  });
}

export function parseQuoteEvent(contractId: unknown, data: unknown, receivedAt: number): ParseResult<GatewayEvent> {
  return attempt('GatewayQuote', { contractId, data }, (): GatewayEvent => ({
    kind: 'quote',
    source: 'hub',
    receivedAt,
    quote: readQuote(contractId, data, 'GatewayQuote'),
  }));
}
