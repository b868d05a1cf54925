// Gateway facts from live TopstepX captures (projectx-api.md §8.25-27) reproduced by the simulator: an exit
// order reported as one trade row per lot, `commissions` on stream trades but not on REST Trade/search rows,
// `contractDisplayName` on positions, and a second live expiry that Contract/available does not list.
import type { HubConnection } from '@microsoft/signalr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { hub, login, MNQ, post, PRAC, Recorder } from './helpers.ts';

const MNQ_H27 = 'CON.F.US.MNQ.H27';
let sim: Simulator;
let token: string;
let user: HubConnection;
let rec: Recorder;

beforeEach(async () => {
  sim = await startSimulator({ seed: 5, exitRowsPerLot: true });
  token = await login(sim);
  user = hub(sim.userHubUrl, () => token);
  rec = new Recorder().listen(user, 'GatewayUserTrade', 'GatewayUserPosition');
  await user.start();
  for (const m of ['SubscribePositions', 'SubscribeTrades']) await user.invoke(m, PRAC);
});
afterEach(async () => {
  await user.stop();
  await sim.close();
});

const market = (contractId: string, side: 0 | 1, size: number) => post(sim, '/api/Order/place', { accountId: PRAC, contractId, type: 2, side, size }, token);

describe('simulator: gateway facts', () => {
  it('an exit of 2 lots bought at different prices is two rows of one order, each with its lot P&L and fees', async () => {
    sim.market.setPrice(MNQ, 25800);
    await market(MNQ, 0, 1);
    sim.market.setPrice(MNQ, 25810);
    await market(MNQ, 0, 1);
    sim.market.setPrice(MNQ, 25750);
    const exit = (await market(MNQ, 1, 2)).body.orderId as number;
    await rec.until(() => rec.of('GatewayUserTrade').length === 4, 3000, '4 trade events');
    const rows = rec.of('GatewayUserTrade').map((a) => a[0].data).filter((d) => d.orderId === exit);
    // FIFO: the lot bought at 25800 loses 50 points ($100), the one at 25810 loses 60 ($120).
    expect(rows.map((d) => [d.size, d.profitAndLoss, d.fees, d.commissions])).toEqual([
      [1, -100, 0.37, 0.25],
      [1, -120, 0.37, 0.25],
    ]);
    expect(new Set(rows.map((d) => d.id)).size).toBe(2);
    expect(sim.accounts().find((a) => a.id === PRAC)!.balance).toBeCloseTo(50000 - 220 - 4 * 0.37, 6);
  });

  it('REST Trade/search rows carry fees but no commissions; the stream carries both', async () => {
    await market(MNQ, 0, 1);
    await rec.until(() => rec.of('GatewayUserTrade').length === 1, 3000, 'trade event');
    expect(rec.of('GatewayUserTrade')[0]![0].data).toMatchObject({ fees: 0.37, commissions: 0.25 });
    const rows = (await post(sim, '/api/Trade/search', { accountId: PRAC, startTimestamp: '2000-01-01T00:00:00Z' }, token)).body.trades as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ fees: 0.37 });
    expect('commissions' in rows[0]!).toBe(false);
  });

  it('a second live expiry trades, names itself in positions, is found by searchById but not listed by Contract/available', async () => {
    const available = (await post(sim, '/api/Contract/available', { live: false }, token)).body.contracts as { id: string }[];
    expect(available.map((c) => c.id)).toContain(MNQ);
    expect(available.map((c) => c.id)).not.toContain(MNQ_H27);
    const byId = (await post(sim, '/api/Contract/searchById', { contractId: MNQ_H27 }, token)).body;
    expect(byId).toMatchObject({ success: true, contract: { id: MNQ_H27, name: 'MNQH7', activeContract: true, symbolId: 'F.US.MNQ', tickSize: 0.25, tickValue: 0.5 } });
    expect((await market(MNQ_H27, 0, 2)).body.success).toBe(true);
    await market(MNQ, 0, 1);
    const positions = (await post(sim, '/api/Position/searchOpen', { accountId: PRAC }, token)).body.positions as Record<string, unknown>[];
    expect(positions.map((p) => [p['contractId'], p['contractDisplayName'], p['size']]).sort()).toEqual([
      [MNQ_H27, 'MNQH27', 2],
      [MNQ, 'MNQZ26', 1],
    ]);
  });
});
