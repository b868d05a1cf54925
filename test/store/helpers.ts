import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger, type RootLogger } from '../../src/log/logger.ts';

/** A fresh temp directory per call, removed by cleanup(). */
export function tempDirs() {
  const made: string[] = [];
  return {
    make(): string {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'riskd-store-'));
      made.push(d);
      return d;
    },
    cleanup(): void {
      for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A logger whose terminal output is captured in memory. */
export function capturingLogger(): { logger: RootLogger; output: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { logger: createLogger({ terminal: stream, level: 'debug' }), output: () => text };
}
