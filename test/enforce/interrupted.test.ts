// Rows left 'pending'/'sent' by a crash are closed as failed on the next start; settled rows are untouched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { closeInterruptedRows } from '../../src/enforce/interrupted.ts';
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
