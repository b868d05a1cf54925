// Small formatters of the dashboard: countdowns, money, percentages of a limit and their colour.
import type { Colour } from './ansi.ts';

/**
 * Time left as mm:ss (h:mm:ss from one hour, "Nd hh:mm:ss" from one day). Rounded UP to the second, so a lock
 * shows 00:01 until its last second has passed and 00:00 only at its deadline.
 */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const two = (n: number) => String(n).padStart(2, '0');
  if (h === 0) return `${two(m)}:${two(s)}`;
  if (h < 24) return `${h}:${two(m)}:${two(s)}`;
  return `${Math.floor(h / 24)}d ${two(h % 24)}:${two(m)}:${two(s)}`;
}

/** -$12.50, $0.00; "-" when unknown. */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return `${v < 0 ? '-' : ''}$${Math.abs(v).toFixed(2)}`;
}

/** A limit in whole dollars when it is whole ($500), else with cents. */
export function usdLimit(v: number): string {
  return Number.isInteger(v) ? `$${v}` : `$${v.toFixed(2)}`;
}

/** Share of a limit used: 0 when nothing is used; a zero limit is fully used by anything above zero. */
export function share(value: number, limit: number): number {
  if (value <= 0) return 0;
  if (limit <= 0) return Infinity;
  return value / limit;
}

export function percent(ratio: number): string {
  return Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '>100%';
}

/** The colour thresholds of every gauge: green below 50 %, yellow below 80 %, red from 80 % (and breached). */
export function thresholdColour(ratio: number): Colour {
  if (ratio < 0.5) return 'green';
  if (ratio < 0.8) return 'yellow';
  return 'red';
}

/** 14:05:09Z of an epoch ms (UTC: the one clock every log line uses). */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19) + 'Z';
}

/** "3s", "4m", "2h", "3d" ago. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
