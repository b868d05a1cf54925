// "The strongest action wins; intents are deduplicated" (rules.md): a flatten (the executor closes every
// position and cancels every working order) subsumes every close, reduce, cancelAll and cancel of the account; a close subsumes reduces of its contract (several reduces of one contract keep the largest);
// an account-wide cancelAll subsumes symbol cancelAlls and single cancels, a symbol cancelAll the cancels of
// orders in that symbol; a stop move waits while its position is flattened, closed or reduced (several keep the
// tightest). Output is ordered strongest first: flatten, close, reduce, cancelAll, cancel, moveStop.
import type { LedgerView } from '../ledger/view.ts';
import { OrderSide } from '../gateway/models.ts';
import type { Intent } from './types.ts';

type Of<T extends Intent['type']> = Extract<Intent, { type: T }>;

/** `view` (optional) names the symbol of a working order, so a symbol cancelAll can subsume its cancels. */
export function resolveIntents(intents: readonly Intent[], view?: Pick<LedgerView, 'workingOrders' | 'symbolOf'>): Intent[] {
  let flatten: Of<'flatten'> | undefined;
  let cancelAllAccount: Of<'cancelAll'> | undefined;
  const closes = new Map<string, Of<'close'>>();
  const reduces = new Map<string, Of<'reduce'>>();
  const symbolCancelAlls = new Map<string, Of<'cancelAll'>>();
  const cancels = new Map<number, Of<'cancel'>>();
  const moves = new Map<string, Of<'moveStop'>>();

  for (const i of intents) {
    switch (i.type) {
      case 'flatten':
        flatten ??= i;
        break;
      case 'close':
        if (!closes.has(i.contractId)) closes.set(i.contractId, i);
        break;
      case 'reduce': {
        const prev = reduces.get(i.contractId);
        if (!prev || i.size > prev.size) reduces.set(i.contractId, i);
        break;
      }
      case 'cancelAll':
        if (i.symbol === undefined) cancelAllAccount ??= i;
        else if (!symbolCancelAlls.has(i.symbol.toUpperCase())) symbolCancelAlls.set(i.symbol.toUpperCase(), i);
        break;
      case 'cancel':
        if (!cancels.has(i.orderId)) cancels.set(i.orderId, i);
        break;
      case 'moveStop': {
        const prev = moves.get(i.contractId);
        const tighter = !prev || (i.side === OrderSide.Ask ? i.stopPrice > prev.stopPrice : i.stopPrice < prev.stopPrice);
        if (tighter) moves.set(i.contractId, i);
        break;
      }
    }
  }

  const out: Intent[] = [];
  if (flatten) out.push(flatten);
  else {
    for (const c of closes.values()) out.push(c);
    for (const r of reduces.values()) if (!closes.has(r.contractId)) out.push(r);
  }
  if (flatten) {
    // its cancels are part of it
  } else if (cancelAllAccount) out.push(cancelAllAccount);
  else {
    for (const c of symbolCancelAlls.values()) out.push(c);
    for (const c of cancels.values()) {
      if (symbolCancelAlls.size > 0 && symbolCancelAlls.has(orderSymbol(view, c.orderId))) continue;
      out.push(c);
    }
  }
  // After a reduce the stop would be larger than the position: the next position event re-evaluates it.
  if (!flatten) for (const m of moves.values()) if (!closes.has(m.contractId) && !reduces.has(m.contractId)) out.push(m);
  return out;
}

function orderSymbol(view: Pick<LedgerView, 'workingOrders' | 'symbolOf'> | undefined, orderId: number): string {
  if (!view) return '';
  const o = view.workingOrders().find((w) => w.id === orderId);
  return o ? view.symbolOf(o.contractId).toUpperCase() : '';
}
