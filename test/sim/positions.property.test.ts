// Netting invariant: with average-cost netting, realized + unrealized P&L equals the P&L of every fill
// marked to the same price, for any sequence of buys and sells (scale-ins, partial exits, reversals).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/sim/engine/bus.ts';
import { ContractCatalog } from '../../src/sim/engine/contracts.ts';
import { PositionBook } from '../../src/sim/engine/positions.ts';
import { StampClock } from '../../src/sim/time.ts';

const catalog = new ContractCatalog();

describe('PositionBook netting', () => {
  it('conserves P&L and keeps one signed position per contract', () => {
    const contracts = ['CON.F.US.MNQ.Z26', 'CON.F.US.EP.Z26', 'CON.F.US.MCLE.F27'];
    fc.assert(
      fc.property(
        fc.constantFrom(...contracts),
        fc.array(fc.record({ side: fc.constantFrom(0, 1), size: fc.integer({ min: 1, max: 7 }), ticks: fc.integer({ min: -200, max: 200 }) }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: -300, max: 300 }),
        (contractId, fills, markTicks) => {
          const c = catalog.get(contractId)!;
          const book = new PositionBook(new EventBus(), new StampClock(() => 1_700_000_000_000));
          const pointValue = c.tickValue / c.tickSize;
          let realized = 0;
          let net = 0;
          let allFillsAtMark = 0;
          const mark = c.startPrice + markTicks * c.tickSize;
          for (const f of fills) {
            const price = c.startPrice + f.ticks * c.tickSize;
            const effect = book.applyFill(1, c, f.side, f.size, price);
            realized += effect.realized ?? 0;
            const signed = f.side === 0 ? f.size : -f.size;
            net += signed;
            allFillsAtMark += signed * (mark - price) * pointValue;
            const p = book.get(1, c.id);
            expect(p ? (p.type === 1 ? p.size : -p.size) : 0).toBe(net);
            expect(effect.flat).toBe(net === 0);
          }
          const p = book.get(1, c.id);
          const unrealized = p ? (p.type === 1 ? 1 : -1) * p.size * (mark - p.averagePrice) * pointValue : 0;
          expect(Math.abs(realized + unrealized - allFillsAtMark)).toBeLessThanOrEqual(0.006 * fills.length + 1e-6);
        },
      ),
      { numRuns: 300 },
    );
  });
});
