// Opt-in timing hook for latency benchmarks: pairs the hub frame that announces a breach with the REST request
// that answers it, both stamped on the simulator's own clock (performance.now(): the frame right after it was
// written to the socket, the request when its headers arrived). One breach is open at a time: the first matching
// frame opens it (later matching frames before the answer are repeats of the same breach), the first matching
// request after it closes it.
import type { SimHubFrame, SimRequest } from './types.ts';

export interface LatencyProbeOptions {
  /** The frame that starts the clock (e.g. the position event that crosses a limit). */
  frame: (f: SimHubFrame) => boolean;
  /** The request that stops it (e.g. the partial close). */
  request: (r: SimRequest) => boolean;
}

export interface LatencySample {
  frameAt: number;
  requestAt: number;
  /** requestAt - frameAt, ms. */
  ms: number;
}

export interface LatencyProbe {
  /** Resolves with the next breach not yet handed out (or rejects after timeoutMs without one). */
  next(timeoutMs: number): Promise<LatencySample>;
  readonly samples: readonly LatencySample[];
  stop(): void;
}

export interface ProbeSources {
  onHubFrame(listener: (f: SimHubFrame) => void): () => void;
  onRequest(listener: (r: SimRequest) => void): () => void;
}

export function probeLatency(src: ProbeSources, o: LatencyProbeOptions): LatencyProbe {
  const samples: LatencySample[] = [];
  let openAt: number | null = null;
  let taken = 0; // samples already handed out by next()
  let waiter: (() => void) | null = null;
  const offFrame = src.onHubFrame((f) => {
    if (openAt === null && o.frame(f)) openAt = f.at;
  });
  const offRequest = src.onRequest((r) => {
    if (openAt === null || !o.request(r)) return;
    const s = { frameAt: openAt, requestAt: r.at, ms: r.at - openAt };
    openAt = null;
    samples.push(s);
    waiter?.();
  });
  return {
    samples,
    next(timeoutMs) {
      if (taken < samples.length) return Promise.resolve(samples[taken++]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          openAt = null; // the breach went unanswered: the next frame opens a new one
          reject(new Error(`sim latency probe: no matching request within ${timeoutMs} ms of the breach frame`));
        }, timeoutMs);
        waiter = () => {
          clearTimeout(timer);
          waiter = null;
          resolve(samples[taken++]!);
        };
      });
    },
    stop() {
      offFrame();
      offRequest();
    },
  };
}
