// P&L arithmetic through ticks: prices are converted to a whole number of ticks first, so fractional tick sizes
// (1/64, 5e-7) never leak float error into dollars. tickSize/tickValue always come from the gateway's contract.
import type { Contract } from '../gateway/models.ts';

/** Signed ticks in the position's favour: round((mark − avg)/tickSize), negated for a short. */
export function profitTicks(side: 'long' | 'short', averagePrice: number, mark: number, tickSize: number): number {
  const ticks = Math.round((mark - averagePrice) / tickSize);
  const signed = side === 'long' ? ticks : -ticks;
  return signed === 0 ? 0 : signed; // no -0
}

/** Dollars for `ticks` on `size` contracts, rounded to cents (tickValue may be fractional). */
export function ticksToMoney(ticks: number, size: number, contract: Pick<Contract, 'tickValue'>): number {
  return roundCents(ticks * contract.tickValue * size);
}

export function roundCents(v: number): number {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? 0 : r;
}
