// The record of every REST call the simulator served, for tests that assert exactly what riskd did.
import type { SimRequest, SimRequestLog } from './types.ts';

const SECRET_FIELDS = new Set(['apikey', 'token', 'newtoken', 'password']);

/** Deep copy with secret fields replaced, so logs and test output never hold credentials. */
export function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_FIELDS.has(k.toLowerCase()) && x != null ? '***' : redact(x);
    return out;
  }
  return v;
}

export class RequestLog implements SimRequestLog {
  private readonly list: SimRequest[] = [];
  private readonly listeners = new Set<(r: SimRequest) => void>();
  private seq = 0;

  /** Keeps at most `maxEntries` (oldest dropped); seq numbers keep counting. */
  constructor(private readonly maxEntries = Number.POSITIVE_INFINITY) {}

  get entries(): readonly SimRequest[] {
    return this.list;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  add(r: SimRequest): void {
    this.list.push(r);
    if (this.list.length > this.maxEntries) this.list.splice(0, this.list.length - this.maxEntries);
    for (const l of [...this.listeners]) l(r);
  }

  onRequest(listener: (r: SimRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitForRequest(predicate: (r: SimRequest) => boolean, timeoutMs = 5000, opts?: { afterSeq?: number }): Promise<SimRequest> {
    const after = opts?.afterSeq ?? 0;
    const past = this.list.find((r) => r.seq > after && predicate(r));
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`sim: no matching REST request within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onRequest((r) => {
        if (r.seq > after && predicate(r)) {
          clearTimeout(timer);
          off();
          resolve(r);
        }
      });
    });
  }

  filter(predicate: (r: SimRequest) => boolean): SimRequest[] {
    return this.list.filter(predicate);
  }

  byPath(path: string): SimRequest[] {
    const p = path.toLowerCase();
    return this.list.filter((r) => r.path.toLowerCase() === p);
  }

  lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.list.length = 0;
  }
}
