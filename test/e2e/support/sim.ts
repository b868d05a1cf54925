// E2E helpers around the in-process simulator: one sim per test file with one account per test (tests in a
// file share the market but never an account), trader shortcuts, the REST calls riskd made, and waiting on
// conditions (never fixed sleeps for correctness).
import { waitFor as pollUntil } from '../../reliability/support/wait.ts';
import { startSimulator, type Simulator, type SimRequest } from '../../../src/sim/index.ts';
import { OrderSide, OrderType } from '../../../src/gateway/models.ts';

export const MNQ = 'CON.F.US.MNQ.Z26';
export const MES = 'CON.F.US.MES.Z26';
export const NQ = 'CON.F.US.ENQ.Z26';
export const ES = 'CON.F.US.EP.Z26';
export const RTY = 'CON.F.US.RTY.Z26';
export const M2K = 'CON.F.US.M2K.Z26';
export const CL = 'CON.F.US.CLE.F27';

/** The REST paths riskd uses to enforce (the trader acts through sim.trader, which is not REST). */
export const ENFORCEMENT_PATHS = [
  '/api/Position/closeContract',
  '/api/Position/partialCloseContract',
  '/api/Order/cancel',
  '/api/Order/place',
  '/api/Order/modify',
] as const;

export interface E2ESim {
  sim: Simulator;
  /** Account ids and names, one per test, handed out in order. */
  nextAccount(): { id: number; name: string };
  close(): Promise<void>;
}

/**
 * One simulator with `n` simulated accounts named <prefix>-1..n. `clockSkewMs` sets the gateway's clock off
 * riskd's (negative: behind), as a PC clock off by seconds would: every gateway stamp is shifted by it.
 */
export async function startE2ESim(prefix: string, n: number, seed = 7, opts: { clockSkewMs?: number } = {}): Promise<E2ESim> {
  const base = 700000 + Math.floor(Math.random() * 90000) * 10;
  const accounts = Array.from({ length: n }, (_, i) => ({ id: base + i, name: `E2E-${prefix}-${i + 1}`, balance: 50000 }));
  const skew = opts.clockSkewMs ?? 0;
  const sim = await startSimulator({ seed, accounts, ...(skew !== 0 ? { now: () => Date.now() + skew } : {}) });
  let next = 0;
  return {
    sim,
    nextAccount: () => {
      const a = accounts[next++];
      if (!a) throw new Error(`e2e sim ${prefix}: only ${n} accounts, raise the count`);
      return { id: a.id, name: a.name };
    },
    close: () => sim.close(),
  };
}

/** The body of a logged request as a record. */
export function bodyOf(r: SimRequest): Record<string, unknown> {
  return (r.body ?? {}) as Record<string, unknown>;
}

const isEnforcementPath = (p: string) => ENFORCEMENT_PATHS.some((x) => x.toLowerCase() === p.toLowerCase());

/** Mutating calls riskd made for `accountId` (optionally one path), oldest first. */
export function enforcementCalls(sim: Simulator, accountId: number, path?: string, afterSeq = 0): SimRequest[] {
  return sim.requests.filter(
    (r) => r.seq > afterSeq && isEnforcementPath(r.path) && (path === undefined || r.path.toLowerCase() === path.toLowerCase()) && bodyOf(r)['accountId'] === accountId,
  );
}

/** A compact, comparable form of a call: endpoint plus the fields that matter. */
export function summarize(r: SimRequest): string {
  const b = bodyOf(r);
  const ep = r.path.replace('/api/', '');
  const parts = [ep];
  if (b['contractId'] !== undefined) parts.push(String(b['contractId']));
  if (b['size'] !== undefined && b['size'] !== null) parts.push(`size=${String(b['size'])}`);
  if (b['orderId'] !== undefined) parts.push(`order=${String(b['orderId'])}`);
  return parts.join(' ');
}

/** Waits for the first matching riskd call for the account (already made or future). */
export function waitForCall(sim: Simulator, accountId: number, path: string, timeoutMs = 8000, match: (b: Record<string, unknown>) => boolean = () => true, afterSeq = 0): Promise<SimRequest> {
  return sim.requests
    .waitForRequest((r) => r.path.toLowerCase() === path.toLowerCase() && bodyOf(r)['accountId'] === accountId && match(bodyOf(r)), timeoutMs, { afterSeq })
    .catch((e: Error) => {
      const seen = enforcementCalls(sim, accountId).map(summarize);
      throw new Error(`${e.message}: waited for ${path} on account ${accountId}; riskd's calls so far: ${JSON.stringify(seen)}`);
    });
}

/** Polls `check` every 25 ms until it is truthy; fails naming `what` (and `detail()` for context). */
export function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 8000, detail?: () => string): Promise<T> {
  return pollUntil(what, check, timeoutMs, detail);
}

/** A short observation window, only to assert that something did NOT happen. */
export const observe = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function positionSize(sim: Simulator, accountId: number, contractId: string): number {
  const p = sim.state.positions(accountId).find((x) => x['contractId'] === contractId);
  if (!p) return 0;
  const size = Number(p['size']);
  return p['type'] === 2 ? -size : size;
}

