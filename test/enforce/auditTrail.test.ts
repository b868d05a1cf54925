// The audit row of an action that sends is drafted before its request and inserted right after it (same turn,
// same commit), through the real store.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.ts';
import { AuditTrail, type AuditRow } from '../../src/enforce/auditTrail.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { EnforcementRequest } from '../../src/enforce/types.ts';

const stores: Store[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

const req: EnforcementRequest = {
  intent: { type: 'reduce', accountId: 7, contractId: 'CON.F.US.MNQ.Z25', size: 1 },
  rule: 'RULE-001',
  reason: 'max contracts: 7 > 6',
  numbers: { size: 7, limit: 6 },
  triggerAt: 1_000,
} as EnforcementRequest;

describe('AuditTrail draft and store', () => {
  it('writes nothing until store(); then one row with every update made meanwhile; listeners hear it once stored', async () => {
    const store = openStore(':memory:');
    stores.push(store);
    const heard: AuditRow[] = [];
    const trail = new AuditTrail(store.enforcement, createLogger({ terminal: false }), (r) => heard.push(r));
    const row = trail.draft(req, 'pending', { endpoint: '/api/Position/partialCloseContract', contractId: 'CON.F.US.MNQ.Z25' });
    trail.update(row, { status: 'sent', requestAt: 1_002 });
    await Promise.resolve();
    expect(store.enforcement.list({})).toEqual([]);
    expect(heard).toEqual([]);

    trail.store(row);
    trail.store(row); // once
    expect(row.id).toBeGreaterThan(0);
    const rows = store.enforcement.list({});
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: row.id, rule: 'RULE-001', status: 'sent', requestAt: 1_002, contractId: 'CON.F.US.MNQ.Z25' });
    await Promise.resolve();
    expect(heard.map((r) => [r.id, r.status])).toEqual([[row.id, 'sent']]);

    trail.update(row, { status: 'confirmed', confirmedAt: 1_050 });
    expect(store.enforcement.list({})[0]).toMatchObject({ status: 'confirmed', confirmedAt: 1_050 });
  });
});
