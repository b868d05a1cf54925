// Position/searchOpen, Position/closeContract, Position/partialCloseContract.
import { PositionBook } from '../engine/positions.ts';
import { ok, reqInt, reqString, type Route } from './common.ts';

export const positionRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/Position/searchOpen',
    auth: true,
    handler: (body, ctx) => {
      const accountId = reqInt(body, 'accountId');
      if (!ctx.engine.accounts.get(accountId)) return ok({ positions: null }, false, 1);
      return ok({ positions: ctx.engine.positions.list(accountId).map(PositionBook.rest) });
    },
  },
  {
    method: 'POST',
    path: '/api/Position/closeContract',
    auth: true,
    handler: (body, ctx) => {
      const r = ctx.engine.orders.closeContract(reqInt(body, 'accountId'), reqString(body, 'contractId'));
      return ok({}, r.success, r.errorCode, r.errorMessage); // no orderId on close
    },
  },
  {
    method: 'POST',
    path: '/api/Position/partialCloseContract',
    auth: true,
    handler: (body, ctx) => {
      const r = ctx.engine.orders.partialCloseContract(reqInt(body, 'accountId'), reqString(body, 'contractId'), reqInt(body, 'size'), 'api');
      return ok({}, r.success, r.errorCode, r.errorMessage);
    },
  },
];
