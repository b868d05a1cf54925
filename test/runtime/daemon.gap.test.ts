// The daemon in-process against the simulator: a breach that happens while the hubs are down is enforced
// once the connection machine reconciles after the reconnect (hub events during the gap are lost for good).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, DEMO_ACCOUNTS, type Simulator } from '../../src/sim/index.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log/logger.ts';
import { Daemon } from '../../src/runtime/daemon.ts';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';

const ACCOUNT = DEMO_ACCOUNTS[0]!.id;
const MNQ = 'CON.F.US.MNQ.Z26';

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('daemon across a hub outage', () => {
  let sim: Simulator;
  let daemon: Daemon;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, accounts: [DEMO_ACCOUNTS[0]!] });
    const dir = mkdtempSync(join(tmpdir(), 'riskd-gap-'));
    writeFileSync(join(dir, 'risk.yaml'), 'rules:\n  max_contracts: { enabled: true, limit: 2 }\n');
    writeFileSync(join(dir, 'accounts.yaml'), simAccountsYaml(sim, { apiKey: '${KEY}' }));
    const config = loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env: { KEY: sim.credentials.apiKey } });
    daemon = await Daemon.start({ config, dataDir: join(dir, 'data'), logger: createLogger({ terminal: false }), tickMs: 500 });
  });

  afterAll(async () => {
    await daemon?.stop();
    await sim?.close();
  });

  it('is live after start, with both hubs connected', () => {
    const st = daemon.status();
    expect(st.phase).toBe('live');
    expect(st.connection.live).toBe(true);
    expect(st.hubs.user.state).toBe('connected');
    expect(st.hubs.market.state).toBe('connected');
  });

  it('enforces a breach made during a hub outage once REST tells about it', async () => {
    const seen = sim.requests.lastSeq();
    sim.control.dropHubs('both');
    // The trader buys 4 (limit 2) while riskd is blind on the hubs.
    const placed = sim.trader.placeOrder({ accountId: ACCOUNT, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 4 });
    expect(placed.success).toBe(true);
    const reduce = await sim.requests.waitForRequest((r) => r.path === '/api/Position/partialCloseContract', 20_000, { afterSeq: seen });
    expect(reduce.body).toMatchObject({ accountId: ACCOUNT, contractId: MNQ, size: 2 });
    await until('position reduced to 2 in the ledger', () => daemon.registry.get(ACCOUNT)?.position(MNQ)?.size === 2);
    await until('live again', () => daemon.status().connection.live);
    // Exactly one reduction: the replayed REST snapshot and later hub events never double it.
    await new Promise((r) => setTimeout(r, 1500));
    const reductions = sim.requests.filter((r) => r.seq > seen && r.path === '/api/Position/partialCloseContract');
    expect(reductions).toHaveLength(1);
  });
});
