// Engine -> hubs: every state change the gateway would stream, already in its wire shape.

export type UserTarget = 'GatewayUserAccount' | 'GatewayUserOrder' | 'GatewayUserPosition' | 'GatewayUserTrade';
export type MarketTarget = 'GatewayQuote' | 'GatewayTrade' | 'GatewayDepth';

/** A user-hub event: the live `{action, data}` envelope for one account. */
export interface UserEvent {
  accountId: number;
  target: UserTarget;
  action: 0 | 1 | 2;
  data: Record<string, unknown>;
}

/** A market-hub event: arguments are `(contractId, data)`. */
export interface MarketEvent {
  contractId: string;
  target: MarketTarget;
  data: unknown;
}

export class EventBus {
  private readonly userListeners = new Set<(e: UserEvent) => void>();
  private readonly marketListeners = new Set<(e: MarketEvent) => void>();

  onUser(l: (e: UserEvent) => void): () => void {
    this.userListeners.add(l);
    return () => this.userListeners.delete(l);
  }

  onMarket(l: (e: MarketEvent) => void): () => void {
    this.marketListeners.add(l);
    return () => this.marketListeners.delete(l);
  }

  user(e: UserEvent): void {
    for (const l of this.userListeners) l(e);
  }

  market(e: MarketEvent): void {
    for (const l of this.marketListeners) l(e);
  }
}

/** Drops null/undefined fields: stream payloads omit them (projectx-api.md §8.2). */
export function omitNulls(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

/** Money to cents (fees, P&L, balances). */
export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}
