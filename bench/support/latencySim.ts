// The simulator half of the side-by-side latency benchmark (bench/latency-process.ts), forked so that neither the
// enforcer under test nor the benchmark's bookkeeping shares its event loop. It provokes the breaches itself and
// times them with its own clock (Simulator.probeLatency: breach frame written -> close request received).
// Protocol (IPC):
//   parent -> child: {type:'start', seed, account}          child -> parent: {type:'ready', gateway, credentials, contractId}
//   parent -> child: {type:'run', limit, warmup, breaches, pacingMs}
//                                                           child -> parent: {type:'result', ms, restCalls, missed}
//   parent -> child: {type:'close'}                          child closes the simulator and exits
import { performance } from 'node:perf_hooks';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';

export interface SimAccount {
  id: number;
  name: string;
  balance: number;
}

export type ParentMessage =
  | { type: 'start'; seed: number; account: SimAccount }
  | { type: 'run'; limit: number; warmup: number; breaches: number; pacingMs: number }
  | { type: 'close' };

export type ChildMessage =
  | { type: 'ready'; gateway: Pick<Simulator, 'url' | 'userHubUrl' | 'marketHubUrl' | 'credentials'>; contractId: string }
  | {
      type: 'result';
      /** Breach frame written -> close request received, ms, per timed breach. */
      ms: number[];
      /** REST calls the enforcer made per breach (every call from breach to breach, warm-up excluded). */
      restCalls: number[];
      /** Breaches with no close request within 5 s. */
      missed: number;
    }
  | { type: 'error'; message: string };

if (!process.send) throw new Error('bench/support/latencySim.ts runs only as a forked child of bench/latency-process.ts');
const send = (m: ChildMessage) => process.send!(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Simulator | undefined;
let account: SimAccount | undefined;
let contractId = '';

process.on('message', (raw: unknown) => {
  const m = raw as ParentMessage;
  void handle(m).catch((err: unknown) => send({ type: 'error', message: `latency-sim ${m.type}: ${(err as Error).stack ?? String(err)}` }));
});

async function handle(m: ParentMessage): Promise<void> {
  switch (m.type) {
    case 'start': {
      account = m.account;
      // The gateway's REST limit is lifted: riskd's own budget (200 / 60 s) still paces riskd, inside riskd.
      sim = await startSimulator({ seed: m.seed, accounts: [m.account], rateLimit: { max: 1e9, windowMs: 60_000 }, requestLogLimit: 1000 });
      contractId = sim.contracts().find((c) => c.id.includes('.MNQ.'))!.id;
      const { url, userHubUrl, marketHubUrl, credentials } = sim;
      send({ type: 'ready', gateway: { url, userHubUrl, marketHubUrl, credentials }, contractId });
      return;
    }
    case 'run':
      send(await run(m));
      return;
    case 'close':
      await sim?.close();
      process.disconnect();
      return;
  }
}

async function run(o: Extract<ParentMessage, { type: 'run' }>): Promise<ChildMessage> {
  const s = sim!;
  const acct = account!;
  const size = () => Number(s.state.positions(acct.id).find((p) => p['contractId'] === contractId)?.['size'] ?? 0);
  const buy = (n: number) => s.trader.placeOrder({ accountId: acct.id, contractId, type: OrderType.Market, side: OrderSide.Bid, size: n });
  const waitForSize = async (n: number, timeoutMs: number) => {
    const t0 = performance.now();
    while (size() !== n) {
      if (performance.now() - t0 > timeoutMs) throw new Error(`position stayed at ${size()}, expected ${n}`);
      await sleep(5);
    }
  };
  const breachText = `"size":${o.limit + 1},`;
  const probe = s.probeLatency({
    frame: (f) => f.target === 'GatewayUserPosition' && f.text.includes(breachText),
    request: (r) => r.path === '/api/Position/partialCloseContract',
  });
  const ms: number[] = [];
  const restCalls: number[] = [];
  let missed = 0;
  try {
    if (size() !== 0) throw new Error(`run starts with a position of ${size()}`);
    buy(o.limit);
    await sleep(1500); // the enforcer sees the position at its limit (riskd reconciles it) before the first breach
    for (let i = 0; i < o.warmup + o.breaches; i++) {
      const before = s.requests.lastSeq();
      const answer = probe.next(5000);
      buy(1);
      try {
        const sample = await answer;
        if (i >= o.warmup) ms.push(sample.ms);
      } catch {
        if (i >= o.warmup) missed++;
      }
      await waitForSize(o.limit, 5000);
      await sleep(o.pacingMs);
      if (i >= o.warmup) restCalls.push(s.requests.lastSeq() - before);
    }
  } finally {
    probe.stop();
    s.trader.closeContract(acct.id, contractId); // flat again for the next enforcer
  }
  return { type: 'result', ms, restCalls, missed };
}
