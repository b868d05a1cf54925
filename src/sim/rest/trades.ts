// Trade/search: fills in a window, newest first.
import { TradeLedger } from '../engine/trades.ts';
import { ok, reqInt, timestamp, type Route } from './common.ts';

export const tradeRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/Trade/search',
    auth: true,
    handler: (body, ctx) => {
      const accountId = reqInt(body, 'accountId');
      const start = timestamp(body, 'startTimestamp', false) ?? 0;
      const end = timestamp(body, 'endTimestamp', false) ?? Number.POSITIVE_INFINITY;
      if (!ctx.engine.accounts.get(accountId)) return ok({ trades: null }, false, 1);
      const trades = ctx.engine.trades
        .list(accountId)
        .filter((t) => t.created.ms >= start && t.created.ms <= end)
        .sort((a, b) => b.id - a.id)
        .map(TradeLedger.rest);
      return ok({ trades });
    },
  },
];
