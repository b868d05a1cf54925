import { describe, expect, it } from 'vitest';
import { applyKey, parseKeys } from '../../src/tui/keys.ts';
import { INITIAL_VIEW } from '../../src/tui/model.ts';
import { fit, spread, visibleWidth } from '../../src/tui/ansi.ts';

describe('keys', () => {
  it('parses arrows, tab, shift-tab, q, ?, Ctrl+C, several keys per chunk', () => {
    expect(parseKeys('\x1b[C\x1b[D\t\x1b[Z')).toEqual(['next', 'prev', 'next', 'prev']);
    expect(parseKeys('\x1b[A\x1b[B\x1b[5~\x1b[6~')).toEqual(['up', 'down', 'pageUp', 'pageDown']);
    expect(parseKeys('?q')).toEqual(['help', 'quit']);
    expect(parseKeys('\x03')).toEqual(['quit']);
    expect(parseKeys('xyz')).toEqual([]);
  });

  it('switching wraps around and resets the scroll; scrolling is bounded', () => {
    let v = { ...INITIAL_VIEW, scroll: 3 };
    v = applyKey(v, 'next', 3, 10);
    expect(v).toMatchObject({ selected: 1, scroll: 0 });
    v = applyKey(applyKey(v, 'next', 3, 10), 'next', 3, 10);
    expect(v.selected).toBe(0);
    expect(applyKey(v, 'prev', 3, 10).selected).toBe(2);
    expect(applyKey(v, 'up', 3, 10).scroll).toBe(0);
    expect(applyKey({ ...v, scroll: 9 }, 'down', 3, 10).scroll).toBe(10);
    expect(applyKey({ ...v, scroll: 10 }, 'down', 3, 10).scroll).toBe(10);
    expect(applyKey(v, 'help', 3, 10).help).toBe(true);
    expect(applyKey({ ...v, help: true }, 'escape', 3, 10).help).toBe(false);
  });
});

describe('ansi width helpers', () => {
  it('fit counts only visible columns and keeps colour codes whole', () => {
    const s = '\x1b[31mred\x1b[0m text';
    expect(visibleWidth(fit(s, 20))).toBe(20);
    expect(visibleWidth(fit(s, 5))).toBe(5);
    expect(fit(s, 5)).toContain('\x1b[31mred\x1b[0m');
    expect(visibleWidth(spread('left', 'right', 30))).toBe(30);
    expect(visibleWidth(spread('a long left part', 'right', 12))).toBe(12);
  });
});
