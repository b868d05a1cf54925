import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/runtime/router.ts';
import type { Contract, GatewayEvent } from '../../src/gateway/models.ts';
import { ACC, MNQ, T0, posEv, registry, tradeEv } from '../ledger/helpers.ts';
import { collector, recordingLogger } from './routerFixtures.ts';

describe('router', () => {
  it('applies events and hands each change to onChange with the account view', () => {
    const r = registry();
    const col = collector();
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger() });
    router.handle(posEv({ id: 1, size: 2 }, T0));
    router.handle(tradeEv({ id: 1 }, T0));
    router.handle(tradeEv({ id: 1 }, T0 + 5)); // duplicate: nothing
    expect(col.kinds()).toEqual(['position:opened', 'fill']);
    expect(col.changes[0]!.accountId).toBe(ACC);
  });

  it('ignores unknown accounts (debug log) and never throws on malformed events or failing handlers', () => {
    const r = registry();
    const log = recordingLogger();
    let calls = 0;
    const router = createRouter({ registry: r, onChange: () => { calls++; throw new Error('boom'); }, logger: log });
    router.handle({ ...posEv({ id: 1, accountId: 42 }, T0) });
    expect(log.lines.some((l) => l.level === 'debug' && l.msg.includes('does not watch'))).toBe(true);
    router.handle({ kind: 'trade', source: 'hub', receivedAt: T0 } as unknown as GatewayEvent);
    router.handle({ kind: 'quote', source: 'hub', receivedAt: T0, quote: {} } as unknown as GatewayEvent);
    router.handle(null as unknown as GatewayEvent);
    router.handle(posEv({ id: 1 }, T0));
    expect(calls).toBe(1);
    expect(log.lines.filter((l) => l.level === 'error' || l.level === 'warn').length).toBeGreaterThanOrEqual(3);
    expect(r.get(ACC)!.openContractsTotal()).toBe(1); // the ledger still updated despite the failing handler
  });

  it('quotes reach only accounts holding the contract, with a reused change object', () => {
    const r = registry();
    const other = r.open(777, T0);
    const col = collector();
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger() });
    router.handle(posEv({ id: 1 }, T0));
    col.changes.length = 0;
    for (let i = 0; i < 3; i++) router.handle({ kind: 'quote', source: 'hub', receivedAt: T0 + i, quote: { contractId: MNQ, bestBid: 100 + i } });
    router.handle({ kind: 'quote', source: 'hub', receivedAt: T0, quote: { contractId: 'CON.F.US.EP.Z25', bestBid: 1 } });
    expect(col.changes.map((c) => c.accountId)).toEqual([ACC, ACC, ACC]);
    expect(col.changes[0]!.change).toBe(col.changes[1]!.change);
    expect(other.positions()).toEqual([]);
    expect(r.get(ACC)!.position(MNQ)!.mark).toBe(102);
  });

  it('fetches an unknown contract once, then tells holders its tick facts are known', async () => {
    const r = registry();
    const col = collector();
    const NQ = 'CON.F.US.ENQ.Z25';
    let fetched = 0;
    const fetchContract = async (id: string): Promise<Contract> => {
      fetched++;
      return { id, name: 'NQZ5', description: '', tickSize: 0.25, tickValue: 5, activeContract: true, symbolId: 'F.US.ENQ' };
    };
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger(), fetchContract });
    router.handle(posEv({ id: 1, contractId: NQ }, T0));
    router.handle(posEv({ id: 1, contractId: NQ, size: 2 }, T0 + 1));
    await router.idle();
    expect(fetched).toBe(1);
    expect(col.kinds()).toEqual(['position:opened', 'position:changed', 'contract']);
    expect(r.contracts.get(NQ)?.tickValue).toBe(5);
  });

  it('markEnforcementOrder re-attributes fills and reports them', () => {
    const r = registry();
    const col = collector();
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger() });
    router.handle(tradeEv({ id: 9, orderId: 99 }, T0));
    router.markEnforcementOrder(ACC, 99);
    expect(col.kinds()).toEqual(['fill', 'fillAttributed']);
  });

  it('rollDue resets the day for every ledger at the reset', () => {
    const r = registry();
    const col = collector();
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger() });
    router.handle(tradeEv({ id: 1, profitAndLoss: -10, side: 1 }, T0));
    const end = r.get(ACC)!.tradingDayEnd;
    router.rollDue(end - 1);
    expect(r.get(ACC)!.realizedGrossToday()).toBe(-10);
    router.rollDue(end);
    expect(col.kinds()).toEqual(['fill', 'tradingDay']);
    expect(r.get(ACC)!.realizedGrossToday()).toBe(0);
    expect(r.get(ACC)!.fillsToday()).toEqual([]);
  });
});
