// The dashboard's gauge colours and percentages (money, durations and times come from src/format/plain.ts).
import type { Colour } from './ansi.ts';

export function percent(ratio: number): string {
  return Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '>100%';
}

/** The colour thresholds of every gauge: green below 50 %, yellow below 80 %, red from 80 % (and breached). */
export function thresholdColour(ratio: number): Colour {
  if (ratio < 0.5) return 'green';
  if (ratio < 0.8) return 'yellow';
  return 'red';
}
