// A one-line progress bar on stderr while the replay fetches, only when stderr is a terminal (logs and pipes
// get nothing). Redrawn in place with \r; cleared when done.
import type { Progress } from './gather.ts';

const WIDTH = 24;

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let total = 0;
  let done = 0;
  let label = '';
  const draw = (what: string): void => {
    const filled = total === 0 ? 0 : Math.round((done / total) * WIDTH);
    stream.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} ${what}`);
  };
  return {
    plan(n, what) {
      total += n;
      label = `fetching ${what}`;
      draw('');
    },
    step(what) {
      done++;
      draw(what);
    },
    done() {
      if (total > 0) stream.write('\r\x1b[2K');
    },
  };
}
