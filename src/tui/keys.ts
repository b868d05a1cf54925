// Keyboard input of the dashboard: raw terminal bytes -> actions, and actions -> the next view state.
import type { ViewState } from './model.ts';

export type KeyAction = 'next' | 'prev' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'help' | 'escape' | 'quit';

const SEQUENCES: [string, KeyAction][] = [
  ['\x1b[C', 'next'],
  ['\x1bOC', 'next'],
  ['\x1b[D', 'prev'],
  ['\x1bOD', 'prev'],
  ['\x1b[Z', 'prev'], // Shift+Tab
  ['\x1b[A', 'up'],
  ['\x1bOA', 'up'],
  ['\x1b[B', 'down'],
  ['\x1bOB', 'down'],
  ['\x1b[5~', 'pageUp'],
  ['\x1b[6~', 'pageDown'],
  ['\t', 'next'],
  ['\x03', 'quit'], // Ctrl+C in raw mode
  ['\x04', 'quit'], // Ctrl+D
  ['q', 'quit'],
  ['Q', 'quit'],
  ['?', 'help'],
  ['h', 'help'],
  ['\x1b', 'escape'],
];

/** Every action in one chunk of input (a chunk may hold several keys, e.g. when keys are pasted or repeat). */
export function parseKeys(chunk: string): KeyAction[] {
  const out: KeyAction[] = [];
  let i = 0;
  outer: while (i < chunk.length) {
    for (const [seq, action] of SEQUENCES) {
      if (chunk.startsWith(seq, i)) {
        out.push(action);
        i += seq.length;
        continue outer;
      }
    }
    i++; // a key the dashboard does not use
  }
  return out;
}

/** The view after one action. `accounts` and `maxScroll` bound the selection and the scroll. */
export function applyKey(v: ViewState, action: KeyAction, accounts: number, maxScroll: number, page = 5): ViewState {
  const n = Math.max(1, accounts);
  switch (action) {
    case 'next':
      return { ...v, selected: (v.selected + 1) % n, scroll: 0 };
    case 'prev':
      return { ...v, selected: (v.selected - 1 + n) % n, scroll: 0 };
    case 'up':
      return { ...v, scroll: Math.max(0, v.scroll - 1) };
    case 'down':
      return { ...v, scroll: Math.min(maxScroll, v.scroll + 1) };
    case 'pageUp':
      return { ...v, scroll: Math.max(0, v.scroll - page) };
    case 'pageDown':
      return { ...v, scroll: Math.min(maxScroll, v.scroll + page) };
    case 'help':
      return { ...v, help: !v.help };
    case 'escape':
      return { ...v, help: false };
    case 'quit':
      return v;
  }
}
