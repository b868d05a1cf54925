// Order/place, modify, cancel, search, searchOpen, searchById and the paginated Order/v2/query.
import { restOrder, type SimOrder } from '../engine/orders.ts';
import type { SimPlaceOrderRequest } from '../types.ts';
import { BadRequest, ok, optNumber, optString, reqInt, reqObject, reqString, timestamp, type RestReply, type Route } from './common.ts';

function bracket(body: Record<string, unknown>, field: string): { ticks: number; type: number } | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  const o = reqObject(body, field);
  return { ticks: reqInt(o, 'ticks'), type: reqInt(o, 'type') };
}

function placeRequest(body: Record<string, unknown>): SimPlaceOrderRequest {
  return {
    accountId: reqInt(body, 'accountId'),
    contractId: reqString(body, 'contractId'),
    type: reqInt(body, 'type'),
    side: reqInt(body, 'side'),
    size: reqInt(body, 'size'),
    limitPrice: optNumber(body, 'limitPrice'),
    stopPrice: optNumber(body, 'stopPrice'),
    trailPrice: optNumber(body, 'trailPrice'),
    customTag: optString(body, 'customTag'),
    stopLossBracket: bracket(body, 'stopLossBracket'),
    takeProfitBracket: bracket(body, 'takeProfitBracket'),
  };
}

/** v2/query validation failures are RFC-7807 ProblemDetails with a `detail`, not the envelope. */
function queryProblem(detail: string, path: string): RestReply {
  return { status: 400, body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'Bad Request', status: 400, detail, instance: path } };
}

const byId = (a: SimOrder, b: SimOrder): number => a.id - b.id;

export const orderRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/Order/place',
    auth: true,
    handler: (body, ctx) => {
      const r = ctx.engine.orders.place(placeRequest(body));
      // A failed place still carries the real orderId of the rejected record.
      return ok({ orderId: r.orderId }, r.success, r.errorCode, r.errorMessage);
    },
  },
  {
    method: 'POST',
    path: '/api/Order/modify',
    auth: true,
    handler: (body, ctx) => {
      const r = ctx.engine.orders.modify({
        accountId: reqInt(body, 'accountId'),
        orderId: reqInt(body, 'orderId'),
        size: body.size == null ? null : reqInt(body, 'size'),
        limitPrice: optNumber(body, 'limitPrice'),
        stopPrice: optNumber(body, 'stopPrice'),
        trailPrice: optNumber(body, 'trailPrice'),
      });
      return ok({}, r.success, r.errorCode, r.errorMessage);
    },
  },
  {
    method: 'POST',
    path: '/api/Order/cancel',
    auth: true,
    handler: (body, ctx) => {
      const r = ctx.engine.orders.cancel(reqInt(body, 'accountId'), reqInt(body, 'orderId'), 'api');
      return ok({}, r.success, r.errorCode, r.errorMessage);
    },
  },
  {
    method: 'POST',
    path: '/api/Order/search',
    auth: true,
    handler: (body, ctx) => {
      const accountId = reqInt(body, 'accountId');
      const start = timestamp(body, 'startTimestamp', true) ?? 0;
      const end = timestamp(body, 'endTimestamp', false) ?? Number.POSITIVE_INFINITY;
      if (!ctx.engine.accounts.get(accountId)) return ok({ orders: null }, false, 1);
      const orders = ctx.engine.orders
        .list(accountId)
        .filter((o) => o.created.ms >= start && o.created.ms <= end)
        .sort(byId)
        .map(restOrder);
      return ok({ orders });
    },
  },
  {
    method: 'POST',
    path: '/api/Order/searchOpen',
    auth: true,
    handler: (body, ctx) => {
      const accountId = reqInt(body, 'accountId');
      if (!ctx.engine.accounts.get(accountId)) return ok({ orders: null }, false, 1);
      // Status 1 only: Suspended (8) bracket children are NOT returned, like the real gateway.
      const orders = ctx.engine.orders.list(accountId).filter((o) => o.status === 1).sort(byId).map(restOrder);
      return ok({ orders });
    },
  },
  {
    method: 'POST',
    path: '/api/Order/searchById',
    auth: true,
    handler: (body, ctx) => {
      const accountId = reqInt(body, 'accountId');
      const o = ctx.engine.orders.get(reqInt(body, 'orderId'));
      if (!o || o.accountId !== accountId) return ok({ order: null }, false, 1);
      return ok({ order: restOrder(o) });
    },
  },
  {
    method: 'POST',
    path: '/api/Order/v2/query',
    auth: true,
    handler: (body, ctx) => {
      let filter: Record<string, unknown>;
      try {
        filter = reqObject(body, 'filter');
      } catch {
        return queryProblem('filter is required', ctx.path);
      }
      const accountId = filter.accountId;
      if (typeof accountId !== 'number' || !Number.isInteger(accountId)) return queryProblem('filter.accountId is required', ctx.path);
      const pageSize = body.pageSize ?? 100;
      const pageOffset = body.pageOffset ?? 0;
      if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize <= 0) return queryProblem('pageSize must be positive', ctx.path);
      if (pageSize > 1000) return queryProblem('pageSize must not exceed 1000', ctx.path);
      if (typeof pageOffset !== 'number' || !Number.isInteger(pageOffset) || pageOffset < 0) return queryProblem('pageOffset must not be negative', ctx.path);
      const sortBy = body.sortBy ?? 0;
      const sortDirection = body.sortDirection ?? 0;
      if (sortBy !== 0 && sortBy !== 1) return queryProblem('sortBy must be 0 (CreatedAt) or 1 (Id)', ctx.path);
      if (sortDirection !== 0 && sortDirection !== 1) return queryProblem('sortDirection must be 0 (Asc) or 1 (Desc)', ctx.path);
      const statuses = filter.statuses;
      if (statuses != null && (!Array.isArray(statuses) || !statuses.every((s) => Number.isInteger(s)))) {
        return queryProblem('filter.statuses must be an array of OrderStatus values', ctx.path);
      }
      let after: number | null;
      let before: number | null;
      try {
        after = timestamp(filter, 'createdAfter', false);
        before = timestamp(filter, 'createdBefore', false);
      } catch (e) {
        return queryProblem(e instanceof BadRequest ? e.problem : 'invalid filter', ctx.path);
      }
      const contractId = typeof filter.contractId === 'string' ? filter.contractId.toUpperCase() : null;
      if (!ctx.engine.accounts.get(accountId)) return ok({ orders: null, totalCount: null }, false, 1);
      const wanted = statuses && statuses.length > 0 ? new Set(statuses as number[]) : null;
      const rows = ctx.engine.orders
        .list(accountId)
        .filter((o) => (wanted ? wanted.has(o.status) : true))
        .filter((o) => (contractId ? o.contractId.toUpperCase() === contractId : true))
        .filter((o) => (after !== null ? o.created.ms >= after : true))
        .filter((o) => (before !== null ? o.created.ms <= before : true))
        .sort((a, b) => (sortBy === 0 ? a.created.ms - b.created.ms || a.created.sub - b.created.sub || a.id - b.id : a.id - b.id));
      if (sortDirection === 1) rows.reverse();
      // pageOffset is a zero-based ROW offset (the real base is undocumented).
      const page = rows.slice(pageOffset, pageOffset + pageSize).map(restOrder);
      return ok({ orders: page, totalCount: body.includeTotalCount === true ? rows.length : null });
    },
  },
];
