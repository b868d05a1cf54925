// RULE-011 symbol_blocks: no positions or working orders in a blocked symbol. Matching is by trader symbol,
// case-insensitive and exact (ES does not block MES; EP contracts are ES). Each blocked symbol with activity
// gets its positions closed, its orders cancelled (one cancelAll of the symbol: the same intent the symbol
// lock asks for as it begins, so the two merge into one) and a symbol lock.
import type { RiskRules } from '../config/types.ts';
import type { RuleContext } from './context.ts';
import type { Intent, Verdict } from './types.ts';
import { NO_VERDICTS } from './util.ts';
import { contracts } from './format.ts';

export function isSymbolBlocked(cfg: RiskRules['symbol_blocks'], symbol: string): boolean {
  const s = symbol.toUpperCase();
  return cfg.symbols.some((b) => b.toUpperCase() === s);
}

export function symbolBlocks(cfg: RiskRules['symbol_blocks'], ctx: RuleContext): readonly Verdict[] {
  if (!cfg.enabled || cfg.symbols.length === 0 || ctx.event.kind === 'quote') return NO_VERDICTS;
  const { view } = ctx;
  const bySymbol = new Map<string, { intents: Intent[]; size: number; orders: number }>();
  const entry = (symbol: string) => {
    const key = symbol.toUpperCase();
    let e = bySymbol.get(key);
    if (!e) bySymbol.set(key, (e = { intents: [], size: 0, orders: 0 }));
    return e;
  };
  for (const p of view.positions()) {
    if (!isSymbolBlocked(cfg, p.symbol)) continue;
    const e = entry(p.symbol);
    e.intents.push({ type: 'close', accountId: view.accountId, contractId: p.contractId });
    e.size += p.size;
  }
  for (const o of view.workingOrders()) {
    const symbol = view.symbolOf(o.contractId);
    if (!isSymbolBlocked(cfg, symbol)) continue;
    const e = entry(symbol);
    if (e.orders === 0) e.intents.push({ type: 'cancelAll', accountId: view.accountId, symbol: symbol.toUpperCase() });
    e.orders += 1;
  }
  if (bySymbol.size === 0) return NO_VERDICTS;
  const verdicts: Verdict[] = [];
  for (const [symbol, e] of bySymbol) {
    const done: string[] = [];
    if (e.size > 0) done.push(`closed ${contracts(e.size)}`);
    if (e.orders > 0) done.push(`cancelled ${e.orders} order${e.orders === 1 ? '' : 's'}`);
    const reason = `${symbol} is a blocked symbol`;
    verdicts.push({
      rule: 'RULE-011',
      intents: e.intents,
      lock: { kind: 'symbol', rule: 'RULE-011', reason, symbol },
      message: `${reason}: ${done.join(' and ')}, ${symbol} locked`,
      numbers: { symbol, size: e.size },
    });
  }
  return verdicts;
}
