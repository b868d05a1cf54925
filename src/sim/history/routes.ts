// Trade/search, Order/search and History/retrieveBars with the simulator's remembered past (pastTrading.ts)
// merged in. Each wraps the live route: the live rows (what happened since the simulator started) plus the
// history's rows in the window; bars before the simulator started come from the history's step price path.
// Fills and orders are kept for ever; minute bars only from the history's keptSince on (a gateway keeps sub-hour
// bars for a limited time), so an old enough range cannot be marked.
import { restTime } from '../time.ts';
import { roundToTick } from '../engine/contracts.ts';
import type { Route, RestReply } from '../rest/common.ts';
import { optNumber, reqInt, reqString, timestamp } from '../rest/common.ts';
import { pastPriceAt, type PastFill, type PastOrder, type SimHistory } from './pastTrading.ts';

const stamp = (ms: number): string => restTime({ ms, sub: 0 });

function restFill(f: PastFill): Record<string, unknown> {
  return {
    id: f.id, accountId: f.accountId, contractId: f.contractId, creationTimestamp: stamp(f.at), price: f.price, profitAndLoss: f.profitAndLoss,
    fees: f.fees, commissions: f.commissions, side: f.side, size: f.size, voided: false, orderId: f.orderId,
  };
}

function restPastOrder(o: PastOrder): Record<string, unknown> {
  return {
    id: o.id, accountId: o.accountId, contractId: o.contractId, symbolId: o.symbolId, creationTimestamp: stamp(o.createdAt), updateTimestamp: stamp(o.updatedAt),
    status: o.status, type: o.type, side: o.side, size: o.size, limitPrice: null, stopPrice: o.stopPrice, fillVolume: o.fillVolume, filledPrice: o.filledPrice, customTag: null,
  };
}

/** Adds `extra` rows to a successful reply's list field (newest first, like the live routes). */
function merged(reply: RestReply, field: string, extra: Record<string, unknown>[]): RestReply {
  const body = reply.body as Record<string, unknown> | undefined;
  if (!body || body.success !== true || !Array.isArray(body[field])) return reply;
  const rows = [...(body[field] as Record<string, unknown>[]), ...extra].sort((a, b) => (b.id as number) - (a.id as number));
  return { ...reply, body: { ...body, [field]: rows } };
}

function minuteBars(h: SimHistory, contractId: string, tick: number, start: number, end: number, limit: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const from = Math.max(start, h.keptSince);
  for (let t = Math.floor((end - 1) / 60_000) * 60_000; t >= from - 59_999 && out.length < limit; t -= 60_000) {
    if (t + 60_000 <= from) break;
    const o = pastPriceAt(h, contractId, t);
    const c = pastPriceAt(h, contractId, t + 59_999);
    if (o === undefined || c === undefined) continue;
    const inside = (h.prices.get(contractId) ?? []).filter((p) => p.at >= t && p.at < t + 60_000).map((p) => p.price);
    out.push({ t: stamp(t), o, h: roundToTick(Math.max(o, c, ...inside), tick), l: roundToTick(Math.min(o, c, ...inside), tick), c, v: 100 + inside.length });
  }
  return out;
}

/** The three routes, each wrapping the live one of the same path. `startedAt`: when the live simulator began. */
export function historyAwareRoutes(h: SimHistory, live: readonly Route[], startedAt: number): Route[] {
  const liveRoute = (path: string): Route => {
    const r = live.find((x) => x.path === path);
    if (!r) throw new Error(`sim history: no live route ${path}`);
    return r;
  };
  const trades = liveRoute('/api/Trade/search');
  const orders = liveRoute('/api/Order/search');
  const bars = liveRoute('/api/History/retrieveBars');
  return [
    {
      ...trades,
      handler: (body, ctx) => {
        const reply = trades.handler(body, ctx);
        const accountId = reqInt(body, 'accountId');
        const start = timestamp(body, 'startTimestamp', false) ?? 0;
        const end = timestamp(body, 'endTimestamp', false) ?? Number.POSITIVE_INFINITY;
        return merged(reply, 'trades', h.fills.filter((f) => f.accountId === accountId && f.at >= start && f.at <= end).map(restFill));
      },
    },
    {
      ...orders,
      handler: (body, ctx) => {
        const reply = orders.handler(body, ctx);
        const accountId = reqInt(body, 'accountId');
        const start = timestamp(body, 'startTimestamp', true) ?? 0;
        const end = timestamp(body, 'endTimestamp', false) ?? Number.POSITIVE_INFINITY;
        return merged(reply, 'orders', h.orders.filter((o) => o.accountId === accountId && o.createdAt >= start && o.createdAt <= end).map(restPastOrder));
      },
    },
    {
      ...bars,
      handler: (body, ctx) => {
        const contractId = reqString(body, 'contractId');
        const c = ctx.engine.catalog.get(contractId);
        const start = timestamp(body, 'startTime', true) ?? 0;
        const end = timestamp(body, 'endTime', true) ?? 0;
        const unit = optNumber(body, 'unit');
        const limit = optNumber(body, 'limit');
        // Only minute bars of the remembered past are served from the history; the rest is the live route's.
        if (!c || !h.prices.has(contractId) || unit !== 2 || optNumber(body, 'unitNumber') !== 1 || start >= startedAt || limit === null || limit < 1 || limit > 20_000) {
          return bars.handler(body, ctx);
        }
        return { status: 200, body: { bars: minuteBars(h, contractId, c.tickSize, start, Math.min(end, startedAt), limit), success: true, errorCode: 0, errorMessage: null } };
      },
    },
  ];
}
