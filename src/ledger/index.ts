// Public face of the ledger: per-account state and the numbers rules evaluate (see ledger.ts), idempotent
// event application (apply.ts), shared quotes/contracts (registry.ts), persistence (persist.ts), symbols.
export { Ledger, sideOfType, type LedgerOptions, type LedgerLogger } from './ledger.ts';
export type { FillRecord, PositionRecord } from './records.ts';
export { applyEvent, rollIfDue, compareOrderVersions, comparePositionMarks } from './apply.ts';
export type { LedgerChange, PositionSnapshot } from './change.ts';
export { LedgerRegistry, type LedgerRegistryOptions } from './registry.ts';
export { QuoteBook, markFor, type MergedQuote } from './quotes.ts';
export { ContractCache } from './contracts.ts';
export { storeSink, type LedgerStore, type LedgerSink, type DailyPnlRow } from './persist.ts';
export { symbolOf, tickerForRoot, symbolFromName, GATEWAY_ROOT_TO_TICKER } from './symbols.ts';
export { profitTicks, ticksToMoney, roundCents } from './pnl.ts';
export type * from './view.ts';
