// Gathers an account's past for a replay: what the cache holds, the rest over REST (Trade/search, Order/search,
// Contract/searchById, History/retrieveBars), with a progress report per request. The gateway is reached only
// when something is missing, so a second run over the same range is offline. Nothing is written here: the
// caller writes the returned CacheWrite once the whole replay has succeeded.
import type { Account, Contract, Order, Trade } from '../gateway/models.ts';
import { tradingDayId, type ResetSpec } from '../calendar/tradingDay.ts';
import type { CachedAccount, CacheWrite, ReplayCache } from './cache.ts';
import type { Bar, ReplayData } from './types.ts';

/** A bad request by the user (range, account, history): one line, and nothing written. */
export class ReplayInputError extends Error {
  override name = 'ReplayInputError';
}

export interface GatewayAccess {
  searchAccounts(): Promise<Account[]>;
  searchTrades(accountId: number, start: number, end: number): Promise<Trade[]>;
  searchOrders(accountId: number, start: number, end: number): Promise<Order[]>;
  contractById(contractId: string): Promise<Contract>;
  /** Minute bars in [start, end), at most `limit` (the most recent of the window), oldest first. */
  retrieveBars(contractId: string, start: number, end: number, limit: number): Promise<Bar[]>;
}

export interface Progress {
  /** `total` more steps are known to come. */
  plan(total: number, what: string): void;
  step(what: string): void;
  done(): void;
}

export const MAX_BARS_PER_REQUEST = 20_000;
const MINUTE = 60_000;

export interface GatherOptions {
  cache: ReplayCache | undefined;
  /** Logs in on first use (only when the cache cannot answer). */
  gateway: () => Promise<GatewayAccess>;
  /** --account, else the accounts.yaml list decides (one configured or one visible account). */
  accountName: string | undefined;
  /** Who logs in (gateway URL and user name): the cache remembers which account a run without --account used. */
  login: string;
  configuredNames: readonly string[];
  since: number;
  until: number;
  tradingDay: ResetSpec;
  progress?: Progress;
  now: number;
}

const fmt = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export async function gatherHistory(o: GatherOptions): Promise<{ data: ReplayData; write: CacheWrite }> {
  const write: CacheWrite = { trades: [], orders: [], contracts: [], bars: {}, windows: [] };
  let gw: GatewayAccess | undefined;
  const gateway = async (): Promise<GatewayAccess> => (gw ??= await o.gateway());
  const account = await resolveAccount(o, gateway, write);
  const key = String(account.id);

  let trades: Trade[];
  let orders: Order[];
  const cached = o.cache && o.cache.covered('trades', key, o.since, o.until) && o.cache.covered('orders', key, o.since, o.until);
  if (cached) {
    trades = o.cache!.trades(account.id, o.since, o.until);
    orders = o.cache!.orders(account.id, o.since, o.until);
  } else {
    const g = await gateway();
    o.progress?.plan(2, 'fills and orders');
    trades = (await g.searchTrades(account.id, o.since, o.until)).filter((t) => t.accountId === account.id);
    o.progress?.step('Trade/search');
    orders = (await g.searchOrders(account.id, o.since, o.until)).filter((x) => x.accountId === account.id);
    o.progress?.step('Order/search');
    write.trades = trades;
    write.orders = orders;
    write.windows.push({ kind: 'trades', key, start: o.since, end: o.until }, { kind: 'orders', key, start: o.since, end: o.until });
  }
  trades = trades.filter((t) => !t.voided && t.creationTimestamp >= o.since && t.creationTimestamp <= o.until).sort((a, b) => a.creationTimestamp - b.creationTimestamp || a.id - b.id);
  orders = orders.sort((a, b) => a.creationTimestamp - b.creationTimestamp || a.id - b.id);
  if (trades.length === 0) {
    throw new ReplayInputError(`no fills for account ${account.name} between ${fmt(o.since)} and ${fmt(o.until)}: nothing to replay (empty range)`);
  }

  const contracts: Contract[] = [];
  for (const id of [...new Set(trades.map((t) => t.contractId))]) {
    let c = o.cache?.contract(id);
    if (!c) {
      c = await (await gateway()).contractById(id);
      write.contracts.push(c);
    }
    contracts.push(c);
  }

  const bars: Record<string, Bar[]> = {};
  const windows = barWindows(trades, o.tradingDay);
  const missing = windows.filter((w) => !o.cache?.covered('bars', w.contractId, w.start, w.end));
  if (missing.length > 0) o.progress?.plan(missing.length, 'minute bars');
  for (const w of windows) {
    const name = contracts.find((c) => c.id === w.contractId)?.name ?? w.contractId;
    let got: Bar[];
    if (!missing.includes(w)) got = o.cache!.bars(w.contractId, w.start, w.end - 1);
    else {
      got = (await (await gateway()).retrieveBars(w.contractId, w.start, w.end, MAX_BARS_PER_REQUEST)).filter((b) => b.t >= w.start && b.t < w.end);
      o.progress?.step(`History/retrieveBars ${name}`);
      // A window starts at a fill's minute, which has a bar wherever the gateway still keeps them. The last
      // minutes before now have no finished bar yet: such a window is neither an error nor cached.
      const finished = w.end <= o.now - MINUTE;
      if (finished && (got.length === 0 || got[0]!.t > w.start)) {
        throw new ReplayInputError(
          `the gateway keeps no minute bars for ${name} between ${fmt(w.start)} and ${fmt(w.end)}: that range is beyond what it keeps (try a later --since)`,
        );
      }
      (write.bars[w.contractId] ??= []).push(...got);
      if (finished) write.windows.push({ kind: 'bars', key: w.contractId, start: w.start, end: w.end });
    }
    const list = (bars[w.contractId] ??= []);
    list.push(...got);
  }
  for (const id of Object.keys(bars)) {
    const seen = new Map(bars[id]!.map((b) => [b.t, b]));
    bars[id] = [...seen.values()].sort((a, b) => a.t - b.t);
  }
  o.progress?.done();
  return { data: { account, since: o.since, until: o.until, contracts, trades, orders, bars }, write };
}

