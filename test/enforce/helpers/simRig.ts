// The executor wired to the REAL simulator through the REAL REST client (and, optionally, the real hub client),
// with a tiny ledger standing in for src/ledger: it loads positions/orders by REST, applies hub events, serves the
// AccountStateView and hands every change to executor.confirmFromLedger, as the runtime does.
import { onTestFinished, vi } from 'vitest';
import { TokenManager } from '../../../src/gateway/auth.ts';
import { HubClient } from '../../../src/gateway/hubs.ts';
import { isWorkingStatus, type GatewayEvent, type Order, type Position } from '../../../src/gateway/models.ts';
import { ProjectXRest } from '../../../src/gateway/rest.ts';
import { DEMO_ACCOUNTS, startSimulator, type SimRequest, type Simulator } from '../../../src/sim/index.ts';
import type { AccountStateView, ExecutorOptions, LedgerChange } from '../../../src/enforce/types.ts';
import { makeHarness, type Harness } from './harness.ts';

export const PRAC = DEMO_ACCOUNTS[0]!.id; // simulated: true
export const LIVE = DEMO_ACCOUNTS[1]!.id; // simulated: false (refuses cancel and partial close)

class MiniLedger {
  private positions = new Map<number, Map<string, Position>>();
  private orders = new Map<number, Map<number, Order>>();
  onChange: (accountId: number, change: LedgerChange) => void = () => {};

  async load(rest: ProjectXRest, accountId: number): Promise<void> {
    const [ps, os] = await Promise.all([rest.searchOpenPositions(accountId), rest.queryWorkingOrders(accountId)]);
    this.positions.set(accountId, new Map(ps.map((p) => [p.contractId, p])));
    this.orders.set(accountId, new Map(os.map((o) => [o.id, o])));
  }

  apply(e: GatewayEvent): void {
    if (e.kind === 'position') {
      const p = e.position;
      const m = this.acct(this.positions, p.accountId);
      if (p.size === 0) m.delete(p.contractId);
      else m.set(p.contractId, p);
      this.onChange(p.accountId, { kind: 'position', contractId: p.contractId, size: p.size });
    } else if (e.kind === 'order') {
      const o = e.order;
      const m = this.acct(this.orders, o.accountId);
      if (isWorkingStatus(o.status)) m.set(o.id, { ...m.get(o.id), ...o });
      else m.delete(o.id);
      this.onChange(o.accountId, { kind: 'order', order: o });
    }
  }

  view(accountId: number): AccountStateView {
    return {
      positions: () => [...this.acct(this.positions, accountId).values()].map((p) => ({ contractId: p.contractId, size: p.size, symbol: symbolOf(p.contractId) })),
      workingOrders: () => [...this.acct(this.orders, accountId).values()],
      symbolOf,
    };
  }

  private acct<K, V>(m: Map<number, Map<K, V>>, accountId: number): Map<K, V> {
    let x = m.get(accountId);
    if (!x) m.set(accountId, (x = new Map()));
    return x;
  }
}

const symbolOf = (contractId: string): string => contractId.split('.')[3] ?? contractId;

const MUTATIONS = ['/api/Position/closeContract', '/api/Position/partialCloseContract', '/api/Order/cancel', '/api/Order/modify', '/api/Order/place'];

export interface SimRig extends Harness {
  sim: Simulator;
  rest: ProjectXRest;
  ledger: MiniLedger;
  MNQ: string;
  ES: string;
  /** REST mutations riskd sent to the simulator, in order: path and body. */
  mutations(): { path: string; body: Record<string, unknown> }[];
  /** Every REST call riskd made (paths), login excluded. */
  paths(): string[];
  /** Open a position as the trader would (market order) and wait until REST shows it. */
  open(accountId: number, contractId: string, side: 0 | 1, size: number): Promise<void>;
}

export async function simRig(opts: { hub?: boolean; ledgerView?: boolean; options?: ExecutorOptions } = {}): Promise<SimRig> {
  const sim = await startSimulator({ seed: 11 });
  const tokens = new TokenManager({ baseUrl: sim.url, userName: sim.credentials.userName, apiKey: sim.credentials.apiKey, autoRefresh: false });
  // A short timeout so the simulator's hung requests surface quickly as GatewayTimeoutError.
  const rest = new ProjectXRest({ baseUrl: sim.url, tokens, timeoutMs: 400, readRetryDelaysMs: [50] });
  const ledger = new MiniLedger();
  const h = makeHarness(rest, {
    ...(opts.ledgerView === false ? {} : { view: (a: number) => ledger.view(a) }),
    ...(opts.options ? { options: opts.options } : {}),
  });
  ledger.onChange = (a, change) => h.executor.confirmFromLedger(a, change);
  let hubs: HubClient | undefined;
  if (opts.hub !== false) {
    await tokens.ensure();
    hubs = new HubClient({
      userHubUrl: sim.userHubUrl,
      marketHubUrl: sim.marketHubUrl,
      tokens,
      accountIds: [PRAC, LIVE],
      onEvent: (e) => ledger.apply(e),
      autoRestart: false,
    });
    await hubs.start();
  }
  onTestFinished(async () => {
    await hubs?.stop();
    await sim.close();
  });
  const contracts = sim.contracts();
  const MNQ = contracts.find((c) => c.id.includes('.MNQ.'))!.id;
  const ES = contracts.find((c) => c.id.includes('.EP.'))!.id;
  const isRiskd = (r: SimRequest): boolean => !r.path.includes('/Auth/');
  return {
    ...h,
    sim,
    rest,
    ledger,
    MNQ,
    ES,
    mutations: () =>
      sim.requests.filter((r) => isRiskd(r) && MUTATIONS.some((m) => m.toLowerCase() === r.path.toLowerCase())).map((r) => ({ path: r.path, body: r.body as Record<string, unknown> })),
    paths: () => sim.requests.filter(isRiskd).map((r) => r.path),
    open: async (accountId, contractId, side, size) => {
      const r = sim.trader.placeOrder({ accountId, contractId, type: 2, side, size });
      if (!r.success) throw new Error(`sim trader order failed: ${JSON.stringify(r)}`);
      await vi.waitFor(async () => {
        const ps = await rest.searchOpenPositions(accountId);
        if (!ps.some((p) => p.contractId === contractId)) throw new Error('position not open yet');
      });
      await ledger.load(rest, accountId);
      sim.requests.clear();
    },
  };
}
