// Test fixture: one REAL Ledger (src/ledger) fed with gateway events, plus helpers to build RuleContexts and
// a fully populated RiskRules with everything disabled (each test enables the rule it exercises).
import { Ledger } from '../../src/ledger/ledger.ts';
import { applyEvent } from '../../src/ledger/apply.ts';
import { QuoteBook } from '../../src/ledger/quotes.ts';
import { ContractCache } from '../../src/ledger/contracts.ts';
import { nextReset } from '../../src/calendar/tradingDay.ts';
import type { Contract, Order, Trade } from '../../src/gateway/models.ts';
import type { FillView } from '../../src/ledger/view.ts';
import type { RiskRules } from '../../src/config/types.ts';
import type { RuleContext, RuleTrigger } from '../../src/rules/context.ts';

export const TZ = 'America/Chicago';
export const RESET = { resetTime: '17:00', timezone: TZ };
/** Tuesday 2026-11-24 09:00 CST (15:00 UTC). */
export const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);

function contract(id: string, name: string, tickSize: number, tickValue: number): Contract {
  const root = id.split('.')[3] ?? '';
  return { id, name, description: name, tickSize, tickValue, activeContract: true, symbolId: `F.US.${root}` };
}

export const C = {
  MNQ: contract('CON.F.US.MNQ.Z25', 'MNQZ5', 0.25, 0.5),
  MNQH6: contract('CON.F.US.MNQ.H26', 'MNQH6', 0.25, 0.5),
  NQ: contract('CON.F.US.ENQ.Z25', 'ENQZ5', 0.25, 5),
  ES: contract('CON.F.US.EP.Z25', 'EPZ5', 0.25, 12.5),
  ESH6: contract('CON.F.US.EP.H26', 'EPH6', 0.25, 12.5),
  MES: contract('CON.F.US.MES.Z25', 'MESZ5', 0.25, 1.25),
  RTY: contract('CON.F.US.RTY.Z25', 'RTYZ5', 0.1, 5),
  CL: contract('CON.F.US.CLE.F26', 'CLEF6', 0.01, 10),
} as const;

export const ACCOUNT_ID = 7001;

let nextId = 1000;
const id = (): number => ++nextId;

/** One account's real ledger, driven by gateway events at a controllable clock. */
export class TestAccount {
  readonly quotes = new QuoteBook();
  readonly contracts = new ContractCache();
  readonly ledger: Ledger;
  now: number;
  private lifetimes = new Map<string, { id: number; created: number }>();
  private lastReceivedAt = -Infinity;

