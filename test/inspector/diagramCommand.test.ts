import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDiagram } from '../../src/cli/commands/diagram.ts';
import { openStore } from '../../src/store/index.ts';

let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'riskd-diagram-'));
  const store = openStore(join(dataDir, 'state.db'));
  store.accounts.upsert({ id: 7, name: 'PRAC-7', balance: 50_000, canTrade: true, isVisible: true, simulated: true }, 1);
  store.accounts.upsert({ id: 8, name: 'PRAC-8', balance: 50_000, canTrade: true, isVisible: true, simulated: true }, 1);
  store.snapshots.save({
    accountId: 7,
    machineId: 'account',
    machineVersion: 1,
    schemaVersion: 1,
    snapshot: {
      status: 'active',
      value: { tradingDay: 'tracking', session: 'outside', lockout: 'locked', wake: 'armed' },
      context: { accountId: 7 },
      children: { 'pos:CON.F.US.MES.Z25': { snapshot: { value: 'protected', status: 'active' }, src: 'position' } },
    },
    timers: [],
    savedAt: 2,
  });
  store.close();
});

describe('riskd diagram', () => {
  it('highlights the stored account state, found by name', () => {
    const r = runDiagram({ machine: 'account', account: 'PRAC-7', dataDir, format: 'mermaid' });
    if ('error' in r) throw new Error(r.error);
    expect(r.text).toContain('class account_lockout_locked active');
    expect(r.text).toContain('class account_session_outside active');
  });

  it('highlights the only position child of the account by id', () => {
    const r = runDiagram({ machine: 'position', account: '7', dataDir, format: 'svg' });
    if ('error' in r) throw new Error(r.error);
    expect(r.text).toMatch(/class="state kind-atomic active" data-state="position.protected"/);
  });

  it('explains what is missing', () => {
    expect(runDiagram({ machine: 'account', account: 'NOPE', dataDir, format: 'svg' })).toEqual({ error: expect.stringContaining('no account "NOPE"') });
    expect(runDiagram({ machine: 'account', account: '8', dataDir, format: 'svg' })).toEqual({ error: expect.stringContaining('account 8 has no stored account snapshot') });
    expect(runDiagram({ machine: 'position', account: '7', contract: 'X', dataDir, format: 'svg' })).toEqual({ error: expect.stringContaining('open: CON.F.US.MES.Z25') });
    expect(runDiagram({ machine: 'account', dataDir, format: 'png' })).toEqual({ error: expect.stringContaining('--format must be one of svg, mermaid, dot') });
  });
});
