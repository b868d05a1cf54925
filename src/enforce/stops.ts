// Stop-order arithmetic for RULE-012 moves: which direction is "tighter" depends on the stop's side.
import { OrderSide } from '../gateway/models.ts';

/**
 * True when `next` protects more than `current`: a sell stop (protecting a long) moves up, a buy stop
 * (protecting a short) moves down. Equal is not tighter (nothing to do).
 */
export function isTighter(side: OrderSide, current: number, next: number): boolean {
  return side === OrderSide.Ask ? next > current : next < current;
}

/** The tighter of two stop prices for a stop on `side`; undefined inputs are ignored. */
export function tightest(side: OrderSide, a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return isTighter(side, a, b) ? b : a;
}
