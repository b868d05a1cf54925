// REST response bodies -> typed values. Each parser takes the already-decoded JSON body of a 200 response
// whose envelope said success:true, and returns a ParseResult (never throws).
import type { Account, Contract, Order, Position, Trade } from '../models.ts';
import { attempt, PayloadError, type ParseResult } from './failure.ts';
import { asArray, asObject, optNum, reqInstant, reqNum, type Obj } from './fields.ts';
import { readAccount } from './account.ts';
import { readContract } from './contract.ts';
import { readOrder } from './order.ts';
import { readPosition } from './position.ts';
import { readTrade } from './trade.ts';

function list<T>(endpoint: string, body: unknown, field: string, read: (raw: unknown, path: string) => T): ParseResult<T[]> {
  return attempt(endpoint, body, () => {
    const o = asObject(body, endpoint);
    const arr = o[field];
    // A successful search with a null list means "nothing", not an error.
    if (arr === null || arr === undefined) return [];
    return asArray(arr, `${endpoint}.${field}`).map((item, i) => read(item, `${endpoint}.${field}[${i}]`));
  });
}

export const parseAccountsResponse = (body: unknown): ParseResult<Account[]> =>
  list('/api/Account/search', body, 'accounts', readAccount);
export const parsePositionsResponse = (body: unknown): ParseResult<Position[]> =>
  list('/api/Position/searchOpen', body, 'positions', readPosition);
export const parseOrdersResponse = (endpoint: string, body: unknown): ParseResult<Order[]> =>
  list(endpoint, body, 'orders', readOrder);
export const parseTradesResponse = (body: unknown): ParseResult<Trade[]> =>
  list('/api/Trade/search', body, 'trades', readTrade);
export const parseContractsResponse = (endpoint: string, body: unknown): ParseResult<Contract[]> =>
  list(endpoint, body, 'contracts', readContract);

export function parseContractResponse(body: unknown): ParseResult<Contract> {
  const ep = '/api/Contract/searchById';
  return attempt(ep, body, () => readContract(asObject(body, ep).contract, `${ep}.contract`));
}

export interface OrdersPage {
  orders: Order[];
  totalCount?: number;
}

export function parseOrdersPageResponse(body: unknown): ParseResult<OrdersPage> {
  const ep = '/api/Order/v2/query';
  const orders = parseOrdersResponse(ep, body);
  if (!orders.ok) return orders;
  return attempt(ep, body, () => {
    const total = optNum(asObject(body, ep), 'totalCount', ep);
    return total === undefined ? { orders: orders.value } : { orders: orders.value, totalCount: total };
  });
}

/** Order/place: the orderId is present on success and (a real, rejected order) on failure. */
export function parseOrderIdResponse(body: unknown): ParseResult<number | undefined> {
  const ep = '/api/Order/place';
  return attempt(ep, body, () => {
    const o: Obj = asObject(body, ep);
    const id = optNum(o, 'orderId', ep);
    if (id !== undefined && !Number.isSafeInteger(id)) throw new PayloadError(`${ep}.orderId`, `expected an integer, got ${id}`);
    return id;
  });
}

export interface Bar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

export const parseBarsResponse = (body: unknown): ParseResult<Bar[]> =>
  list('/api/History/retrieveBars', body, 'bars', (raw, path) => {
    const b = asObject(raw, path);
    return { t: reqInstant(b, 't', path).ms, o: reqNum(b, 'o', path), h: reqNum(b, 'h', path), l: reqNum(b, 'l', path), c: reqNum(b, 'c', path), v: reqNum(b, 'v', path) };
  });

/** loginKey returns `token`, validate returns `newToken`; both null on failure. */
export function parseTokenResponse(endpoint: string, body: unknown, field: 'token' | 'newToken'): ParseResult<string> {
  return attempt(endpoint, body, () => {
    const v = asObject(body, endpoint)[field];
    if (typeof v !== 'string' || v.length === 0) throw new PayloadError(`${endpoint}.${field}`, 'token missing from a successful response');
    return v;
  });
}
