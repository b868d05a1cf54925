// Rows left 'pending'/'sent' by a crash are closed as failed on the next start; settled rows are untouched. Which of
// them resume, and as what action, is read from the row alone (resumableAction).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeInterruptedRows, resumableAction } from '../../src/enforce/interrupted.ts';
import type { EnforcementRow } from '../../src/enforce/types.ts';
import { openStore, type Store } from '../../src/store/index.ts';

let store: Store | undefined;
let dir: string | undefined;
afterEach(() => {
  store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('closes unsettled rows of the crashed run and leaves the rest alone', () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskd-enforce-'));
  store = openStore(path.join(dir, 'state.db'));
  const now = Date.UTC(2026, 10, 24, 16, 0, 0);
  const base = { accountId: 1, rule: 'RULE-003', intent: '{"type":"flatten","accountId":1}', reason: 'Daily loss', numbers: '{}' };
  const sent = store.enforcement.insert({ ...base, status: 'sent', triggerAt: now - 1000, outcome: 'accepted by the gateway (attempt 1); awaiting confirmation' });
  const pending = store.enforcement.insert({ ...base, status: 'pending', triggerAt: now - 900 });
  const done = store.enforcement.insert({ ...base, status: 'confirmed', triggerAt: now - 800 });
  const old = store.enforcement.insert({ ...base, status: 'sent', triggerAt: now - 30 * 24 * 3600_000 });

  expect(closeInterruptedRows(store.enforcement, now)).toBe(2);
  expect(store.enforcement.get(sent)).toMatchObject({ status: 'failed', outcome: expect.stringMatching(/^interrupted: .*\(last: accepted by the gateway/) });
  expect(store.enforcement.get(pending)).toMatchObject({ status: 'failed' });
  expect(store.enforcement.get(done)).toMatchObject({ status: 'confirmed' });
  expect(store.enforcement.get(old)).toMatchObject({ status: 'sent' });
});

describe('resumableAction', () => {
  const MNQ = 'CON.F.US.MNQ.Z25';
  const row = (r: Partial<EnforcementRow>): EnforcementRow => ({
    id: 5,
    accountId: 1,
    rule: 'RULE-001',
    intent: JSON.stringify({ type: 'close', accountId: 1, contractId: MNQ }),
    reason: 'Max contracts',
    numbers: '{}',
    status: 'sent',
    triggerAt: 1000,
    endpoint: 'Position/closeContract',
    contractId: MNQ,
    ...r,
  });

  it.each([
    { what: 'a close', r: row({ numbers: '{"positionSize":3,"attempts":2}' }), spec: { kind: 'close', key: `pos:1:${MNQ}`, contractId: MNQ, startSize: 3 }, attempts: 2 },
    {
      what: 'a reduce',
      r: row({ intent: JSON.stringify({ type: 'reduce', accountId: 1, contractId: MNQ, size: 2 }), endpoint: 'Position/partialCloseContract', numbers: '{"size":2,"positionSize":5}' }),
      spec: { kind: 'reduce', key: `pos:1:${MNQ}`, contractId: MNQ, size: 2, startSize: 5 },
      attempts: 1,
    },
    {
      what: 'a reduce that fell back to a close',
      r: row({ intent: JSON.stringify({ type: 'reduce', accountId: 1, contractId: MNQ, size: 2 }), numbers: '{"size":2,"attempts":0}' }),
      spec: { kind: 'close', key: `pos:1:${MNQ}`, contractId: MNQ, size: 2 },
      attempts: 1,
    },
    {
      what: 'a cancel (its order from the intent)',
      r: row({ intent: JSON.stringify({ type: 'cancel', accountId: 1, orderId: 41 }), endpoint: 'Order/cancel', contractId: null }),
      spec: { kind: 'cancel', key: 'ord:1:41', orderId: 41 },
      attempts: 1,
    },
    {
      what: 'a cancel of a flatten (its order from the numbers)',
      r: row({ intent: JSON.stringify({ type: 'flatten', accountId: 1 }), endpoint: 'Order/cancel', numbers: '{"orderId":42}' }),
      spec: { kind: 'cancel', key: 'ord:1:42', orderId: 42, contractId: MNQ },
      attempts: 1,
    },
  ])('resumes $what', ({ r, spec, attempts }) => {
    expect(resumableAction(r)).toEqual({ spec, req: { intent: JSON.parse(r.intent), rule: 'RULE-001', reason: 'Max contracts', triggerAt: 1000 }, attempts });
  });

  it.each([
    { what: 'a stop move', r: row({ endpoint: 'Order/modify' }) },
    { what: 'a stop place', r: row({ endpoint: 'Order/place' }) },
    { what: 'a row without an endpoint', r: row({ endpoint: null }) },
    { what: 'a close without a contract', r: row({ contractId: null }) },
    { what: 'a cancel without an order', r: row({ endpoint: 'Order/cancel' }) },
    { what: 'unreadable JSON', r: row({ numbers: '{' }) },
  ])('does not resume $what', ({ r }) => {
    expect(resumableAction(r)).toBeUndefined();
  });
});
