// Plain ANSI escape sequences for the terminal dashboard (no dependency): colours, and width-aware
// padding/cutting of strings that contain colour codes (a code takes no column on screen).

export const ESC = '\x1b[';
export const RESET = `${ESC}0m`;

export type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold' | 'inverse' | 'redBanner';

const CODES: Record<Colour, string> = {
  red: '31',
  green: '32',
  yellow: '33',
  cyan: '36',
  dim: '2',
  bold: '1',
  inverse: '7',
  redBanner: '1;97;41',
};

/** Wraps `text` in a colour, or returns it unchanged when colour is off (NO_COLOR, tests of plain layout). */
export function paint(text: string, colour: Colour, on: boolean): string {
  return on && text !== '' ? `${ESC}${CODES[colour]}m${text}${RESET}` : text;
}

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

export function stripAnsi(s: string): string {
  return s.replace(SGR, '');
}

/** Columns the string takes on screen (every non-escape character counts as one column). */
export function visibleWidth(s: string): number {
  return [...stripAnsi(s)].length;
}

/**
 * Exactly `width` columns: cut (keeping colour codes intact and ending with a reset when any colour was
 * used) or padded with spaces.
 */
export function fit(s: string, width: number): string {
  let out = '';
  let cols = 0;
  let coloured = false;
  let i = 0;
  const chars = [...s];
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '\x1b') {
      // copy the whole escape sequence
      let seq = c;
      i++;
      while (i < chars.length) {
        const d = chars[i]!;
        seq += d;
        i++;
        if (/[A-Za-z]/.test(d)) break;
      }
      out += seq;
      coloured = true;
      continue;
    }
    if (cols >= width) break;
    out += c;
    cols++;
    i++;
  }
  if (coloured) out += RESET;
  return out + ' '.repeat(Math.max(0, width - cols));
}

/** Left text and right text on one line of `width` columns (only the left one when both do not fit). */
export function spread(left: string, right: string, width: number): string {
  const gap = width - visibleWidth(left) - visibleWidth(right);
  if (gap >= 1) return left + ' '.repeat(gap) + right;
  return fit(left, width); // too narrow for both: the left part (what it is) matters more than the hint

}
