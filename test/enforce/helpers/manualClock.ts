// A wall clock plus timers the test moves by hand: confirm timeouts, retry backoff and the modify throttle fire
// exactly when the test says, with no sleeping. Real I/O (a simulator over sockets) still runs on real time.
import type { TimerPort } from '../../../src/enforce/types.ts';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

export class ManualClock implements TimerPort {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.UTC(2026, 10, 24, 15, 0, 0)) {
    this.t = start;
  }

  now = (): number => this.t;

  setTimeout(fn: () => void, ms: number): unknown {
    const p = { id: ++this.seq, at: this.t + Math.max(0, ms), fn };
    this.pending.push(p);
    return p.id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  /** Timers waiting to fire. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Move time forward, firing due timers in order; `settle` lets promise chains (and real I/O) run in between. */
  async advance(ms: number, settle: () => Promise<void> = flush): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.pending[0];
      if (!next || next.at > end) break;
      this.pending.shift();
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Let queued promise callbacks run (a few macrotask turns). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
