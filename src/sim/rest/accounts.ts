// Account/search.
import { AccountBook } from '../engine/accounts.ts';
import { ok, reqBool, type Route } from './common.ts';

export const accountRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/Account/search',
    auth: true,
    handler: (body, ctx) => {
      const onlyActive = reqBool(body, 'onlyActiveAccounts');
      // "Active" = eligible for trading or still visible; a hidden, non-trading account is inactive.
      const accounts = ctx.engine.accounts
        .all()
        .filter((a) => !onlyActive || a.canTrade || a.isVisible)
        .map(AccountBook.wire);
      return ok({ accounts });
    },
  },
];
