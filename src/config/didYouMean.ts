// "Did you mean ...?" for a misspelt name (config key, rule, time zone): the closest known names by edit
// distance, case-insensitive, only when they are close enough to be a plausible typo.
import { distance } from 'fastest-levenshtein';

/** Up to `max` known names closest to `input` (nearest first); none when nothing is within a typo's reach. */
export function closest(input: string, known: readonly string[], max = 1): string[] {
  const needle = input.toLowerCase();
  // A typo changes about a third of a short word, fewer of a long one; never more than 4 edits.
  const reach = Math.min(4, Math.max(1, Math.floor(needle.length / 3)));
  return known
    .map((k) => ({ k, d: distance(needle, k.toLowerCase()) }))
    .filter((x) => x.d <= reach && x.d > 0)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, max)
    .map((x) => x.k);
}

/** ` (did you mean "limit"?)`, or '' when nothing is close. */
export function didYouMean(input: string, known: readonly string[]): string {
  const [best] = closest(input, known);
  return best === undefined ? '' : `did you mean "${best}"?`;
}
