// Merged quotes per contract. The market hub sends sparse deltas (only changed fields), hundreds per second:
// merging mutates one preallocated record per contract in place (no allocation per quote) and a field never
// seen stays NaN, meaning "unknown" - never 0.
import type { QuoteDelta } from '../gateway/models.ts';

export interface MergedQuote {
  readonly contractId: string;
  /** NaN until the gateway has sent the field. */
  bid: number;
  ask: number;
  last: number;
  /** When riskd last merged a delta for this contract (local receive time, epoch ms); 0 = never. */
  receivedAt: number;
  /** The gateway's own timestamp of the last delta that carried one, epoch ms; NaN if none. */
  gatewayAt: number;
  /** Number of deltas merged (a cheap change counter for caches). */
  seq: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export class QuoteBook {
  private readonly byContract = new Map<string, MergedQuote>();

  /** Merges one delta; returns the merged record (the same object every time for a contract). */
  merge(delta: QuoteDelta, receivedAt: number): MergedQuote {
    let q = this.byContract.get(delta.contractId);
    if (!q) {
      q = { contractId: delta.contractId, bid: NaN, ask: NaN, last: NaN, receivedAt: 0, gatewayAt: NaN, seq: 0 };
      this.byContract.set(delta.contractId, q);
    }
    if (finite(delta.bestBid)) q.bid = delta.bestBid;
    if (finite(delta.bestAsk)) q.ask = delta.bestAsk;
    if (finite(delta.lastPrice)) q.last = delta.lastPrice;
    const gw = finite(delta.timestamp) ? delta.timestamp : finite(delta.lastUpdated) ? delta.lastUpdated : NaN;
    if (!Number.isNaN(gw)) q.gatewayAt = gw;
    q.receivedAt = receivedAt;
    q.seq++;
    return q;
  }

  get(contractId: string): MergedQuote | undefined {
    return this.byContract.get(contractId);
  }

  /** Milliseconds since the last delta for this contract, or null if none was ever received. */
  ageMs(contractId: string, now: number): number | null {
    const q = this.byContract.get(contractId);
    return q && q.receivedAt > 0 ? now - q.receivedAt : null;
  }

  /** Forget a contract's quote (e.g. on unsubscribe) so stale prices are not used later. */
  drop(contractId: string): void {
    this.byContract.delete(contractId);
  }
}

/**
 * The P&L mark for a position side: bid for a long, ask for a short (what a liquidation would get), else the
 * last trade, else the mid when both sides are known. null when nothing usable is known.
 */
export function markFor(q: MergedQuote | undefined, side: 'long' | 'short'): number | null {
  if (!q) return null;
  const primary = side === 'long' ? q.bid : q.ask;
  if (!Number.isNaN(primary)) return primary;
  if (!Number.isNaN(q.last)) return q.last;
  if (!Number.isNaN(q.bid) && !Number.isNaN(q.ask)) return (q.bid + q.ask) / 2;
  return null;
}
