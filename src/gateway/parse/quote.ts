// GatewayQuote arrives as (contractId, data) with only the changed fields: every field is optional, and a missing
// one is unknown, never 0. Merging deltas per contract is the ledger's job.
import type { QuoteDelta } from '../models.ts';
import { asObject, compact, optInstant, optNum, optStr } from './fields.ts';
import { PayloadError } from './failure.ts';

export function readQuote(contractIdArg: unknown, raw: unknown, path: string): QuoteDelta {
  const o = asObject(raw, path);
  const fromArg = typeof contractIdArg === 'string' && contractIdArg.length > 0 ? contractIdArg : undefined;
  const fromBody = optStr(o, 'contract', path) ?? optStr(o, 'contractId', path);
  const contractId = fromArg ?? fromBody;
  if (!contractId) throw new PayloadError(`${path}.contractId`, 'no contract id in the arguments or the payload');
  return compact<QuoteDelta>({
    contractId,
    symbol: optStr(o, 'symbol', path),
    lastPrice: optNum(o, 'lastPrice', path),
    bestBid: optNum(o, 'bestBid', path),
    bestAsk: optNum(o, 'bestAsk', path),
    change: optNum(o, 'change', path),
    changePercent: optNum(o, 'changePercent', path),
    open: optNum(o, 'open', path),
    high: optNum(o, 'high', path),
    low: optNum(o, 'low', path),
    volume: optNum(o, 'volume', path),
    lastUpdated: optInstant(o, 'lastUpdated', path)?.ms,
    timestamp: optInstant(o, 'timestamp', path)?.ms,
  });
}
