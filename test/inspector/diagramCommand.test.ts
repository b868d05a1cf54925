import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDiagram } from '../../src/cli/commands/diagram.ts';
import { openStore } from '../../src/store/index.ts';
import { AccountSupervisor } from '../../src/runtime/actors/index.ts';
import { ct, riskConfig } from '../machines/account/fixtures.ts';

let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'riskd-diagram-'));
  const store = openStore(join(dataDir, 'state.db'));
  store.accounts.upsert({ id: 7, name: 'PRAC-7', balance: 50_000, canTrade: true, isVisible: true, simulated: true }, 1);
  store.accounts.upsert({ id: 8, name: 'PRAC-8', balance: 50_000, canTrade: true, isVisible: true, simulated: true }, 1);
  // The snapshot the daemon would store: the real account machine, written by the supervisor. Account 7 holds a
  // cooldown and one position (its RULE-008 grace child, waiting for a stop).
  const now = ct('2026-06-10T10:00');
  const sup = new AccountSupervisor({ repo: store.snapshots, clock: { now: () => now } });
  sup.open(7, riskConfig());
  sup.send(7, { type: 'position.opened', contractId: 'CON.F.US.MES.Z25', symbol: 'MES', size: 1, side: 'long', now });
  sup.send(7, {
    type: 'rule.verdicts', now,
    verdicts: [{ rule: 'RULE-007', intents: [], message: 'loss', numbers: {}, lock: { kind: 'cooldown', rule: 'RULE-007', reason: 'loss', until: now + 600_000 } }],
  });
  sup.stop();
  store.close();
});

describe('riskd diagram', () => {
  it('highlights the stored account state, found by name', () => {
    const r = runDiagram({ machine: 'account', account: 'PRAC-7', dataDir, format: 'mermaid' });
    if ('error' in r) throw new Error(r.error);
    const active = r.text.split('\n').filter((l) => l.trim().startsWith('class ') && l.trim().endsWith(' active')).map((l) => l.trim());
    expect(active.sort()).toEqual([
      'class account_lockout_locked active',
      'class account_session_disabled active',
      'class account_symbolBlocks_clear active',
      'class account_tradingDay_current active',
    ]);
  });

  it('highlights the only position child of the account by id', () => {
    const r = runDiagram({ machine: 'position', account: '7', dataDir, format: 'svg' });
    if ('error' in r) throw new Error(r.error);
    expect(r.text).toMatch(/class="state kind-atomic active" data-state="position.awaitingStop"/);
  });

  it('explains what is missing', () => {
    expect(runDiagram({ machine: 'account', account: 'NOPE', dataDir, format: 'svg' })).toEqual({ error: expect.stringContaining('no account "NOPE"') });
    expect(runDiagram({ machine: 'account', account: '8', dataDir, format: 'svg' })).toEqual({ error: expect.stringContaining('account 8 has no stored account snapshot') });
    expect(runDiagram({ machine: 'position', account: '7', contract: 'X', dataDir, format: 'svg' })).toEqual({ error: expect.stringContaining('open: CON.F.US.MES.Z25') });
    expect(runDiagram({ machine: 'account', dataDir, format: 'png' })).toEqual({ error: expect.stringContaining('--format must be one of svg, mermaid, dot') });
  });
});
