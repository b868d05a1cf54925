// A hub position on a contract riskd has no tick facts for is held "unverified" until Contract/searchById names
// it: the rules never see a position the gateway denies, and a real one is never lost (README item 2); when REST
// cannot answer, the position is applied unconfirmed and enforced.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, type UnknownContractFailure } from '../../src/runtime/router.ts';
import type { Contract } from '../../src/gateway/models.ts';
import { GatewayError, GatewayHttpError } from '../../src/gateway/errors.ts';
import { ACC, MNQ, T0, posEv, registry } from '../ledger/helpers.ts';
import { collector, recordingLogger } from './routerFixtures.ts';

const NQ = 'CON.F.US.ENQ.Z25';
const NOPE = 'CON.F.US.NOPE.Z26';
const nq: Contract = { id: NQ, name: 'NQZ5', description: '', tickSize: 0.25, tickValue: 5, activeContract: true, symbolId: 'F.US.ENQ' };
const notListed = () => new GatewayError('/api/Contract/searchById', 1, null, 200);

afterEach(() => vi.useRealTimers());

describe('router: positions on unconfirmed contracts', () => {
  it('holds a hub position until the gateway names its contract, then applies it (opened, changed, contract)', async () => {
    const r = registry();
    const col = collector();
    let answer: (c: Contract) => void = () => {};
    const runs: number[] = [];
    const runReleased = (apply: () => void) => {
      runs.push(col.changes.length);
      apply(); // the daemon wraps this in a store transaction and refreshes the quote subscription
    };
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger(), fetchContract: () => new Promise((res) => (answer = res)), runReleased });
    router.handle(posEv({ id: 1, contractId: NQ, size: 1 }, T0));
    router.handle(posEv({ id: 1, contractId: NQ, size: 2 }, T0 + 1));
    expect(r.get(ACC)!.openContractsTotal()).toBe(0); // rules cannot count it yet
    expect(col.kinds()).toEqual([]);
    expect(router.unverified().get(NQ)).toBe(2);
    answer(nq);
    await router.idle();
    expect(col.kinds()).toEqual(['position:opened', 'position:changed', 'contract']);
    expect(r.get(ACC)!.position(NQ)?.size).toBe(2);
    expect(router.unverified().size).toBe(0);
    expect(runs).toEqual([0]); // both held events applied in one run
  });

  it('drops a position the gateway does not list, reports it with its payload, and never touches the real ones', async () => {
    const r = registry();
    const col = collector();
    const log = recordingLogger();
    const dropped: UnknownContractFailure[] = [];
    const router = createRouter({ registry: r, onChange: col.onChange, logger: log, fetchContract: async () => { throw notListed(); }, onUnknownContract: (f) => dropped.push(f) });
    router.handle(posEv({ id: 7, contractId: MNQ, size: 3 }, T0));
    router.handle(posEv({ id: 99, contractId: NOPE, size: 3 }, T0 + 1));
    await router.idle();
    expect(r.get(ACC)!.openContractsTotal()).toBe(3);
    expect(r.get(ACC)!.position(NOPE)).toBeUndefined();
    expect(col.kinds()).toEqual(['position:opened']);
    expect(dropped).toEqual([{ contractId: NOPE, reason: expect.stringContaining('searchById'), payload: expect.objectContaining({ id: 99, contractId: NOPE, size: 3 }) }]);
    expect(log.lines.some((l) => l.level === 'warn' && l.msg.includes('does not list'))).toBe(true);
    expect(router.unverified().size).toBe(0);
  });

  it('REST unreachable: a failed lookup applies the held position UNCONFIRMED at once (rules enforce it); the retry confirms it', async () => {
    vi.useFakeTimers();
    const r = registry();
    const col = collector();
    const log = recordingLogger();
    let calls = 0;
    const fetchContract = async (): Promise<Contract> => {
      if (++calls === 1) throw new GatewayHttpError('/api/Contract/searchById', 500, 'server error', false);
      return nq;
    };
    const router = createRouter({ registry: r, onChange: col.onChange, logger: log, fetchContract, contractRetryMs: 1_000 });
    router.handle(posEv({ id: 1, contractId: NQ, size: 2 }, T0));
    await router.idle();
    expect(router.unverified().size).toBe(0);
    expect(router.unconfirmed().has(NQ)).toBe(true);
    expect(r.get(ACC)!.openContractsTotal()).toBe(2); // size rules count it now
    expect(r.get(ACC)!.position(NQ)?.symbol).toBe('NQ'); // from the contractId root (ENQ -> NQ)
    expect(col.kinds()).toEqual(['position:opened']);
    expect(log.lines.some((l) => l.level === 'warn' && l.msg.includes('UNCONFIRMED'))).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    await router.idle();
    expect(calls).toBe(2);
    expect(router.unconfirmed().size).toBe(0);
    expect(col.kinds()).toEqual(['position:opened', 'contract']); // tick facts arrive: unrealized P&L can be computed
    expect(r.get(ACC)!.position(NQ)?.size).toBe(2);
  });

  it('REST hangs: the held position is applied unconfirmed after maxHoldMs, not after the lookup gives up', async () => {
    vi.useFakeTimers();
    const r = registry();
    const col = collector();
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger(), fetchContract: () => new Promise(() => {}), maxHoldMs: 3_000 });
    router.handle(posEv({ id: 1, contractId: NQ, size: 2 }, T0));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(r.get(ACC)!.openContractsTotal()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.get(ACC)!.openContractsTotal()).toBe(2);
    expect(col.kinds()).toEqual(['position:opened']);
  });

  it('an unconfirmed position the gateway later denies leaves the ledger again', async () => {
    vi.useFakeTimers();
    const r = registry();
    const col = collector();
    let calls = 0;
    const fetchContract = async (): Promise<Contract> => {
      throw ++calls === 1 ? new GatewayHttpError('/api/Contract/searchById', 500, 'server error', false) : notListed();
    };
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger(), fetchContract, contractRetryMs: 1_000 });
    router.handle(posEv({ id: 99, contractId: NOPE, size: 3 }, T0));
    await router.idle();
    expect(r.get(ACC)!.openContractsTotal()).toBe(3);
    await vi.advanceTimersByTimeAsync(1_000);
    await router.idle();
    expect(r.get(ACC)!.openContractsTotal()).toBe(0);
    expect(col.kinds()).toEqual(['position:opened', 'position:closed']);
    expect(router.unconfirmed().size).toBe(0);
  });

  it('applies a REST snapshot position at once (the gateway named it), and later hub updates of a position the ledger already holds', async () => {
    const r = registry();
    const col = collector();
    const router = createRouter({ registry: r, onChange: col.onChange, logger: recordingLogger(), fetchContract: () => new Promise(() => {}) });
    router.handle(posEv({ id: 1, contractId: NQ, size: 1 }, T0, 1, 'rest'));
    router.handle(posEv({ id: 1, contractId: NQ, size: 2 }, T0 + 1));
    expect(col.kinds()).toEqual(['position:opened', 'position:changed']);
    expect(router.unverified().size).toBe(0);
  });

  it('a flood naming a contract the gateway just refused is dropped without asking again; after a minute it asks again', async () => {
    const r = registry();
    const dropped: UnknownContractFailure[] = [];
    let calls = 0;
    const router = createRouter({ registry: r, onChange: () => {}, logger: recordingLogger(), fetchContract: async () => { calls++; throw notListed(); }, onUnknownContract: (f) => dropped.push(f) });
    router.handle(posEv({ id: 99, contractId: NOPE, size: 3 }, T0));
    await router.idle();
    for (let i = 1; i <= 100; i++) router.handle(posEv({ id: 99, contractId: NOPE, size: 3 }, T0 + i * 100));
    await router.idle();
    expect(calls).toBe(1);
    expect(dropped).toHaveLength(101);
    router.handle(posEv({ id: 99, contractId: NOPE, size: 3 }, T0 + 60_000));
    await router.idle();
    expect(calls).toBe(2);
    expect(r.get(ACC)!.openContractsTotal()).toBe(0);
  });
});
