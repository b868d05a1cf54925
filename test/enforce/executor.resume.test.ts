// Executor.resume: the enforcement_log rows a crash left 'pending' or 'sent' are the persisted in-flight actions.
// A close, reduce or cancel resumes through its chart's `resumed` start (a REST check before anything is sent);
// a stop move or place cannot (its goal needs what only the dead process knew) and is handed back.
import { describe, expect, it } from 'vitest';
import { FakeGateway } from './helpers/fakeGateway.ts';
import { makeHarness } from './helpers/harness.ts';
import { flush } from './helpers/manualClock.ts';
import type { EnforcementRow } from '../../src/enforce/types.ts';

const ACC = 13572468;
const MNQ = 'CON.F.US.MNQ.Z25';

function interruptedRow(h: ReturnType<typeof makeHarness>, fields: Partial<EnforcementRow> & Pick<EnforcementRow, 'intent' | 'endpoint'>): EnforcementRow {
  const row: EnforcementRow = { accountId: ACC, rule: 'RULE-003', reason: 'Daily loss', numbers: JSON.stringify({ positionSize: 2, attempts: 1 }), status: 'sent', triggerAt: h.clock.now() - 5000, contractId: MNQ, ...fields };
  return { ...row, id: h.store.enforcement.insert(row) };
}

describe('resuming interrupted actions', () => {
  it('a close whose position REST shows flat ends reconciled with no request but the check', async () => {
    const gw = new FakeGateway();
    const h = makeHarness(gw);
    const row = interruptedRow(h, { intent: JSON.stringify({ type: 'close', accountId: ACC, contractId: MNQ }), endpoint: 'Position/closeContract' });
    expect(h.executor.resume([row])).toEqual([]);
    await flush();
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/searchOpen']);
    expect(h.audit.list()).toMatchObject([{ id: row.id, status: 'reconciled', outcome: expect.stringMatching(/riskd restarted before its outcome was known; REST check: position is flat/) }]);
  });

  it('a close whose position REST shows unchanged is re-sent once, after the check', async () => {
    const gw = new FakeGateway();
    gw.openPosition(ACC, MNQ, 2);
    const h = makeHarness(gw);
    const row = interruptedRow(h, { intent: JSON.stringify({ type: 'close', accountId: ACC, contractId: MNQ }), endpoint: 'Position/closeContract', status: 'pending' });
    h.executor.resume([row]);
    await flush();
    await h.clock.advance(1000);
    expect(gw.calls.map((c) => c.endpoint)).toEqual(['Position/searchOpen', 'Order/v2/query', 'Position/closeContract']);
    expect(gw.position(ACC, MNQ)).toBeUndefined();
  });

  it('hands back what it cannot resume: a stop move, and a row whose key is already in flight', async () => {
    const gw = new FakeGateway();
    const h = makeHarness(gw);
    const stop = interruptedRow(h, { intent: JSON.stringify({ type: 'moveStop', accountId: ACC, contractId: MNQ, side: 1, size: 1, stopPrice: 99 }), endpoint: 'Order/modify', numbers: JSON.stringify({ orderId: 5, stopPrice: 99 }) });
    const close = interruptedRow(h, { intent: JSON.stringify({ type: 'close', accountId: ACC, contractId: MNQ }), endpoint: 'Position/closeContract' });
    const twin = interruptedRow(h, { intent: JSON.stringify({ type: 'close', accountId: ACC, contractId: MNQ }), endpoint: 'Position/closeContract' });
    expect(h.executor.resume([stop, close, twin]).map((r) => r.id)).toEqual([stop.id, twin.id]);
  });
});
