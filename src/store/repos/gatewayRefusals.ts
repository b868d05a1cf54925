// What the gateway refuses per account (projectx-api.md quirk 11: live and follower accounts refuse Order/cancel
// and Position/partialCloseContract), learned by the executor from a refusal and kept across restarts, so a
// restarted riskd does not spend a request (and a failed action) relearning it. One JSON value in `meta`.
import type { MetaRepo } from './meta.ts';

export type RefusedCall = 'cancel' | 'partialClose';

export interface GatewayRefusal {
  accountId: number;
  what: RefusedCall;
}

export interface GatewayRefusalRepo {
  /** Every refusal stored. Throws, naming the key, when the stored value is not what this file writes. */
  list(): GatewayRefusal[];
  /** Replaces the stored refusals. */
  save(all: readonly GatewayRefusal[]): void;
}

const KEY = 'gateway_refusals';

const isRefusal = (r: unknown): r is GatewayRefusal =>
  typeof r === 'object' && r !== null && Number.isSafeInteger((r as GatewayRefusal).accountId) &&
  ((r as GatewayRefusal).what === 'cancel' || (r as GatewayRefusal).what === 'partialClose');

export function gatewayRefusalRepo(meta: MetaRepo): GatewayRefusalRepo {
  return {
    list() {
      const raw = meta.get(KEY);
      if (raw === undefined) return [];
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch {
        v = undefined;
      }
      if (!Array.isArray(v) || !v.every(isRefusal)) throw new Error(`meta "${KEY}" is not a list of {accountId, what: cancel|partialClose}`);
      return v.map((r) => ({ accountId: r.accountId, what: r.what }));
    },
    save(all) {
      meta.set(KEY, JSON.stringify(all.map((r) => ({ accountId: r.accountId, what: r.what }))));
    },
  };
}
