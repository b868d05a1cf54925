// The daemon in-process against the simulator: the events of one socket read reach the router in the order
// readOrder.ts sets. A fill's order updates are judged after the read's trade, position and account events (in
// arrival order, before the next read); REST snapshot events keep their place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, DEMO_ACCOUNTS, type Simulator } from '../../src/sim/index.ts';
import { simAccountsYaml } from '../../src/sim/accountsYaml.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log/logger.ts';
import { Daemon } from '../../src/runtime/daemon.ts';
import { parseUserHubEvent, type UserHubEventName } from '../../src/gateway/parse/hubEvents.ts';
import type { GatewayEvent } from '../../src/gateway/models.ts';
import { judgedAfterTheRead } from '../../src/runtime/readOrder.ts';
import { P } from '../gateway/fixtures/payloads.ts';

const PRAC = DEMO_ACCOUNTS[0]!.id;
const MNQ = 'CON.F.US.MNQ.Z26';

/** A hub event of the fixture payload, moved to the simulator's account. */
function hubEvent(target: UserHubEventName, payload: { action: number; data: Record<string, unknown> }, at: number, source: 'hub' | 'rest' = 'hub'): GatewayEvent {
  const r = parseUserHubEvent(target, { action: payload.action, data: { ...payload.data, accountId: PRAC, contractId: MNQ } }, at);
  if (!r.ok) throw new Error(r.failure.reason);
  return { ...r.value, source } as GatewayEvent;
}

describe('one socket read, judged in readOrder.ts order', () => {
  let sim: Simulator;
  let daemon: Daemon;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 7 });
    const dir = mkdtempSync(join(tmpdir(), 'riskd-readorder-'));
    writeFileSync(join(dir, 'risk.yaml'), 'rules: {}\n');
    writeFileSync(join(dir, 'accounts.yaml'), simAccountsYaml(sim, { apiKey: '${KEY}' }));
    const config = loadConfig({ riskPath: join(dir, 'risk.yaml'), accountsPath: join(dir, 'accounts.yaml'), env: { KEY: sim.credentials.apiKey } });
    daemon = await Daemon.start({ config, dataDir: join(dir, 'data'), logger: createLogger({ terminal: false }) });
  });

  afterAll(async () => {
    await daemon?.stop();
    await sim?.close();
  });

  it("judges a fill's order updates after its trade and position, in arrival order, before the next read", async () => {
    const seen: string[] = [];
    const handle = daemon.router.handle;
    daemon.router.handle = (ev) => {
      seen.push(ev.kind === 'order' ? `order:${ev.order.status}` : ev.kind);
      handle(ev);
    };
    try {
      const at = Date.now();
      // One read, as the user hub writes a market fill: the order working, then filled, the trade, the position.
      daemon.ingest(hubEvent('GatewayUserOrder', P.hubOrderEntryPending, at));
      daemon.ingest(hubEvent('GatewayUserOrder', P.hubOrderEntryFilled, at));
      daemon.ingest(hubEvent('GatewayUserTrade', P.hubTradeOpening, at));
      daemon.ingest(hubEvent('GatewayUserPosition', P.hubPositionOpened, at));
      expect(seen).toEqual(['trade', 'position']);
      await Promise.resolve(); // the read is over: its order updates follow, in arrival order
      expect(seen).toEqual(['trade', 'position', `order:${P.hubOrderEntryPending.data.status}`, `order:${P.hubOrderEntryFilled.data.status}`]);
      expect(daemon.registry.get(PRAC)?.position(MNQ)?.size).toBe(2);
    } finally {
      daemon.router.handle = handle;
    }
  });

  it('keeps REST snapshot events and everything but hub orders in place', () => {
    const at = Date.now();
    expect(judgedAfterTheRead(hubEvent('GatewayUserOrder', P.hubOrderEntryFilled, at))).toBe(true);
    expect(judgedAfterTheRead(hubEvent('GatewayUserOrder', P.hubOrderEntryFilled, at, 'rest'))).toBe(false);
    expect(judgedAfterTheRead(hubEvent('GatewayUserTrade', P.hubTradeOpening, at))).toBe(false);
    expect(judgedAfterTheRead(hubEvent('GatewayUserPosition', P.hubPositionOpened, at))).toBe(false);
  });
});
