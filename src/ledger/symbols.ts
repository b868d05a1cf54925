// Trader-facing symbols. The gateway names products by its own roots (EP for ES, ENQ for NQ...), while traders,
// risk.yaml and the dashboard speak CME tickers. Every expiry of a product maps to the same symbol, so limits
// per symbol count MNQZ5 and MNQH6 together.
import type { Contract } from '../gateway/models.ts';

/** Gateway roots that differ from the CME ticker (projectx-api.md §6.1). Micros mostly keep their ticker. */
export const GATEWAY_ROOT_TO_TICKER: Readonly<Record<string, string>> = Object.freeze({
  EP: 'ES',
  ENQ: 'NQ',
  GCE: 'GC',
  CLE: 'CL',
  MCLE: 'MCL',
  NGE: 'NG',
  CPE: 'HG',
  SIE: 'SI',
  EU6: '6E',
  BP6: '6B',
  DA6: '6A',
  JY6: '6J',
  TYA: 'ZN',
  FVA: 'ZF',
  TUA: 'ZT',
  USA: 'ZB',
  ULA: 'UB',
  ZCE: 'ZC',
  ZSE: 'ZS',
  ZWA: 'ZW',
});

/** The ticker for a gateway root (upper-cased); unknown roots are already tickers. */
export function tickerForRoot(root: string): string {
  const r = root.trim().toUpperCase();
  return GATEWAY_ROOT_TO_TICKER[r] ?? r;
}

// Exchange-style short name: product code, one CME month code, one (sometimes two) year digits: MNQZ5, 6JU6.
const NAME_RE = /^([A-Z0-9]+?)[FGHJKMNQUVXZ]\d{1,2}$/;

/** Product root from a contractId like CON.F.US.MNQ.Z25 (4th segment), or undefined when it has no such shape. */
export function rootFromContractId(contractId: string): string | undefined {
  const parts = contractId.split('.');
  if (parts.length >= 5 && parts[0] === 'CON') return parts[3];
  return undefined;
}

/** Product root from a symbolId like F.US.EP (last segment). */
export function rootFromSymbolId(symbolId: string): string | undefined {
  const parts = symbolId.split('.');
  const last = parts[parts.length - 1];
  return last ? last : undefined;
}

/** Symbol from a contract's exchange name (MNQZ5 → MNQ), or undefined when the name has no month+year suffix. */
export function symbolFromName(name: string): string | undefined {
  // Pure and called for every position on every quote: remember the (few) contract names seen.
  if (nameCache.has(name)) return nameCache.get(name);
  const m = NAME_RE.exec(name.trim().toUpperCase());
  const symbol = m?.[1] ? tickerForRoot(m[1]) : undefined;
  if (nameCache.size > 10_000) nameCache.clear();
  nameCache.set(name, symbol);
  return symbol;
}
const nameCache = new Map<string, string | undefined>();

/**
 * The trader-facing symbol of a contract: from its name, else its symbolId root, else its contractId root.
 * With no contract facts at all, the contractId alone is used (and, when it has no known shape, returned as is).
 */
export function symbolOf(contractId: string, contract?: Contract): string {
  if (contract) {
    const fromName = contract.name ? symbolFromName(contract.name) : undefined;
    if (fromName) return fromName;
    const root = contract.symbolId ? rootFromSymbolId(contract.symbolId) : undefined;
    if (root) return tickerForRoot(root);
  }
  const root = rootFromContractId(contractId);
  return root ? tickerForRoot(root) : contractId.toUpperCase();
}
