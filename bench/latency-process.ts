// Enforcement latency with riskd as a SEPARATE process (the real `riskd start`), the simulator in this one:
// no shared event loop. Same breach as bench/latency.ts (RULE-001, one contract over a limit of 6, reduced by
// partialCloseContract); frame send time and request arrival are both taken on the simulator's clock.
// riskd's own REST budget (200 calls / 60 s, enforced inside the process) is NOT lifted here, so breaches are
// paced to stay inside it (each costs ~4 calls: the reduce plus the post-enforcement checks).
// Run: node bin/run-ts.js bench/latency-process.ts [breaches]
import { startSimulator } from '../src/sim/index.ts';
import { OrderSide, OrderType } from '../src/gateway/models.ts';
import { RiskdProcess } from '../test/reliability/support/riskdProcess.ts';
import { BASE_RISK, machine, sleep, summary } from './support/inProcess.ts';

const LIMIT = 6;

export async function runLatencyProcess(breaches: number): Promise<string[]> {
  const acct = { id: 930001, name: 'LATP-1', balance: 50000 };
  const sim = await startSimulator({ seed: 21, accounts: [acct], rateLimit: { max: 1e9, windowMs: 60_000 } });
  const riskd = await RiskdProcess.start({ sim, accountNames: [acct.name], risk: { ...BASE_RISK, rules: { max_contracts: { enabled: true, limit: LIMIT, action: 'reduce_to_limit' } } } });
  const mnq = sim.contracts().find((c) => c.id.includes('.MNQ.'))!.id;
  const size = () => Number(sim.state.positions(acct.id).find((p) => p['contractId'] === mnq)?.['size'] ?? 0);
  const buy = (n: number) => sim.trader.placeOrder({ accountId: acct.id, contractId: mnq, type: OrderType.Market, side: OrderSide.Bid, size: n });
  const lat: number[] = [];
  try {
    buy(LIMIT);
    await sleep(1000);
    for (let i = 0; i < breaches; i++) {
      let frameAt = 0;
      const off = sim.onHubFrame((f) => {
        if (frameAt === 0 && f.target === 'GatewayUserPosition' && f.text.includes(`"size":${LIMIT + 1}`)) frameAt = f.at;
      });
      const after = sim.requests.lastSeq();
      const req = sim.requests.waitForRequest((r) => /partialCloseContract/i.test(r.path), 20_000, { afterSeq: after });
      buy(1);
      const r = await req;
      off();
      lat.push(r.at - frameAt);
      while (size() !== LIMIT) await sleep(10);
      await sleep(1200); // pacing: stay inside riskd's 200 calls / 60 s budget
    }
    return [`riskd as a separate process, ${breaches} breaches: frame sent -> enforcing request received  ${summary(lat, 'ms', 3)}`];
  } finally {
    await riskd.dispose();
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`enforcement latency, riskd in its own process; ${machine()}`);
  for (const l of await runLatencyProcess(Number(process.argv[2] ?? 100))) console.log(l);
}
