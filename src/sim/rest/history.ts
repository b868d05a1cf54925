// History/retrieveBars: deterministic synthetic OHLCV bars (a smooth wave around the contract's start
// price, on the tick grid), newest first; `limit` keeps the most recent bars of the window. It has its
// own, tighter rate limit (50 / 30 s) in the HTTP layer.
import { restTime } from '../time.ts';
import { roundToTick, type ContractSpec } from '../engine/contracts.ts';
import { ok, optNumber, reqString, timestamp, type Route } from './common.ts';

const UNIT_MS: Record<number, number> = { 1: 1000, 2: 60_000, 3: 3_600_000, 4: 86_400_000, 5: 7 * 86_400_000 };

/** Start of the bar containing `t`, and the start of the next one. */
function barBounds(t: number, unit: number, n: number): { start: number; end: number } {
  if (unit === 6) {
    const d = new Date(t);
    const monthIndex = d.getUTCFullYear() * 12 + d.getUTCMonth();
    const first = monthIndex - (monthIndex % n);
    return { start: Date.UTC(Math.floor(first / 12), first % 12, 1), end: Date.UTC(Math.floor((first + n) / 12), (first + n) % 12, 1) };
  }
  const len = (UNIT_MS[unit] ?? 60_000) * n;
  const start = Math.floor(t / len) * len;
  return { start, end: start + len };
}

function priceAt(c: ContractSpec, t: number): number {
  const ticks = Math.round(40 * Math.sin(t / 3_600_000) + 15 * Math.sin(t / 420_000) + 5 * Math.sin(t / 47_000));
  return roundToTick(c.startPrice + ticks * c.tickSize, c.tickSize);
}

function bar(c: ContractSpec, start: number, end: number): Record<string, unknown> {
  const o = priceAt(c, start);
  const cl = priceAt(c, end - 1);
  const mid = priceAt(c, (start + end) / 2);
  const spread = (Math.abs(Math.round(Math.sin(start / 1000) * 4)) + 1) * c.tickSize;
  return {
    t: restTime({ ms: start, sub: 0 }),
    o,
    h: roundToTick(Math.max(o, cl, mid) + spread, c.tickSize),
    l: roundToTick(Math.min(o, cl, mid) - spread, c.tickSize),
    c: cl,
    v: 50 + (Math.abs(Math.round(Math.sin(start / 7919) * 1000)) % 900),
  };
}

export const historyRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/History/retrieveBars',
    auth: true,
    limiter: 'bars',
    handler: (body, ctx) => {
      const c = ctx.engine.catalog.get(reqString(body, 'contractId'));
      const start = timestamp(body, 'startTime', true) ?? 0;
      const end = timestamp(body, 'endTime', true) ?? 0;
      const unit = optNumber(body, 'unit');
      const unitNumber = optNumber(body, 'unitNumber');
      const limit = optNumber(body, 'limit');
      if (!c) return ok({ bars: null }, false, 1);
      if (unit === null || !Number.isInteger(unit) || unit < 1 || unit > 6) return ok({ bars: null }, false, 2);
      if (unitNumber === null || !Number.isInteger(unitNumber) || unitNumber < 1) return ok({ bars: null }, false, 3);
      if (limit === null || !Number.isInteger(limit) || limit < 1 || limit > 20_000) return ok({ bars: null }, false, 4);
      const now = ctx.engine.clock.now();
      const includePartial = body.includePartialBar === true;
      const bars: Record<string, unknown>[] = [];
      let cursor = Math.min(end, now);
      while (bars.length < limit) {
        const b = barBounds(cursor, unit, unitNumber);
        if (b.end <= start) break;
        const partial = b.end > now;
        if ((!partial || includePartial) && b.start < end) bars.push(bar(c, b.start, b.end));
        cursor = b.start - 1;
      }
      return ok({ bars });
    },
  },
];
