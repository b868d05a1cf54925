// RULE-001 max_contracts: Σ open contracts on the account must not exceed the limit.
// reduce_to_limit closes the excess, largest exposure first; close_all flattens the account.
import type { RiskRules } from '../config/types.ts';
import type { RuleContext } from './context.ts';
import type { Verdict } from './types.ts';
import { NO_VERDICTS, describeReductions, reduceLargestFirst } from './util.ts';

export function maxContracts(cfg: RiskRules['max_contracts'], ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled) return NO_VERDICTS;
  const { view } = ctx;
  const total = view.openContractsTotal();
  if (total <= cfg.limit) return NO_VERDICTS;
  const numbers = { limit: cfg.limit, value: total };
  if (cfg.action === 'close_all') {
    return [
      {
        rule: 'RULE-001',
        intents: [{ type: 'flatten', accountId: view.accountId }],
        message: `${total} contracts open, over your limit of ${cfg.limit}: closed all positions`,
        numbers,
      },
    ];
  }
  const excess = total - cfg.limit;
  const intents = reduceLargestFirst(view, view.positions(), excess);
  return [
    {
      rule: 'RULE-001',
      intents,
      message: `${total} contracts open, over your limit of ${cfg.limit}: reduced by ${excess} (${describeReductions(view, intents)})`,
      numbers: { ...numbers, size: excess },
    },
  ];
}
