// The simulator half of the footprint day (bench/footprint.ts), run as a forked child so that the parent's memory
// samples are riskd's process alone. The parent owns the simulated clock: every message carries it (`t`), and
// the simulator's injected `now` reads the last value received. Protocol (IPC, JSON):
//   parent -> child: {type:'start', t, seed, accounts}   child -> parent: {type:'ready', gateway, credentials, contracts}
//   parent -> child: {type:'clock', t} | {type:'order', t, accountId, contractId, side, size}
//   parent -> child: {type:'memory', id}                 child -> parent: {type:'memory', id, usage}
//   parent -> child: {type:'close'}                      child closes the simulator and exits
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { OrderType, type OrderSide } from '../src/gateway/models.ts';

export type ParentMessage =
  | { type: 'start'; t: number; seed: number; accounts: { id: number; name: string; balance: number }[] }
  | { type: 'clock'; t: number }
  | { type: 'order'; t: number; accountId: number; contractId: string; side: OrderSide; size: number }
  | { type: 'memory'; id: number }
  | { type: 'close' };

export type ChildMessage =
  | {
      type: 'ready';
      gateway: { api_url: string; user_hub_url: string; market_hub_url: string };
      credentials: { userName: string; apiKey: string };
      contracts: { id: string; tickSize: number; bid: number }[];
    }
  | { type: 'memory'; id: number; usage: NodeJS.MemoryUsage }
  | { type: 'error'; message: string };

if (!process.send) throw new Error('bench/footprint-sim.ts runs only as a forked child of bench/footprint.ts');
const send = (m: ChildMessage) => process.send!(m);

let clock = 0;
let sim: Simulator | undefined;

process.on('message', (raw: unknown) => {
  const m = raw as ParentMessage;
  if ('t' in m) clock = Math.max(clock, m.t); // the simulated clock never goes back
  void handle(m).catch((err: unknown) => send({ type: 'error', message: `footprint-sim ${m.type}: ${(err as Error).message}` }));
});

async function handle(m: ParentMessage): Promise<void> {
  switch (m.type) {
    case 'start': {
      sim = await startSimulator({ seed: m.seed, accounts: m.accounts, now: () => clock, tokenTtlMs: 365 * 24 * 3600_000, rateLimit: { max: 1e9, windowMs: 60_000 } });
      const contracts = sim.contracts().map((c) => ({ id: c.id, tickSize: c.tickSize, bid: sim!.market.quote(c.id).bid }));
      send({ type: 'ready', gateway: { api_url: sim.url, user_hub_url: sim.userHubUrl, market_hub_url: sim.marketHubUrl }, credentials: sim.credentials, contracts });
      return;
    }
    case 'clock':
      return;
    case 'order': {
      const r = need(sim).trader.placeOrder({ accountId: m.accountId, contractId: m.contractId, type: OrderType.Market, side: m.side, size: m.size });
      if (!r.success) send({ type: 'error', message: `footprint-sim order on ${m.contractId} for account ${m.accountId} refused: ${JSON.stringify(r)}` });
      return;
    }
    case 'memory':
      send({ type: 'memory', id: m.id, usage: process.memoryUsage() });
      return;
    case 'close':
      await sim?.close();
      process.disconnect();
      return;
  }
}

function need(s: Simulator | undefined): Simulator {
  if (!s) throw new Error('simulator not started (no start message yet)');
  return s;
}
