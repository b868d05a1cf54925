// Public surface of the rules: what the account machine and the router call.
export { evaluate, rulesForTrigger, RULE_RUNNERS, type Evaluation } from './evaluate.ts';
export { killSwitch, earliestAccountLock, type ActiveLock, type ActiveLocks, type KillSwitchVerdict } from './killSwitch.ts';
export { resolveIntents } from './resolveIntents.ts';
export type { RuleContext, RuleTrigger, SessionEdge, SessionState } from './context.ts';
export { hasProtectiveStop, isProtectiveStopFor, noStopVerdict } from './r008-noStopLossGrace.ts';
export { outsideSessionVerdict, blackoutVerdict } from './r009-sessionBlockOutside.ts';
export { isSymbolBlocked } from './r011-symbolBlocks.ts';
export { targetStop } from './r012-tradeManagement.ts';
export { instrumentLimit } from './r002-maxContractsPerInstrument.ts';
export * from './types.ts';
