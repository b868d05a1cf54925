// Coalesced REST looks: one in flight and at most one queued per account; a look that started after the caller's
// mark serves it.
import { describe, expect, it } from 'vitest';
import { Coalesced, lookMark } from '../../src/enforce/coalesced.ts';

function deferredLooks() {
  const pending: { accountId: number; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  let n = 0;
  const c = new Coalesced<string>((accountId) => new Promise((resolve, reject) => pending.push({ accountId, resolve: () => resolve(`look ${++n}`), reject })));
  return { c, pending };
}

describe('Coalesced', () => {
  it('callers during a look share one queued look, started when the first ends', async () => {
    const { c, pending } = deferredLooks();
    const first = c.get(1);
    const a = c.get(1);
    const b = c.get(1);
    expect(pending).toHaveLength(1);
    pending[0]!.resolve('');
    expect(await first).toBe('look 1');
    await Promise.resolve();
    expect(pending).toHaveLength(2);
    pending[1]!.resolve('');
    expect(await a).toBe('look 2');
    expect(await b).toBe('look 2');
  });

  it('accounts are independent', () => {
    const { c, pending } = deferredLooks();
    void c.get(1);
    void c.get(2);
    expect(pending.map((p) => p.accountId)).toEqual([1, 2]);
  });

  it('a look that started after the mark serves the caller, in flight or finished', async () => {
    const { c, pending } = deferredLooks();
    const mark = lookMark();
    const first = c.get(1);
    expect(c.get(1, mark)).toBe(first); // in flight, started after the mark
    pending[0]!.resolve('');
    await first;
    expect(await c.get(1, mark)).toBe('look 1'); // finished, still after the mark
    expect(pending).toHaveLength(1);
    void c.get(1); // no mark: a fresh look
    expect(pending).toHaveLength(2);
  });

  it('a failed look fails its callers only; the next caller gets a new look', async () => {
    const { c, pending } = deferredLooks();
    const first = c.get(1);
    pending[0]!.reject(new Error('HTTP 500'));
    await expect(first).rejects.toThrow('HTTP 500');
    const again = c.get(1);
    expect(pending).toHaveLength(2);
    pending[1]!.resolve('');
    expect(await again).toBe('look 1');
  });
});
