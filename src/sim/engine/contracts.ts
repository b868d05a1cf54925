// The simulator's contract catalogue: real gateway roots (ES is EP, NQ is ENQ, GC is GCE, CL is CLE, ...),
// real tick facts (projectx-api.md §6.2) and per-contract fees. The simulator may define money facts;
// riskd must always read them from the contract.
import type { Contract } from '../../gateway/models.ts';

export interface ContractSpec extends Contract {
  /** Fee per contract per fill (the `fees` field of trades; deducted from balance). */
  feePerContract: number;
  /** Commission per contract per fill (the stream-only `commissions` field; not deducted). */
  commissionPerContract: number;
  /** Price the market starts at. */
  startPrice: number;
  /**
   * Listed by `Contract/available` (one month per product, like the real one). A tradable back month is active
   * but not listed: riskd only learns of it from a fill, a position or `Contract/searchById`.
   */
  listed: boolean;
}

interface Product {
  root: string; // gateway root, e.g. EP
  ticker: string; // exchange ticker used in `name`, e.g. ES
  description: string;
  tickSize: number;
  tickValue: number;
  fee: number;
  commission: number;
  startPrice: number;
  month: { code: string; year: number; label: string };
}

const DEC26 = { code: 'Z', year: 2026, label: 'December 2026' };
const JAN27 = { code: 'F', year: 2027, label: 'January 2027' };

const PRODUCTS: Product[] = [
  { root: 'MNQ', ticker: 'MNQ', description: 'Micro E-mini Nasdaq-100', tickSize: 0.25, tickValue: 0.5, fee: 0.37, commission: 0.25, startPrice: 25812.25, month: DEC26 },
  { root: 'ENQ', ticker: 'NQ', description: 'E-mini NASDAQ-100', tickSize: 0.25, tickValue: 5, fee: 1.4, commission: 0.5, startPrice: 25812.25, month: DEC26 },
  { root: 'MES', ticker: 'MES', description: 'Micro E-mini S&P 500', tickSize: 0.25, tickValue: 1.25, fee: 0.37, commission: 0.25, startPrice: 6812.5, month: DEC26 },
  { root: 'EP', ticker: 'ES', description: 'E-Mini S&P 500', tickSize: 0.25, tickValue: 12.5, fee: 1.4, commission: 0.5, startPrice: 6812.5, month: DEC26 },
  { root: 'M2K', ticker: 'M2K', description: 'Micro E-mini Russell 2000', tickSize: 0.1, tickValue: 0.5, fee: 0.37, commission: 0.25, startPrice: 2451.3, month: DEC26 },
  { root: 'RTY', ticker: 'RTY', description: 'E-mini Russell 2000', tickSize: 0.1, tickValue: 5, fee: 1.4, commission: 0.5, startPrice: 2451.3, month: DEC26 },
  { root: 'MYM', ticker: 'MYM', description: 'Micro E-mini Dow Jones', tickSize: 1, tickValue: 0.5, fee: 0.37, commission: 0.25, startPrice: 47210, month: DEC26 },
  { root: 'YM', ticker: 'YM', description: 'E-mini Dow Jones ($5)', tickSize: 1, tickValue: 5, fee: 1.4, commission: 0.5, startPrice: 47210, month: DEC26 },
  { root: 'MGC', ticker: 'MGC', description: 'Micro Gold', tickSize: 0.1, tickValue: 1, fee: 0.62, commission: 0.25, startPrice: 4105.6, month: DEC26 },
  { root: 'GCE', ticker: 'GC', description: 'Gold (Globex)', tickSize: 0.1, tickValue: 10, fee: 1.6, commission: 0.5, startPrice: 4105.6, month: DEC26 },
  { root: 'MCLE', ticker: 'MCL', description: 'Micro WTI Crude Oil', tickSize: 0.01, tickValue: 1, fee: 0.62, commission: 0.25, startPrice: 61.42, month: JAN27 },
  { root: 'CLE', ticker: 'CL', description: 'Crude Light (Globex)', tickSize: 0.01, tickValue: 10, fee: 1.6, commission: 0.5, startPrice: 61.42, month: JAN27 },
];

