// The fetch progress bar: drawn in place on a terminal, nothing at all on a pipe or a log file.
import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../../src/replay/progress.ts';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { s: { isTTY, write: (x: string) => written.push(x) > 0 } as unknown as NodeJS.WriteStream, written };
}

describe('terminalProgress', () => {
  it('redraws one line per step on a terminal and clears it when done', () => {
    const { s, written } = stream(true);
    const p = terminalProgress(s)!;
    p.plan(2, 'minute bars');
    p.step('History/retrieveBars MNQZ6');
    p.step('History/retrieveBars MESZ6');
    p.done();
    expect(written).toEqual([
      `\r\x1b[2Kfetching minute bars [${'.'.repeat(24)}] 0/2 `,
      `\r\x1b[2Kfetching minute bars [${'#'.repeat(12)}${'.'.repeat(12)}] 1/2 History/retrieveBars MNQZ6`,
      `\r\x1b[2Kfetching minute bars [${'#'.repeat(24)}] 2/2 History/retrieveBars MESZ6`,
      '\r\x1b[2K',
    ]);
  });

  it('is absent when stderr is not a terminal', () => {
    expect(terminalProgress(stream(false).s)).toBeUndefined();
  });
});
