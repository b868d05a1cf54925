// Gateway timestamp forms. The real gateway uses .NET DateTimeOffset strings:
// the hubs send 7 fractional digits (100 ns resolution), REST sends microseconds with trailing
// zeros trimmed (5-6 digits), quote `timestamp` has milliseconds. All are UTC with `+00:00`.

/** An instant with sub-millisecond resolution: epoch ms plus 0..9999 units of 100 ns. */
export interface Stamp {
  ms: number;
  sub: number;
}

/** Hands out strictly increasing stamps from an injectable millisecond clock. */
export class StampClock {
  private last: Stamp = { ms: -1, sub: 0 };
  constructor(readonly now: () => number) {}

  stamp(): Stamp {
    const ms = Math.floor(this.now());
    let next: Stamp;
    if (ms > this.last.ms) {
      // Start each millisecond at a pseudo-random sub-ms offset so digits look like real clocks.
      next = { ms, sub: Number(process.hrtime.bigint() % 5000n) };
    } else {
      // Same (or earlier, if the injected clock went back) millisecond: keep strictly increasing.
      const sub = this.last.sub + 1 + Number(process.hrtime.bigint() % 7n);
      next = sub > 9999 ? { ms: this.last.ms + 1, sub: 0 } : { ms: this.last.ms, sub };
    }
    this.last = next;
    return next;
  }
}

function secondsPart(ms: number): string {
  // 2025-11-21T14:35:02.156Z -> 2025-11-21T14:35:02
  return new Date(ms).toISOString().slice(0, 19);
}

function sevenDigits(s: Stamp): string {
  const frac = (((s.ms % 1000) + 1000) % 1000) * 10000 + s.sub;
  return String(frac).padStart(7, '0');
}

/** Hub form: `2025-11-21T14:35:02.1567302+00:00`. */
export function streamTime(s: Stamp): string {
  return `${secondsPart(s.ms)}.${sevenDigits(s)}+00:00`;
}

/** REST form: microseconds, trailing zeros trimmed (`…02.15673+00:00`), no fraction when zero. */
export function restTime(s: Stamp): string {
  const micro = sevenDigits(s).slice(0, 6).replace(/0+$/, '');
  return micro.length > 0 ? `${secondsPart(s.ms)}.${micro}+00:00` : `${secondsPart(s.ms)}+00:00`;
}

/** Quote `timestamp` form: milliseconds (`…31.348+00:00`). */
export function millisTime(ms: number): string {
  return `${secondsPart(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}+00:00`;
}
