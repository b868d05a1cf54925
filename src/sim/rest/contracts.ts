// Contract/search, Contract/searchById, Contract/available.
import { toContract } from '../engine/contracts.ts';
import { ok, optString, reqBool, reqString, type Route } from './common.ts';

export const contractRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/Contract/search',
    auth: true,
    handler: (body, ctx) => {
      // Like a Practice user without a live data subscription: live:true finds nothing.
      if (reqBool(body, 'live') && !ctx.liveData) return ok({ contracts: [] });
      const text = optString(body, 'searchText') ?? '';
      return ok({ contracts: ctx.engine.catalog.search(text).map(toContract) });
    },
  },
  {
    method: 'POST',
    path: '/api/Contract/searchById',
    auth: true,
    handler: (body, ctx) => {
      const c = ctx.engine.catalog.get(reqString(body, 'contractId'));
      if (!c) return ok({ contract: null }, false, 1);
      return ok({ contract: toContract(c) });
    },
  },
  {
    method: 'POST',
    path: '/api/Contract/available',
    auth: true,
    handler: (body, ctx) => {
      if (reqBool(body, 'live') && !ctx.liveData) return ok({ contracts: [] });
      return ok({ contracts: ctx.engine.catalog.listed().map(toContract) });
    },
  },
];
