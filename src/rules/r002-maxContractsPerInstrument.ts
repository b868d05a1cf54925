// RULE-002 max_contracts_per_instrument: open contracts per trader symbol (all expiries together) must not
// exceed limits[symbol], else default_limit; a limit of 0 means the symbol is not allowed at all.
import type { RiskRules } from '../config/types.ts';
import type { PositionView } from '../ledger/view.ts';
import type { RuleContext } from './context.ts';
import type { Intent, Verdict } from './types.ts';
import { NO_VERDICTS, describeReductions, reduceLargestFirst } from './util.ts';
import { contracts } from '../format/plain.ts';

/** The configured limit for a symbol (config keys are upper-case tickers). */
export function instrumentLimit(cfg: RiskRules['max_contracts_per_instrument'], symbol: string): number {
  return cfg.limits[symbol.toUpperCase()] ?? cfg.default_limit;
}

export function maxContractsPerInstrument(
  cfg: RiskRules['max_contracts_per_instrument'],
  ctx: RuleContext,
): readonly Verdict[] {
  if (!cfg.enabled) return NO_VERDICTS;
  const { view } = ctx;
  let verdicts: Verdict[] | undefined;
  for (const [symbol, size] of view.openContractsBySymbol()) {
    const limit = instrumentLimit(cfg, symbol);
    if (size <= limit) continue;
    const upper = symbol.toUpperCase();
    const held: PositionView[] = view.positions().filter((p) => p.symbol.toUpperCase() === upper);
    let intents: Intent[];
    let action: string;
    if (cfg.action === 'close_position' || limit <= 0) {
      intents = held.map((p) => ({ type: 'close', accountId: view.accountId, contractId: p.contractId }));
      action = `closed ${contracts(size)}`;
    } else {
      intents = reduceLargestFirst(view, held, size - limit);
      action = `reduced by ${size - limit} (${describeReductions(view, intents)})`;
    }
    const what =
      limit <= 0 ? `${symbol} is not allowed (limit 0)` : `${contracts(size)} of ${symbol} open, over your limit of ${limit}`;
    (verdicts ??= []).push({
      rule: 'RULE-002',
      intents,
      message: `${what}: ${action}`,
      numbers: { limit, value: size, symbol, size: limit <= 0 ? size : size - limit },
    });
  }
  return verdicts ?? NO_VERDICTS;
}
