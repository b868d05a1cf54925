// The dashboard feed's words: each line says what riskd did and why in a trader's words (no endpoint or intent
// names). The gauges' limits are the status snapshot's (test/control/ruleLimits.test.ts).
import { describe, expect, it } from 'vitest';
import { feedLine } from '../../src/control/dashboard/feedLine.ts';
import type { EnforcementRow } from '../../src/store/index.ts';

const row = (rule: string, intent: object, numbers: object, extra: Partial<EnforcementRow> = {}): EnforcementRow => ({
  id: 7,
  accountId: 1,
  rule,
  intent: JSON.stringify({ accountId: 1, ...intent }),
  reason: 'the verdict message',
  numbers: JSON.stringify(numbers),
  status: 'confirmed',
  triggerAt: 1_000,
  endpoint: 'Position/partialCloseContract',
  ...extra,
});

describe('feedLine', () => {
  it.each([
    ['closed 2 MNQ: over your 1-contract limit', row('RULE-001', { type: 'reduce', contractId: 'CON.F.US.MNQ.Z26', size: 2 }, { limit: 1, value: 3, size: 2 })],
    ['closed 1 ES: ES is not allowed', row('RULE-002', { type: 'close', contractId: 'CON.F.US.EP.Z26' }, { limit: 0, value: 1, symbol: 'ES', size: 1 })],
    ['closed every position and cancelled every order: daily loss reached your $150.00 limit', row('RULE-003', { type: 'flatten' }, { limit: 150, value: -187.89 })],
    ['closed 3 MNQ: open loss reached your $300.00 limit', row('RULE-004', { type: 'close', contractId: 'CON.F.US.MNQ.Z26' }, { limit: 300, value: 310, symbol: 'MNQ', size: 3 })],
    ['closed 1 MNQ: no stop loss within 30s', row('RULE-008', { type: 'close', contractId: 'CON.F.US.MNQ.Z26' }, { limit: 30_000, symbol: 'MNQ', size: 1 })],
    ['cancelled every order: the broker stopped allowing trading on this account', row('RULE-010', { type: 'cancelAll' }, {})],
    ['moved the MNQ stop to 21000.25: protecting an open profit', row('RULE-012', { type: 'moveStop', contractId: 'CON.F.US.MNQ.Z26', stopPrice: 21000.25, size: 1, side: 1 }, { symbol: 'MNQ' })],
    ['cancelled an order: the verdict message', row('kill-switch', { type: 'cancel', orderId: 5 }, {})],
    // The account machine's kill switch and lock flatten: the lock's reason in brackets.
    ['closed the MNQ position: opened while locked (Daily loss $186.15 reached your $150.00 limit)', row('RULE-003', { type: 'close', contractId: 'CON.F.US.MNQ.Z26' }, {}, { reason: 'new position while locked: Daily loss $186.15 reached your $150.00 limit' })],
    ['cancelled 1 MES order: placed while locked (Losing exit of $61.62 on MES)', row('RULE-007', { type: 'cancel', orderId: 9 }, {}, { reason: 'new order while locked: Losing exit of $61.62 on MES', contractId: 'CON.F.US.MES.Z26' })],
    ['closed every position and cancelled every order: account locked (Daily loss $186.15 reached your $150.00 limit)', row('RULE-003', { type: 'flatten' }, {}, { reason: 'RULE-003 locked the account (Daily loss $186.15 reached your $150.00 limit)' })],
  ])('%s', (text, r) => {
    const line = feedLine(r);
    expect(line.text).toBe(text);
    expect(line.text).not.toMatch(/Position\/|partialClose|reduce|cancelAll|flatten/);
  });

  it('tells in progress, done and failed apart', () => {
    expect(feedLine(row('RULE-003', { type: 'flatten' }, {}, { status: 'sent' })).state).toBe('working');
    expect(feedLine(row('RULE-003', { type: 'flatten' }, {}, { status: 'reconciled' })).state).toBe('done');
    expect(feedLine(row('RULE-003', { type: 'flatten' }, {}, { status: 'failed' })).state).toBe('failed');
  });

  it('a row with unreadable JSON still gets a line (the verdict message)', () => {
    expect(feedLine({ ...row('RULE-003', {}, {}), intent: '{', numbers: 'nope' }).text).toBe('acted: the verdict message');
  });
});