async function resolveAccount(o: GatherOptions, gateway: () => Promise<GatewayAccess>, write: CacheWrite): Promise<CachedAccount> {
  const wanted = o.accountName ?? (o.configuredNames.length === 1 ? o.configuredNames[0] : undefined);
  const hit = wanted !== undefined ? o.cache?.account(wanted) : o.cache?.defaultAccount(o.login);
  if (hit) return hit;
  const visible = await (await gateway()).searchAccounts();
  const listed = o.configuredNames.length > 0 ? visible.filter((v) => o.configuredNames.includes(v.name)) : visible;
  let a: Account | undefined;
  if (wanted !== undefined) {
    a = visible.find((v) => v.name === wanted || String(v.id) === wanted);
    if (!a) throw new ReplayInputError(`unknown account ${wanted}: not visible to this API key (visible: ${visible.map((v) => v.name).join(', ') || 'none'})`);
  } else if (listed.length === 1) a = listed[0];
  else if (listed.length === 0) throw new ReplayInputError('no account is visible to this API key');
  else throw new ReplayInputError(`several accounts (${listed.map((v) => v.name).join(', ')}): pick one with --account NAME`);
  const acc = { id: a!.id, name: a!.name, balance: a!.balance };
  write.account = acc;
  if (wanted === undefined) write.defaultFor = o.login;
  return acc;
}

/**
 * The windows minute bars are needed for: per contract and trading day, from the minute of the first fill to two
 * minutes after the last (positions are open only in between); consecutive days of a contract share one request
 * while the span stays within 20,000 minutes (one request's bars at most), so a month costs a few requests.
 */
export function barWindows(trades: readonly Trade[], spec: ResetSpec): { contractId: string; start: number; end: number }[] {
  const spans = new Map<string, { contractId: string; start: number; end: number }>();
  for (const t of trades) {
    const k = `${t.contractId}|${tradingDayId(t.creationTimestamp, spec)}`;
    const start = Math.floor(t.creationTimestamp / MINUTE) * MINUTE;
    const end = start + 2 * MINUTE;
    const s = spans.get(k);
    if (!s) spans.set(k, { contractId: t.contractId, start, end });
    else {
      s.start = Math.min(s.start, start);
      s.end = Math.max(s.end, end);
    }
  }
  const out: { contractId: string; start: number; end: number }[] = [];
  const sorted = [...spans.values()].sort((x, y) => x.contractId.localeCompare(y.contractId) || x.start - y.start);
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.contractId === s.contractId && s.end - last.start <= MAX_BARS_PER_REQUEST * MINUTE) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out.sort((x, y) => x.start - y.start || x.contractId.localeCompare(y.contractId));
}
