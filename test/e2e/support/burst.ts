// Breach bursts against the real riskd process (issue 14): the trader opens position after position and every
// one must be closed fast, with the REST budget (the simulator's limiter at the real 200 / 60 s) intact.
// Everything is measured at the simulator: hub frames as written, requests as received.
import type { Simulator, SimRequest } from '../../../src/sim/index.ts';
import { bodyOf, trader } from './sim.ts';

/**
 * Every REST request after `afterSeq` about the account or about no account in particular (Order/v2/query pages
 * carry the account inside a filter): a burst test runs alone against its riskd, so all of them are its cost.
 */
export function accountRequests(sim: Simulator, accountId: number, afterSeq: number): SimRequest[] {
  return sim.requests.filter((r) => r.seq > afterSeq && (bodyOf(r)['accountId'] ?? accountId) === accountId);
}

export interface BurstResult {
  /** Epoch ms the burst began. */
  startedAt: number;
  /** Market orders the trader sent. */
  opened: number;
  /** Positions opened from flat (the breaches): a buy while riskd is closing only grows the position it closes. */
  positions: number;
  /** Per opened position: ms from its position frame (written by the sim) to the closeContract that followed. */
  closeLagMs: number[];
  /** Opened positions no closeContract answered. */
  unanswered: number;
  /** Every REST request about the account during the burst and its settling tail (see accountRequests). */
  requests: SimRequest[];
  /** Requests any caller got a 429 for during the burst (the whole simulator, not only this account). */
  rateLimited: SimRequest[];
}

/**
 * The trader buys `size` of `contractId` every `everyMs` for `durationMs`; waits for the account to be flat and
 * `tailMs` more (for checks riskd runs after its closes), then pairs each opening position frame with the first
 * closeContract of that contract received after it.
 */
export async function revengeBurst(
  sim: Simulator,
  accountId: number,
  contractId: string,
  opts: { everyMs: number; durationMs: number; size?: number; tailMs?: number },
): Promise<BurstResult> {
  const seq0 = sim.requests.lastSeq();
  const opens: number[] = [];
  let positions = 0;
  let size = 0;
  const off = sim.onHubFrame((f) => {
    if (f.target !== 'GatewayUserPosition') return;
    const data = positionData(f.text);
    if (!data || data.accountId !== accountId || data.contractId !== contractId) return;
    if (data.size > 0) opens.push(f.at);
    if (data.size > 0 && size === 0) positions++;
    size = data.size;
  });
  const t = trader(sim, accountId);
  const n = Math.floor(opts.durationMs / opts.everyMs);
  const t0 = Date.now();
  try {
    for (let i = 0; i < n; i++) {
      const due = t0 + i * opts.everyMs;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      // Not flat yet (riskd has not closed the last one): the trader's buy adds to it, which is what a trader does.
      t.buy(contractId, opts.size ?? 1);
    }
    const flatBy = Date.now() + 3000;
    while (sim.state.positions(accountId).some((p) => p['contractId'] === contractId) && Date.now() < flatBy) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, opts.tailMs ?? 2500));
  } finally {
    off();
  }
  const requests = accountRequests(sim, accountId, seq0);
  const closes = requests.filter((r) => r.path === '/api/Position/closeContract' && bodyOf(r)['contractId'] === contractId);
  // A position frame that only grows a position riskd is already closing is not a new breach to answer: pair each
  // close with the first opening frame it follows, and every frame with the next close.
  const closeLagMs: number[] = [];
  let unanswered = 0;
  for (const at of opens) {
    const c = closes.find((r) => r.at >= at);
    if (c) closeLagMs.push(c.at - at);
    else unanswered++;
  }
  return {
    startedAt: t0,
    opened: n,
    positions,
    closeLagMs,
    unanswered,
    requests,
    rateLimited: sim.requests.filter((r) => r.seq > seq0 && r.status === 429),
  };
}

function positionData(text: string): { accountId: number; contractId: string; size: number } | undefined {
  try {
    // One SignalR JSON frame: {"type":1,"target":"GatewayUserPosition","arguments":[{action,data}]} + record separator.
    const msg = JSON.parse(text.replace(/\u001e$/, '')) as { arguments?: unknown[] };
    const arg = msg.arguments?.[0] as { data?: { accountId?: number; contractId?: string; size?: number } } | undefined;
    const d = arg?.data ?? (arg as { accountId?: number; contractId?: string; size?: number } | undefined);
    if (!d || typeof d.accountId !== 'number' || typeof d.contractId !== 'string' || typeof d.size !== 'number') return undefined;
    return { accountId: d.accountId, contractId: d.contractId, size: d.size };
  } catch {
    return undefined;
  }
}

/** Requests grouped by endpoint, for readable failure messages and reports. */
export function byEndpoint(requests: readonly SimRequest[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of requests) out[r.path.replace('/api/', '')] = (out[r.path.replace('/api/', '')] ?? 0) + 1;
  return out;
}
