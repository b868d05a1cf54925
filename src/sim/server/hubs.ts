// The two ProjectX hubs: their subscription methods and how engine events reach subscribers.
//  user:   SubscribeAccounts() / SubscribeOrders|Positions|Trades(accountId) -> GatewayUser* {action, data}
//  market: SubscribeContractQuotes|Trades|MarketDepth(contractId) -> Gateway{Quote,Trade,Depth}(contractId, data)
import type { MarketEvent, UserEvent } from '../engine/bus.ts';
import { expectArgs, type HubMethod } from './signalr.ts';

const perAccount = (prefix: string, on: boolean): HubMethod => (conn, args) => {
  expectArgs(args, ['number']);
  const key = `${prefix}:${String(args[0])}`;
  if (on) conn.subs.add(key);
  else conn.subs.delete(key);
};

const perContract = (prefix: string, on: boolean): HubMethod => (conn, args) => {
  expectArgs(args, ['string']);
  const key = `${prefix}:${String(args[0]).toUpperCase()}`;
  if (on) conn.subs.add(key);
  else conn.subs.delete(key);
};

export const userHubMethods: Record<string, HubMethod> = {
  SubscribeAccounts: (conn, args) => {
    expectArgs(args, []);
    conn.subs.add('accounts');
  },
  UnsubscribeAccounts: (conn, args) => {
    expectArgs(args, []);
    conn.subs.delete('accounts');
  },
  SubscribeOrders: perAccount('orders', true),
  UnsubscribeOrders: perAccount('orders', false),
  SubscribePositions: perAccount('positions', true),
  UnsubscribePositions: perAccount('positions', false),
  SubscribeTrades: perAccount('trades', true),
  UnsubscribeTrades: perAccount('trades', false),
};

export const marketHubMethods: Record<string, HubMethod> = {
  SubscribeContractQuotes: perContract('quotes', true),
  UnsubscribeContractQuotes: perContract('quotes', false),
  SubscribeContractTrades: perContract('trades', true),
  UnsubscribeContractTrades: perContract('trades', false),
  SubscribeContractMarketDepth: perContract('depth', true),
  UnsubscribeContractMarketDepth: perContract('depth', false),
};

/** The subscription key an engine event is delivered to. */
export function userSubKey(e: UserEvent): string {
  switch (e.target) {
    case 'GatewayUserAccount':
      return 'accounts';
    case 'GatewayUserOrder':
      return `orders:${e.accountId}`;
    case 'GatewayUserPosition':
      return `positions:${e.accountId}`;
    case 'GatewayUserTrade':
      return `trades:${e.accountId}`;
  }
}

export function marketSubKey(e: MarketEvent): string {
  const id = e.contractId.toUpperCase();
  switch (e.target) {
    case 'GatewayQuote':
      return `quotes:${id}`;
    case 'GatewayTrade':
      return `trades:${id}`;
    case 'GatewayDepth':
      return `depth:${id}`;
  }
}
