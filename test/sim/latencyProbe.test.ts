// The simulator's opt-in timing hook (bench/latency-process.ts): one breach = the first matching hub frame, closed
// by the first matching request after it; both on the simulator's clock.
import type { HubConnection } from '@microsoft/signalr';
import { afterEach, describe, expect, it } from 'vitest';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { hub, login, MNQ, post, PRAC } from './helpers.ts';

let sim: Simulator;
let conn: HubConnection | undefined;
afterEach(async () => {
  await conn?.stop().catch(() => undefined);
  await sim.close();
});

describe('probeLatency', () => {
  it('pairs the breach frame with the answering request; requests with no breach open are not samples', async () => {
    sim = await startSimulator({ seed: 5 });
    const token = await login(sim);
    conn = hub(sim.userHubUrl, () => token);
    const seen: number[] = [];
    conn.on('GatewayUserPosition', ({ data }: { data: { size: number } }) => seen.push(data.size));
    await conn.start();
    await conn.invoke('SubscribePositions', PRAC);
    const probe = sim.probeLatency({
      frame: (f) => f.target === 'GatewayUserPosition' && f.text.includes('"size":2,'),
      request: (r) => r.path === '/api/Position/partialCloseContract',
    });
    const close = () => post(sim, '/api/Position/partialCloseContract', { accountId: PRAC, contractId: MNQ, size: 1 }, token);
    await close(); // no breach open yet: not a sample (the gateway refuses it, there is no position)
    const buy = () => sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 1 });
    buy();
    buy(); // size 2: the breach frame
    const first = probe.next(2_000);
    await close();
    const s = await first;
    expect(s.ms).toBeGreaterThan(0);
    expect(s.requestAt - s.frameAt).toBe(s.ms);
    expect(probe.samples).toHaveLength(1);
    await close(); // no breach open: ignored
    expect(probe.samples).toHaveLength(1);
    await expect(probe.next(50)).rejects.toThrow('no matching request within 50 ms');
    probe.stop();
    expect(seen).toContain(2);
  });
});
