// One enforcement action in a trader's words, for the dashboard's feed: "closed 2 MNQ: over your 1-contract
// limit". What was done comes from the intent, why from the rule and the numbers it recorded; the verdict's own
// message (row.reason) is the fallback. Internal names (endpoints, intent kinds) stay out of the text.
import { symbolOf } from '../../ledger/symbols.ts';
import { duration, money } from '../../format/plain.ts';
import type { EnforcementRow } from '../../store/index.ts';

export interface FeedLine {
  id: number | null;
  at: number;
  rule: string;
  /** "closed 2 MNQ: over your 1-contract limit" */
  text: string;
  /** in progress | done | failed | not needed */
  state: 'working' | 'done' | 'failed' | 'skipped';
}

type Nums = { limit?: unknown; value?: unknown; size?: unknown; symbol?: unknown };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function parse<T>(json: string | null | undefined): Partial<T> {
  try {
    const v = JSON.parse(json ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Partial<T>) : {};
  } catch {
    return {};
  }
}

/** What riskd did. */
function actionWords(intent: Record<string, unknown>, row: EnforcementRow, n: Nums): string {
  const contractId = str(intent['contractId']) ?? row.contractId ?? undefined;
  const sym = str(n.symbol) ?? (contractId ? symbolOf(contractId) : 'a position');
  switch (intent['type']) {
    case 'flatten':
      return 'closed every position and cancelled every order';
    case 'close': {
      const size = num(n.size);
      return size !== undefined ? `closed ${size} ${sym}` : `closed the ${sym} position`;
    }
    case 'reduce':
      return `closed ${num(intent['size']) ?? '?'} ${sym}`;
    case 'cancel':
      return contractId ? `cancelled 1 ${sym} order` : 'cancelled an order';
    case 'cancelAll':
      return str(intent['symbol']) ? `cancelled every ${String(intent['symbol'])} order` : 'cancelled every order';
    case 'moveStop':
      return `moved the ${sym} stop to ${num(intent['stopPrice']) ?? '?'}`;
    default:
      return 'acted';
  }
}

/** Why, from the rule and its numbers; undefined when the numbers do not say enough. */
function whyWords(rule: string, n: Nums): string | undefined {
  const limit = num(n.limit);
  const symbol = str(n.symbol);
  switch (rule) {
    case 'RULE-001':
      return limit !== undefined ? `over your ${limit}-contract limit` : undefined;
    case 'RULE-002':
      if (limit === 0 && symbol) return `${symbol} is not allowed`;
      return limit !== undefined && symbol ? `over your ${limit}-contract ${symbol} limit` : undefined;
    case 'RULE-003':
      return limit !== undefined ? `daily loss reached your ${money(limit)} limit` : undefined;
    case 'RULE-004':
      return limit !== undefined ? `open loss reached your ${money(limit)} limit` : undefined;
    case 'RULE-005':
      return limit !== undefined ? `open profit reached your ${money(limit)} target` : undefined;
    case 'RULE-008':
      return limit !== undefined ? `no stop loss within ${duration(limit)}` : 'no stop loss in time';
    case 'RULE-009':
      return 'outside your trading hours';
    case 'RULE-010':
      return 'the broker stopped allowing trading on this account';
    case 'RULE-011':
      return symbol ? `${symbol} is blocked` : undefined;
    case 'RULE-012':
      return 'protecting an open profit';
    case 'RULE-013':
      return limit !== undefined ? `daily profit reached your ${money(limit)} target` : undefined;
    default:
      return undefined;
  }
}

/**
 * The recorded reason when the numbers say too little. The account machine's kill-switch and lock-flatten
 * reasons lead with how the action came about; they read better with the lock's own reason in brackets.
 */
function reasonWords(reason: string): string {
  const rewrites: [RegExp, string][] = [
    [/^\S+ locked the account \((.*)\)$/s, 'account locked ($1)'],
    [/^new position while locked: (.*)$/s, 'opened while locked ($1)'],
    [/^position increased while locked: (.*)$/s, 'added to while locked ($1)'],
    [/^new order while locked: (.*)$/s, 'placed while locked ($1)'],
  ];
  for (const [re, to] of rewrites) if (re.test(reason)) return reason.replace(re, to);
  return reason;
}

function stateOf(status: EnforcementRow['status']): FeedLine['state'] {
  if (status === 'confirmed' || status === 'reconciled') return 'done';
  if (status === 'failed') return 'failed';
  if (status === 'skipped') return 'skipped';
  return 'working';
}

export function feedLine(row: EnforcementRow): FeedLine {
  const intent = parse<Record<string, unknown>>(row.intent);
  const n = parse<Nums>(row.numbers);
  const why = whyWords(row.rule, n) ?? reasonWords(row.reason);
  return { id: row.id ?? null, at: row.triggerAt, rule: row.rule, text: `${actionWords(intent, row, n)}: ${why}`, state: stateOf(row.status) };
}
