// The contract cache: tick facts (tickSize, tickValue) and names from the gateway, shared by every account.
// Money math needs them; a contract riskd has not fetched yet yields unrealized = null (no verdict) until it is.
import type { Contract } from '../gateway/models.ts';

export interface ContractStore {
  upsert(c: Contract): void;
  all(): Contract[];
}

export class ContractCache {
  private readonly byId = new Map<string, Contract>();
  constructor(private readonly store?: ContractStore) {}

  /** Loads every stored contract (on restart, before the first REST call). */
  loadFromStore(): number {
    if (!this.store) return 0;
    const all = this.store.all();
    for (const c of all) this.byId.set(c.id, c);
    return all.length;
  }

  get(id: string): Contract | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Stores a contract; returns true when it was new or its facts changed. Invalid tick facts are refused. */
  put(c: Contract): boolean {
    if (!(c.tickSize > 0) || !Number.isFinite(c.tickValue) || c.tickValue <= 0) {
      throw new Error(`contract ${c.id}: invalid tick facts tickSize=${c.tickSize} tickValue=${c.tickValue}`);
    }
    const prev = this.byId.get(c.id);
    if (prev && prev.tickSize === c.tickSize && prev.tickValue === c.tickValue && prev.name === c.name && prev.symbolId === c.symbolId) {
      return false;
    }
    this.byId.set(c.id, c);
    this.store?.upsert(c);
    return true;
  }
}
