// REST fault injection: 429 / 500 / timeout (hang), per path, and whether a hung mutation executed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { login, MNQ, post, PRAC } from './helpers.ts';

let sim: Simulator;
let token: string;
beforeEach(async () => {
  sim = await startSimulator({ seed: 21 });
  token = await login(sim);
});
afterEach(async () => sim.close());

const close = () => post(sim, '/api/Position/closeContract', { accountId: PRAC, contractId: MNQ }, token);

describe('restFaults', () => {
  it('rate 1 with 500 fails every matching call without executing it; other paths are untouched', async () => {
    sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: 2, side: 0, size: 1 });
    sim.control.restFaults({ rate: 1, kinds: ['500'], paths: ['/api/Position/closeContract'] });
    const r = await close();
    expect(r.status).toBe(500);
    expect(sim.state.positions(PRAC)).toHaveLength(1);
    expect((await post(sim, '/api/Position/searchOpen', { accountId: PRAC }, token)).status).toBe(200);
    expect(sim.requests.byPath('/api/Position/closeContract')[0]).toMatchObject({ status: 500, fault: '500' });
    sim.control.restFaults(null);
    expect((await close()).body.success).toBe(true);
  });

  it('429 faults carry Retry-After', async () => {
    sim.control.restFaults({ rate: 1, kinds: ['429'] });
    const r = await post(sim, '/api/Account/search', { onlyActiveAccounts: true }, token);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
  });

  it('timeout hangs past the client timeout and, with timeoutExecutes (default), the mutation happened', async () => {
    sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: 2, side: 0, size: 1 });
    sim.control.restFaults({ rate: 1, kinds: ['timeout'], paths: ['/api/Position/closeContract'] });
    const ac = new AbortController();
    const call = fetch(`${sim.url}/api/Position/closeContract`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ accountId: PRAC, contractId: MNQ }),
      signal: ac.signal,
    });
    const logged = await sim.requests.waitForRequest((r) => r.fault === 'timeout', 2000);
    expect(logged).toMatchObject({ status: 0, executed: true });
    expect(sim.state.positions(PRAC)).toHaveLength(0); // executed although no answer came
    ac.abort(); // the client's own timeout
    await expect(call).rejects.toThrow();
  });

  it('timeoutExecutes:false hangs without executing', async () => {
    sim.trader.placeOrder({ accountId: PRAC, contractId: MNQ, type: 2, side: 0, size: 1 });
    sim.control.restFaults({ rate: 1, kinds: ['timeout'], timeoutExecutes: false, hangMs: 50 });
    const call = close();
    await expect(call).rejects.toThrow(); // the sim destroys the socket after hangMs
    expect(sim.state.positions(PRAC)).toHaveLength(1);
    expect(sim.requests.entries.at(-1)).toMatchObject({ fault: 'timeout', executed: false });
  });

  it('a fractional rate with a seed injects a reproducible share of failures', async () => {
    const run = async (): Promise<number[]> => {
      const s = await startSimulator({ seed: 99 });
      const t = await login(s);
      s.control.restFaults({ rate: 0.3, kinds: ['500'] });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await post(s, '/api/Account/search', { onlyActiveAccounts: true }, t)).status);
      await s.close();
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const failures = a.filter((x) => x === 500).length;
    expect(failures).toBeGreaterThan(2);
    expect(failures).toBeLessThan(20);
  });

  it('rejects nonsense fault settings with a clear error', () => {
    expect(() => sim.control.restFaults({ rate: 2, kinds: ['500'] })).toThrow(/rate must be in \[0, 1\]/);
    expect(() => sim.control.hubFaults({ duplicate: -1 })).toThrow(/hubFaults.duplicate/);
  });
});
