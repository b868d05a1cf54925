// Order records and their two wire forms (REST keeps core nulls; the stream omits every null field).
import { restTime, streamTime, type Stamp } from '../time.ts';
import { omitNulls } from './bus.ts';

export interface SimOrder {
  id: number;
  accountId: number;
  contractId: string;
  symbolId: string;
  created: Stamp;
  updated: Stamp;
  status: number;
  type: number;
  side: number;
  size: number;
  limitPrice: number | null;
  stopPrice: number | null;
  fillVolume: number;
  filledPrice: number | null;
  customTag: string | null;
  /** Read-back fields: ticks and price distance (bracket children carry their signed offsets here). */
  trailDistance: number | null;
  trailPrice: number | null;
  parentOrderId: number | null;
  linkedOrderId: number | null;
  // --- simulator-internal, never serialized ---
  /** Bracket child: signed tick offset from the entry fill price. */
  bracketTicks: number | null;
  /** Trailing stop: distance in ticks and the best price seen since placement. */
  trailTicks: number | null;
  trailExtreme: number | null;
  childIds: number[];
}

export const WORKING = new Set([1, 6, 7, 8]);

function wire(o: SimOrder, time: (s: Stamp) => string): Record<string, unknown> {
  const core: Record<string, unknown> = {
    id: o.id,
    accountId: o.accountId,
    contractId: o.contractId,
    symbolId: o.symbolId,
    creationTimestamp: time(o.created),
    updateTimestamp: time(o.updated),
    status: o.status,
    type: o.type,
    side: o.side,
    size: o.size,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    fillVolume: o.fillVolume,
    filledPrice: o.filledPrice,
    customTag: o.customTag,
  };
  const extra = omitNulls({
    parentOrderId: o.parentOrderId,
    linkedOrderId: o.linkedOrderId,
    trailDistance: o.trailDistance,
    trailPrice: o.trailPrice,
  });
  return { ...core, ...extra };
}

export const restOrder = (o: SimOrder): Record<string, unknown> => wire(o, restTime);
export const streamOrder = (o: SimOrder): Record<string, unknown> => omitNulls(wire(o, streamTime));
