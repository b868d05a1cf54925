// The demo's remembered past: a few weeks of an MNQ day trader who gives back his gains on tilt days
// (losing streaks, revenge trades, a position left without a stop). Seeded, so every run remembers the same past.
import { createPrng } from '../prng.ts';
import type { PastRoundTrip } from './pastTrading.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
const DAY = 86_400_000;

/** Round trips on the weekdays of the `days` calendar days before `now` (US cash hours, 14:35-20:30 UTC). */
export function demoPastTrading(now: number, days = 20, seed = 17): PastRoundTrip[] {
  const rng = createPrng(seed);
  const trips: PastRoundTrip[] = [];
  let price = 25_600;
  const today = Math.floor(now / DAY) * DAY;
  for (let d = days; d >= 1; d--) {
    const midnight = today - d * DAY;
    const weekday = new Date(midnight).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const tilt = rng.chance(0.35);
    let t = midnight + (14 * 60 + 35) * 60_000 + rng.int(0, 40) * 60_000;
    const n = tilt ? rng.int(9, 14) : rng.int(3, 7);
    for (let i = 0; i < n && t < midnight + 20.5 * 3_600_000; i++) {
      const side = rng.chance(0.5) ? 'long' : 'short';
      const size = tilt && i > 3 ? rng.int(2, 4) : rng.int(1, 2);
      const hold = rng.int(2, 25) * 60_000;
      // Tilt days lose more often and bigger; normal days have a small edge.
      const win = rng.chance(tilt ? 0.3 : 0.55);
      const points = (win ? rng.int(8, 40) : -rng.int(10, tilt ? 70 : 35)) * (side === 'long' ? 1 : -1);
      const entryPrice = price;
      const exitPrice = price + points;
      const dip = entryPrice - (side === 'long' ? 1 : -1) * rng.int(5, 30);
      const stopped = !(tilt && rng.chance(0.25));
      trips.push({
        contractId: MNQ,
        side,
        size,
        entryAt: t,
        entryPrice,
        exitAt: t + hold,
        exitPrice,
        path: [{ at: t + Math.floor(hold / 2), price: dip }],
        ...(stopped ? { stop: { at: t + rng.int(2, 8) * 1000, price: entryPrice - (side === 'long' ? 1 : -1) * 60 } } : {}),
      });
      price = exitPrice + rng.int(-10, 10);
      // Revenge trades follow a loss within a minute or two on tilt days.
      t += hold + (tilt && !win ? rng.int(1, 2) * 60_000 : rng.int(5, 45) * 60_000);
    }
  }
  return trips;
}
