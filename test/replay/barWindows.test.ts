// Which minute bars a replay asks for: only around the fills, per contract, consecutive days in one request while
// it stays within the 20,000 bars one History/retrieveBars request returns.
import { describe, expect, it } from 'vitest';
import { barWindows } from '../../src/replay/gather.ts';
import type { Trade } from '../../src/gateway/models.ts';

const spec = { resetTime: '17:00', timezone: 'America/Chicago' };
const MIN = 60_000;
let id = 1;
const fill = (contractId: string, iso: string): Trade => ({
  id: id++, accountId: 1, contractId, creationTimestamp: Date.parse(iso), price: 1, profitAndLoss: null, fees: 0, side: 0, size: 1, voided: false, orderId: id,
});

describe('barWindows', () => {
  it('spans the fills of a day from their first minute to two minutes after the last, per contract', () => {
    const w = barWindows([fill('A', '2026-11-10T15:00:30Z'), fill('A', '2026-11-10T16:10:05Z'), fill('B', '2026-11-10T15:30:00Z')], spec);
    expect(w).toEqual([
      { contractId: 'A', start: Date.parse('2026-11-10T15:00:00Z'), end: Date.parse('2026-11-10T16:12:00Z') },
      { contractId: 'B', start: Date.parse('2026-11-10T15:30:00Z'), end: Date.parse('2026-11-10T15:32:00Z') },
    ]);
  });

  it('asks for consecutive days in one request up to 20,000 minutes, then starts another', () => {
    // 30 weekdays of fills at 15:00 UTC: day k starts k days after the first; 20,000 minutes is ~13.9 days.
    const days = Array.from({ length: 30 }, (_, k) => fill('A', new Date(Date.parse('2026-10-01T15:00:00Z') + k * 86_400_000).toISOString()));
    const w = barWindows(days, spec);
    expect(w).toHaveLength(3);
    for (const x of w) expect(x.end - x.start).toBeLessThanOrEqual(20_000 * MIN);
    expect(w[0]!.start).toBe(Date.parse('2026-10-01T15:00:00Z'));
    expect(w[2]!.end).toBe(Date.parse('2026-10-30T15:02:00Z'));
  });
});
