// P&L arithmetic through ticks: the price difference is converted to ticks first and cleaned of float noise,
// then multiplied by the gateway's tickValue, so fractional tick sizes (1/64, 5e-7) never leak float error
// into dollars. tickSize/tickValue always come from the gateway's contract.
//
// Ticks are rounded to 1e-6, not to whole ticks: after a scale-in the gateway's averagePrice is a weighted
// average off the tick grid (25814.083333 for 3 lots), and rounding each contract to a whole tick would be off
// by up to half a tick per contract. On the grid (a single entry) the result equals round((mark − avg)/tickSize).
import type { Contract } from '../gateway/models.ts';

const TICK_PRECISION = 1e6;

/** Ticks in the position's favour per contract ((mark − avg)/tickSize, negated for a short), float noise removed. */
export function profitTicks(side: 'long' | 'short', averagePrice: number, mark: number, tickSize: number): number {
  const ticks = Math.round(((mark - averagePrice) / tickSize) * TICK_PRECISION) / TICK_PRECISION;
  const signed = side === 'long' ? ticks : -ticks;
  return signed === 0 ? 0 : signed; // no -0
}

/** Dollars for `ticks` per contract on `size` contracts, rounded to cents (tickValue may be fractional). */
export function ticksToMoney(ticks: number, size: number, contract: Pick<Contract, 'tickValue'>): number {
  return roundCents(ticks * contract.tickValue * size);
}

export function roundCents(v: number): number {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? 0 : r;
}
