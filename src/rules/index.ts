// Public surface of the rules: what the account machine and the router call.
export { evaluate, rulesForTrigger, RULE_RUNNERS } from './evaluate.ts';
export { resolveIntents } from './resolveIntents.ts';
export type { RuleContext, RuleTrigger } from './context.ts';
export { hasProtectiveStop, isProtectiveStopFor } from './r008-noStopLossGrace.ts';
export { isSymbolBlocked } from './r011-symbolBlocks.ts';
export { targetStop } from './r012-tradeManagement.ts';
export { instrumentLimit } from './r002-maxContractsPerInstrument.ts';
export * from './types.ts';
