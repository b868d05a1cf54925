// Market-hub trade prints and depth rows. riskd subscribes quotes only, but these parse cleanly if a
// subscription is ever added (they arrive as arrays, sometimes as a single object).
import { asObject, compact, optStr, reqEnum, reqInstant, reqNum, type Obj } from './fields.ts';

export interface MarketTradePrint {
  contractId: string;
  symbolId?: string;
  price: number;
  volume: number;
  /** TradeLogType: 0 buy aggressor, 1 sell aggressor. */
  type: 0 | 1;
  timestamp: number;
}

export interface DepthRow {
  contractId: string;
  /** DomType 0..11 (6 = reset). */
  type: number;
  price: number;
  volume: number;
  currentVolume?: number;
  timestamp: number;
}

function rows(raw: unknown): unknown[] {
  return Array.isArray(raw) ? raw : [raw];
}

export function readMarketTrades(contractId: string, raw: unknown, path: string): MarketTradePrint[] {
  return rows(raw).map((r, i) => {
    const p = `${path}[${i}]`;
    const o: Obj = asObject(r, p);
    return compact<MarketTradePrint>({
      contractId,
      symbolId: optStr(o, 'symbolId', p),
      price: reqNum(o, 'price', p),
      volume: reqNum(o, 'volume', p),
      type: reqEnum<0 | 1>(o, 'type', p, [0, 1]),
      timestamp: reqInstant(o, 'timestamp', p).ms,
    });
  });
}

export function readDepthRows(contractId: string, raw: unknown, path: string): DepthRow[] {
  return rows(raw).map((r, i) => {
    const p = `${path}[${i}]`;
    const o: Obj = asObject(r, p);
    const current = o.currentVolume;
    return compact<DepthRow>({
      contractId,
      type: reqEnum<number>(o, 'type', p, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      price: reqNum(o, 'price', p),
      volume: reqNum(o, 'volume', p),
      currentVolume: typeof current === 'number' ? current : undefined,
      timestamp: reqInstant(o, 'timestamp', p).ms,
    });
  });
}