export function workingOrders(sim: Simulator, accountId: number): Record<string, unknown>[] {
  return sim.state.orders(accountId).filter((o) => o['status'] === 1 || o['status'] === 6);
}

/** Trader shortcuts (the platform, not REST: they never show up in the request log). */
export function trader(sim: Simulator, accountId: number) {
  const market = (contractId: string, side: OrderSide, size: number, extra: Record<string, unknown> = {}) => {
    const r = sim.trader.placeOrder({ accountId, contractId, type: OrderType.Market, side, size, ...extra });
    if (!r.success) throw new Error(`trader market order refused: ${r.errorCode} ${r.errorMessage}`);
    return r.orderId;
  };
  return {
    buy: (contractId: string, size: number, extra?: Record<string, unknown>) => market(contractId, OrderSide.Bid, size, extra),
    sell: (contractId: string, size: number, extra?: Record<string, unknown>) => market(contractId, OrderSide.Ask, size, extra),
    /** A resting buy limit far below the market (stays working). */
    restingBuy: (contractId: string, size: number) => {
      const q = sim.market.quote(contractId);
      const tick = sim.contracts().find((c) => c.id === contractId)!.tickSize;
      const r = sim.trader.placeOrder({ accountId, contractId, type: OrderType.Limit, side: OrderSide.Bid, size, limitPrice: roundTick(q.bid - 200 * tick, tick) });
      if (!r.success) throw new Error(`trader limit order refused: ${r.errorCode} ${r.errorMessage}`);
      return r.orderId;
    },
    /** A protective stop `ticks` away on the loss side of the current market. */
    stop: (contractId: string, side: OrderSide, size: number, ticks: number) => {
      const q = sim.market.quote(contractId);
      const tick = sim.contracts().find((c) => c.id === contractId)!.tickSize;
      const stopPrice = side === OrderSide.Ask ? roundTick(q.bid - ticks * tick, tick) : roundTick(q.ask + ticks * tick, tick);
      const r = sim.trader.placeOrder({ accountId, contractId, type: OrderType.Stop, side, size, stopPrice });
      if (!r.success) throw new Error(`trader stop refused: ${r.errorCode} ${r.errorMessage}`);
      return r.orderId;
    },
    close: (contractId: string) => {
      const r = sim.trader.closeContract(accountId, contractId);
      if (!r.success) throw new Error(`trader close refused: ${r.errorCode} ${r.errorMessage}`);
    },
  };
}

export function roundTick(price: number, tick: number): number {
  return Math.round(Math.round(price / tick) * tick * 1e6) / 1e6;
}

export function tickOf(sim: Simulator, contractId: string): number {
  return sim.contracts().find((c) => c.id === contractId)!.tickSize;
}

/**
 * Waits until riskd subscribed to the contract's quotes (a print at the current touch reaches a subscribed market
 * hub connection; the simulator sends no snapshot on subscribe), then sets `q`, which must change the touch so
 * its new bid/ask go out to riskd.
 */
export async function quoteSeen(sim: Simulator, contractId: string, q: { bid: number; ask: number }, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  const sent = async (act: () => void): Promise<string | undefined> => {
    let text: string | undefined;
    const off = sim.onHubFrame((f) => {
      if (f.hub === 'market' && f.target === 'GatewayQuote' && f.text.includes(contractId)) text = f.text;
    });
    act();
    await new Promise((r) => setTimeout(r, 30));
    off();
    return text;
  };
  for (;;) {
    const cur = sim.market.quote(contractId);
    if (await sent(() => sim.market.setQuote(contractId, { bid: cur.bid, ask: cur.ask, last: cur.bid }))) break;
    if (Date.now() - t0 > timeoutMs) {
      const recent = sim.hubFrames().filter((f) => f.hub === 'market').slice(-5).map((f) => f.text.slice(0, 160));
      throw new Error(`riskd never subscribed to quotes of ${contractId} within ${timeoutMs} ms (market hub connections: ${sim.state.hubConnections('market')}; last market frames: ${JSON.stringify(recent)})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const text = await sent(() => sim.market.setQuote(contractId, q));
  if (!text) throw new Error(`quoteSeen(${contractId}): ${JSON.stringify(q)} did not change the touch, so riskd was not sent it`);
}

/** Whether the gateway accepted the call (HTTP 200 with success: true). */
export function succeeded(r: SimRequest): boolean {
  return r.status === 200 && (r.response as { success?: unknown } | null)?.success === true;
}

/**
 * riskd's calls for the account that the gateway accepted, summarized. Refused calls (a close of a contract
 * that was already flat, a cancel of an order already filled) changed nothing at the venue; the tests list
 * those separately where they matter.
 */
export function effectiveCalls(sim: Simulator, accountId: number, afterSeq = 0): string[] {
  return enforcementCalls(sim, accountId, undefined, afterSeq).filter(succeeded).map(summarize);
}