function specFor(p: Product, month: Product['month'], active: boolean, listed = active, premium = 0): ContractSpec {
  const yy = String(month.year % 100).padStart(2, '0');
  return {
    id: `CON.F.US.${p.root}.${month.code}${yy}`,
    name: `${p.ticker}${month.code}${month.year % 10}`,
    description: `${p.description}: ${month.label}`,
    tickSize: p.tickSize,
    tickValue: p.tickValue,
    activeContract: active,
    symbolId: `F.US.${p.root}`,
    feePerContract: p.fee,
    commissionPerContract: p.commission,
    startPrice: roundToTick(p.startPrice + premium, p.tickSize),
    listed,
  };
}

/** Expired months kept so `Contract/searchById` can return `activeContract:false` like the real one. */
const EXPIRED_SEP26 = { code: 'U', year: 2026, label: 'September 2026' };

/**
 * Second live expiries (around a roll both months trade): tradable, not in `Contract/available`, priced at a
 * small premium over the front month. RULE-002 counts them with the front month under one symbol.
 */
const MAR27 = { code: 'H', year: 2027, label: 'March 2027' };
const BACK_MONTHS: { root: string; premium: number }[] = [
  { root: 'MNQ', premium: 150 },
  { root: 'EP', premium: 40 },
];

export class ContractCatalog {
  private readonly byId = new Map<string, ContractSpec>();

  constructor() {
    for (const p of PRODUCTS) {
      const c = specFor(p, p.month, true);
      this.byId.set(c.id.toUpperCase(), c);
    }
    for (const root of ['MNQ', 'ENQ', 'MES', 'EP']) {
      const p = PRODUCTS.find((x) => x.root === root);
      if (p) {
        const c = specFor(p, EXPIRED_SEP26, false);
        this.byId.set(c.id.toUpperCase(), c);
      }
    }
    for (const b of BACK_MONTHS) {
      const p = PRODUCTS.find((x) => x.root === b.root);
      if (p) {
        const c = specFor(p, MAR27, true, false, b.premium);
        this.byId.set(c.id.toUpperCase(), c);
      }
    }
  }

  /** Case-insensitive lookup by contract id. */
  get(id: string): ContractSpec | undefined {
    return this.byId.get(id.toUpperCase());
  }

  /** Tradable contracts (front and back months). */
  active(): ContractSpec[] {
    return [...this.byId.values()].filter((c) => c.activeContract);
  }

  /** One month per product, like `Contract/available`. */
  listed(): ContractSpec[] {
    return [...this.byId.values()].filter((c) => c.listed);
  }

  all(): ContractSpec[] {
    return [...this.byId.values()];
  }

  /** Fuzzy text search over listed contracts (name, symbol, description), max 20 like the gateway. */
  search(text: string): ContractSpec[] {
    const q = text.trim().toUpperCase();
    const hits = this.listed().filter(
      (c) =>
        q === '' ||
        c.name.toUpperCase().includes(q) ||
        c.symbolId.toUpperCase().includes(q) ||
        c.description.toUpperCase().includes(q),
    );
    return hits.slice(0, 20);
  }
}

/** The public Contract shape (what REST returns): drops the simulator-only fields. */
export function toContract(c: ContractSpec): Contract {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    tickSize: c.tickSize,
    tickValue: c.tickValue,
    activeContract: c.activeContract,
    symbolId: c.symbolId,
  };
}

/** Position `contractDisplayName` uses a two-digit year (MNQZ26), unlike the contract name (MNQZ6). */
export function displayName(c: ContractSpec): string {
  const parts = c.id.split('.');
  const monthYear = parts[parts.length - 1] ?? '';
  const ticker = c.name.slice(0, c.name.length - 2);
  return `${ticker}${monthYear}`;
}

/** Rounds a price to the contract's tick grid (guards float noise like 25812.250000001). */
export function roundToTick(price: number, tickSize: number): number {
  const ticks = Math.round(price / tickSize);
  return Number((ticks * tickSize).toFixed(10));
}

export function isOnTick(price: number, tickSize: number): boolean {
  const ticks = price / tickSize;
  return Math.abs(ticks - Math.round(ticks)) < 1e-6;
}