  constructor(opts: { now?: number; canTrade?: boolean } = {}) {
    this.now = opts.now ?? T0;
    for (const c of Object.values(C)) this.contracts.put(c);
    this.ledger = new Ledger({ accountId: ACCOUNT_ID, tradingDay: RESET, now: this.now, quotes: this.quotes, contracts: this.contracts });
    this.account(opts.canTrade ?? true);
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  account(canTrade: boolean): this {
    applyEvent(this.ledger, {
      kind: 'account',
      source: 'hub',
      receivedAt: this.receivedAt(),
      account: { id: ACCOUNT_ID, name: 'TEST-1', balance: 50_000, canTrade, isVisible: true, simulated: true },
    });
    return this;
  }

  /**
   * Position event: the gateway's net position in a contract (size 0 closes it). Updates of an open position
   * keep its id and creationTimestamp (its lifetime); after a close the next one is a new lifetime.
   */
  position(c: Contract, side: 'long' | 'short' | 'flat', size = 0, averagePrice = 0, openedAt?: number): this {
    let life = this.lifetimes.get(c.id);
    if (!life) this.lifetimes.set(c.id, (life = { id: id(), created: openedAt ?? this.now }));
    const flat = side === 'flat' || size === 0;
    applyEvent(this.ledger, {
      kind: 'position',
      source: 'hub',
      receivedAt: this.receivedAt(),
      action: flat ? 2 : 1,
      position: {
        id: life.id,
        accountId: ACCOUNT_ID,
        contractId: c.id,
        creationTimestamp: openedAt ?? life.created,
        type: flat ? 0 : side === 'long' ? 1 : 2,
        size: flat ? 0 : size,
        averagePrice,
      },
    });
    if (flat) this.lifetimes.delete(c.id);
    return this;
  }

  /** Each event is observed strictly after the previous one (as on a real hub), never before `now`. */
  private receivedAt(): number {
    this.lastReceivedAt = Math.max(this.now, this.lastReceivedAt + 1);
    return this.lastReceivedAt;
  }

  /** A fill (half-turn). pnl null = entry. Returns the ledger's FillView for a fill trigger. */
  fill(
    c: Contract,
    f: { side: 'buy' | 'sell'; size?: number; price?: number; pnl?: number | null; fees?: number; voided?: boolean; byRiskd?: boolean; id?: number; at?: number; orderId?: number },
  ): FillView {
    const orderId = f.orderId ?? id(); // one order may arrive as several rows (give the same orderId)
    if (f.byRiskd) this.ledger.markEnforcementOrder(orderId);
    const trade: Trade = {
      id: f.id ?? id(),
      accountId: ACCOUNT_ID,
      contractId: c.id,
      creationTimestamp: f.at ?? this.now,
      price: f.price ?? 100,
      profitAndLoss: f.pnl ?? null,
      fees: f.fees ?? 0,
      side: f.side === 'buy' ? 0 : 1,
      size: f.size ?? 1,
      voided: f.voided ?? false,
      orderId,
    };
    applyEvent(this.ledger, { kind: 'trade', source: 'hub', receivedAt: this.receivedAt(), action: 0, trade });
    const view = this.ledger.fillsToday().find((x) => x.id === trade.id);
    if (!view) throw new Error(`fixture: fill ${trade.id} not in today's ledger`);
    return view;
  }

  /** A working (or terminal) order. */
  order(c: Contract, o: Partial<Order> & { side: 0 | 1; type: Order['type'] }): Order {
    const order: Order = {
      id: o.id ?? id(),
      accountId: ACCOUNT_ID,
      contractId: c.id,
      creationTimestamp: o.creationTimestamp ?? this.now,
      updateTimestamp: o.updateTimestamp ?? this.now,
      status: o.status ?? 1,
      size: o.size ?? 1,
      fillVolume: o.fillVolume ?? 0,
      ...o,
    };
    applyEvent(this.ledger, { kind: 'order', source: 'hub', receivedAt: this.receivedAt(), action: 1, order });
    return order;
  }

  /** A sparse quote delta: only the fields given are known. */
  quote(c: Contract, q: { bid?: number; ask?: number; last?: number }): this {
    const delta = {
      contractId: c.id,
      ...(q.bid !== undefined ? { bestBid: q.bid } : {}),
      ...(q.ask !== undefined ? { bestAsk: q.ask } : {}),
      ...(q.last !== undefined ? { lastPrice: q.last } : {}),
    };
    const at = this.receivedAt();
    this.quotes.merge(delta, at);
    applyEvent(this.ledger, { kind: 'quote', source: 'hub', receivedAt: at, quote: delta });
    return this;
  }

  ctx(event: RuleTrigger, extra: Partial<RuleContext> = {}): RuleContext {
    return { view: this.ledger, event, now: this.now, tz: TZ, nextResetAt: nextReset(this.now, RESET), ...extra };
  }
}

/** Every rule present (as the config loader resolves it) and disabled; tests switch on what they exercise. */
export function allDisabled(): RiskRules {
  return {
    max_contracts: { enabled: false, limit: 5, action: 'reduce_to_limit' },
    max_contracts_per_instrument: { enabled: false, limits: { MNQ: 4, MES: 4, NQ: 1, ES: 1 }, default_limit: 2, action: 'reduce_to_limit' },
    daily_realized_loss: { enabled: false, limit: 500, include_fees: true },
    daily_unrealized_loss: { enabled: false, limit: 300, scope: 'per_position', respect_realized_budget: true },
    max_unrealized_profit: { enabled: false, target: 1000, scope: 'per_position' },
    trade_frequency_limit: {
      enabled: false,
      count: 'entries',
      per_minute: { limit: 3, cooldown: 60_000 },
      per_hour: { limit: 10, cooldown: 1_800_000 },
      per_day: { limit: 30, cooldown: 'until_reset' },
    },
    cooldown_after_loss: {
      enabled: false,
      tiers: [
        { loss: 100, cooldown: 300_000 },
        { loss: 200, cooldown: 900_000 },
      ],
      consecutive_losses: { count: 3, cooldown: 1_800_000 },
    },
    no_stop_loss_grace: { enabled: false, grace: 30_000 },
    session_block_outside: {
      enabled: false,
      timezone: TZ,
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:30', end: '15:05' }],
      holidays: [],
      early_close: {},
      flatten_at_end: true,
      blackouts: [],
    },
    auth_loss_guard: { enabled: false },
    symbol_blocks: { enabled: false, symbols: ['RTY', 'CL'] },
    trade_management: {
      enabled: false,
      breakeven: { trigger_ticks: 10, offset_ticks: 1 },
      trailing: { activation_ticks: 20, distance_ticks: 10 },
    },
    daily_realized_profit: { enabled: false, target: 1000 },
  };
}

export const clockTick: RuleTrigger = { kind: 'clock' };
export const positionChanged = (c: Contract): RuleTrigger => ({ kind: 'position', contractId: c.id });
export const quoteFor = (c: Contract): RuleTrigger => ({ kind: 'quote', contractId: c.id });
