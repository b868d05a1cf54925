// Fault injection, driven by a seeded PRNG so a failing test run can be replayed.
//  - REST: a fraction of calls (optionally only some paths) answer 429 / 500 or hang (timeout).
//  - Hubs: event frames are dropped, duplicated, reordered or delayed (completions/pings untouched).
import type { Prng } from './prng.ts';
import type { SimHubFaults, SimRestFaults } from './types.ts';

export type RestFaultKind = '429' | '500' | 'timeout';

export class RestFaultInjector {
  private config: SimRestFaults | null = null;

  constructor(private readonly prng: Prng) {}

  set(f: SimRestFaults | null): void {
    if (f) {
      if (!(f.rate >= 0 && f.rate <= 1)) throw new Error(`sim restFaults.rate must be in [0, 1], got ${f.rate}`);
      if (f.kinds.length === 0 && f.rate > 0) throw new Error('sim restFaults.kinds must name at least one of 429, 500, timeout');
    }
    this.config = f && f.rate > 0 ? { ...f } : null;
  }

  /** The fault to inject for this call, or null. */
  decide(path: string): RestFaultKind | null {
    const f = this.config;
    if (!f) return null;
    if (f.paths && !f.paths.some((p) => p.toLowerCase() === path.toLowerCase())) return null;
    if (!this.prng.chance(f.rate)) return null;
    return f.kinds[this.prng.int(0, f.kinds.length - 1)] ?? null;
  }

  get timeoutExecutes(): boolean {
    return this.config?.timeoutExecutes ?? true;
  }

  get hangMs(): number {
    return this.config?.hangMs ?? 120_000;
  }
}

/** Per-connection state for reordering (one frame held back at a time). */
export interface HubFaultState {
  held: string[] | null;
  heldTimer: NodeJS.Timeout | null;
}

export class HubFaultInjector {
  private config: SimHubFaults = {};

  constructor(private readonly prng: Prng) {}

  set(f: SimHubFaults): void {
    for (const k of ['duplicate', 'reorder', 'drop'] as const) {
      const v = f[k];
      if (v !== undefined && !(v >= 0 && v <= 1)) throw new Error(`sim hubFaults.${k} must be a probability in [0, 1], got ${v}`);
    }
    if (f.delayMs !== undefined && !(f.delayMs >= 0)) throw new Error(`sim hubFaults.delayMs must be >= 0, got ${f.delayMs}`);
    this.config = { ...f };
  }

  /**
   * Routes one event frame through the configured faults; `write` puts frames on the wire.
   * Held (reordered) frames are released after the next frame, or after 50 ms if none comes.
   */
  route(state: HubFaultState, text: string, write: (texts: string[]) => void): void {
    const f = this.config;
    if (this.prng.chance(f.drop ?? 0)) return;
    const copies = this.prng.chance(f.duplicate ?? 0) ? [text, text] : [text];
    const out = (texts: string[]): void => {
      const d = f.delayMs ?? 0;
      if (d > 0) setTimeout(() => write(texts), d).unref();
      else write(texts);
    };
    if (state.held === null && this.prng.chance(f.reorder ?? 0)) {
      state.held = copies;
      state.heldTimer = setTimeout(() => {
        const h = state.held;
        state.held = null;
        state.heldTimer = null;
        if (h) out(h);
      }, 50);
      state.heldTimer.unref();
      return;
    }
    const held = state.held;
    if (held) {
      state.held = null;
      if (state.heldTimer) clearTimeout(state.heldTimer);
      state.heldTimer = null;
      out([...copies, ...held]);
    } else {
      out(copies);
    }
  }
}
