// "Enforcement still happens, once": duplicated and reordered hub events plus 429/500/timeouts on every
// mutation, while the same close is asked for again and again. Each position must be exited exactly once.
import { expect, it } from 'vitest';
import { OrderSide } from '../../src/gateway/models.ts';
import { PRAC, simRig } from './helpers/simRig.ts';

it('flatten under hub and REST faults exits every position exactly once', async () => {
  const rig = await simRig({ options: { maxAttempts: 6 } });
  const { sim, executor, request, clock, rest, reevaluations } = rig;
  const contracts = sim.contracts().slice(0, 6).map((c) => c.id);
  for (const [i, c] of contracts.entries()) await rig.open(PRAC, c, i % 2 === 0 ? OrderSide.Bid : OrderSide.Ask, i + 1);

  sim.control.hubFaults({ duplicate: 0.5, reorder: 0.5 });
  sim.control.restFaults({
    rate: 0.7,
    kinds: ['429', '500', 'timeout'],
    paths: ['/api/Position/closeContract', '/api/Order/cancel'],
    hangMs: 600,
  });
  const flatten = request({ type: 'flatten', accountId: PRAC });
  const closes = contracts.map((c) => request({ type: 'close', accountId: PRAC, contractId: c }, 'RULE-004', 'Unrealized loss'));
  const work = [executor.execute([flatten]), executor.execute(closes), executor.execute(closes)];

  // The caller's side of re-evaluation: whatever REST still shows open after an action settles is closed again.
  let handled = 0;
  for (let turn = 0; turn < 200; turn++) {
    await clock.advance(250, () => new Promise((r) => setTimeout(r, 15)));
    for (; handled < reevaluations.length; handled++) {
      const open = await rest.searchOpenPositions(PRAC);
      const again = open.map((p) => request({ type: 'close', accountId: PRAC, contractId: p.contractId }, 'kill-switch', 'Account locked'));
      if (again.length > 0) work.push(executor.execute(again));
    }
    if (executor.inFlight().length === 0 && (await rest.searchOpenPositions(PRAC)).length === 0) break;
  }
  sim.control.restFaults(null);
  await Promise.all(work);

  expect(await rest.searchOpenPositions(PRAC)).toEqual([]);
  for (const c of contracts) {
    const exits = sim.state.trades(PRAC).filter((t) => t.contractId === c && t.profitAndLoss !== null);
    expect(exits, `exits of ${c}`).toHaveLength(1);
  }
  const rows = rig.audit.list();
  expect(rows.filter((r) => r.status === 'pending' || r.status === 'sent')).toEqual([]);
  // The faults really happened (the simulator's fault sequence is seeded).
  const faulted = sim.requests.filter((r) => r.fault !== undefined);
  expect(faulted.length).toBeGreaterThan(0);
});
