// A reference trading account for property tests: it turns a random script of trader actions into the events
// the gateway would send (fills with gateway-style realized P&L, position updates, order versions), and keeps
// its own exact numbers (integer ticks, avg-cost accounting) to check the ledger against.
import fc from 'fast-check';
import type { GatewayEvent, Order, Trade } from '../../src/gateway/models.ts';
import { ACC, T0 } from './helpers.ts';

export interface Instrument {
  contractId: string;
  tickSize: number;
  tickValue: number;
}

export type Action =
  | { a: 'fill'; inst: number; buy: boolean; qty: number; priceTicks: number; feeCents: number }
  | { a: 'void'; pick: number }
  | { a: 'order'; inst: number; stopTicks: number }
  | { a: 'orderUpdate'; pick: number; stopTicks: number }
  | { a: 'orderEnd'; pick: number; status: 2 | 3 | 4 | 5 }
  | { a: 'account'; canTrade: boolean; balanceCents: number }
  | { a: 'snapshot' };

export const actionArb = (instruments: number): fc.Arbitrary<Action> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ a: fc.constant('fill' as const), inst: fc.nat(instruments - 1), buy: fc.boolean(), qty: fc.integer({ min: 1, max: 4 }), priceTicks: fc.integer({ min: 39_000, max: 41_000 }), feeCents: fc.integer({ min: 0, max: 150 }) }) },
    { weight: 1, arbitrary: fc.record({ a: fc.constant('void' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ a: fc.constant('order' as const), inst: fc.nat(instruments - 1), stopTicks: fc.integer({ min: 39_000, max: 41_000 }) }) },
    { weight: 2, arbitrary: fc.record({ a: fc.constant('orderUpdate' as const), pick: fc.nat(), stopTicks: fc.integer({ min: 39_000, max: 41_000 }) }) },
    { weight: 2, arbitrary: fc.record({ a: fc.constant('orderEnd' as const), pick: fc.nat(), status: fc.constantFrom(2 as const, 3 as const, 4 as const, 5 as const) }) },
    { weight: 1, arbitrary: fc.record({ a: fc.constant('account' as const), canTrade: fc.boolean(), balanceCents: fc.integer({ min: 0, max: 10_000_000 }) }) },
    { weight: 1, arbitrary: fc.record({ a: fc.constant('snapshot' as const) }) },
  );

interface Lot {
  posId: number;
  created: number;
  qty: number; // signed
  costTicks: number; // Σ entry ticks × qty (exact avg cost: costTicks/|qty|)
}

/** Plays a script; collects hub events (in true order) and REST snapshots (stamped at their time). */
export class ReferenceAccount {
  readonly hub: GatewayEvent[] = [];
  readonly rest: GatewayEvent[] = [];
  readonly trades: Trade[] = [];
  private readonly lots = new Map<number, Lot>();
  private readonly everHeld = new Map<number, { posId: number; created: number }>();
  private readonly orders = new Map<number, Order>();
  private t = T0;
  private nextTrade = 1;
  private nextPos = 100;
  private nextOrder = 1000;
  realizedGross = 0; // exact-ish (sum of cents-rounded gateway P&L)
  fees = 0;

  constructor(readonly instruments: Instrument[]) {}

  play(actions: Action[]): this {
    for (const act of actions) this.step(act);
    return this;
  }

  private tick(): number {
    this.t += 1000;
    return this.t;
  }

  private step(act: Action): void {
    switch (act.a) {
      case 'fill':
        return this.fill(act.inst, act.buy ? act.qty : -act.qty, act.priceTicks, act.feeCents / 100);
      case 'void': {
        if (this.trades.length === 0) return;
        const tr = this.trades[act.pick % this.trades.length]!;
        if (tr.voided) return;
        tr.voided = true;
        if (tr.profitAndLoss !== null) this.realizedGross -= tr.profitAndLoss;
        this.hub.push({ kind: 'trade', source: 'hub', receivedAt: this.tick(), action: 0, trade: { ...tr } });
        return;
      }
      case 'order': {
        const inst = this.instruments[act.inst]!;
        const at = this.tick();
        const o: Order = { id: this.nextOrder++, accountId: ACC, contractId: inst.contractId, creationTimestamp: at, updateTimestamp: at, status: 1, type: 4, side: 1, size: 1, fillVolume: 0, stopPrice: act.stopTicks * inst.tickSize };
        this.orders.set(o.id, o);
        this.hub.push({ kind: 'order', source: 'hub', receivedAt: at, action: 1, order: { ...o } });
        return;
      }
      case 'orderUpdate':
      case 'orderEnd': {
        const working = [...this.orders.values()].filter((o) => o.status === 1);
        if (working.length === 0) return;
        const o = working[act.pick % working.length]!;
        const at = this.tick();
        const inst = this.instruments.find((i) => i.contractId === o.contractId)!;
        const next: Order = act.a === 'orderUpdate'
          ? { ...o, updateTimestamp: at, stopPrice: act.stopTicks * inst.tickSize }
          : { ...o, updateTimestamp: at, status: act.status, fillVolume: act.status === 2 ? 1 : 0 };
        this.orders.set(o.id, next);
        this.hub.push({ kind: 'order', source: 'hub', receivedAt: at, action: 1, order: { ...next } });
        return;
      }
      case 'account': {
        const at = this.tick();
        this.hub.push({ kind: 'account', source: 'hub', receivedAt: at, action: 1, account: { id: ACC, name: 'PRAC', balance: act.balanceCents / 100, canTrade: act.canTrade, isVisible: true, simulated: true } });
        return;
      }
      case 'snapshot':
        return this.snapshot();
    }
  }

  /** One fill of signed qty; a reversal is split into an exit and an entry, as two half-turns. */
  private fill(instIdx: number, qty: number, priceTicks: number, fee: number): void {
    const inst = this.instruments[instIdx]!;
    const lot = this.lots.get(instIdx);
    if (lot && Math.sign(lot.qty) !== Math.sign(qty)) {
      const closing = Math.min(Math.abs(qty), Math.abs(lot.qty));
      const avgTicks = lot.costTicks / Math.abs(lot.qty);
      const dir = Math.sign(lot.qty);
      const pnl = Math.round((priceTicks - avgTicks) * dir * closing * inst.tickValue * 100) / 100;
      const remaining = lot.qty + Math.sign(qty) * closing;
      const at = this.tick();
      this.trade(inst, at, priceTicks, qty > 0 ? 0 : 1, closing, pnl, fee);
      if (remaining === 0) {
        this.lots.delete(instIdx);
        this.position(inst, at, lot.posId, lot.created, 0, 0, 2);
      } else {
        lot.costTicks = avgTicks * Math.abs(remaining);
        lot.qty = remaining;
        this.position(inst, at, lot.posId, lot.created, lot.qty, lot.costTicks / Math.abs(lot.qty), 1);
      }
      const rest = Math.abs(qty) - closing;
      if (rest > 0) this.fill(instIdx, Math.sign(qty) * rest, priceTicks, 0);
      return;
    }
    const at = this.tick();
    const next: Lot = lot ?? { posId: this.nextPos++, created: at, qty: 0, costTicks: 0 };
    next.qty += qty;
    next.costTicks += priceTicks * Math.abs(qty);
    this.lots.set(instIdx, next);
    this.everHeld.set(instIdx, { posId: next.posId, created: next.created });
    this.trade(inst, at, priceTicks, qty > 0 ? 0 : 1, Math.abs(qty), null, fee);
    this.position(inst, at, next.posId, next.created, next.qty, next.costTicks / Math.abs(next.qty), 1);
  }

  private trade(inst: Instrument, at: number, priceTicks: number, side: 0 | 1, size: number, pnl: number | null, fee: number): void {
    const tr: Trade = { id: this.nextTrade++, accountId: ACC, contractId: inst.contractId, creationTimestamp: at, price: priceTicks * inst.tickSize, profitAndLoss: pnl, fees: fee, side, size, voided: false, orderId: 5000 + this.nextTrade };
    this.trades.push(tr);
    if (pnl !== null) this.realizedGross += pnl;
    this.fees += fee;
    this.hub.push({ kind: 'trade', source: 'hub', receivedAt: at, action: 0, trade: { ...tr } });
  }

  private position(inst: Instrument, at: number, id: number, created: number, signedQty: number, avgTicks: number, action: 1 | 2): void {
    this.hub.push({
      kind: 'position', source: 'hub', receivedAt: at, action,
      position: { id, accountId: ACC, contractId: inst.contractId, creationTimestamp: created, type: signedQty > 0 ? 1 : signedQty < 0 ? 2 : 0, size: Math.abs(signedQty), averagePrice: avgTicks * inst.tickSize },
    });
  }

  /** What reconciliation at this instant would apply: open positions, closes of earlier ones, orders, fills. */
  private snapshot(): void {
    const at = this.tick();
    for (const [idx, inst] of this.instruments.entries()) {
      const lot = this.lots.get(idx);
      if (lot) this.position(inst, at, lot.posId, lot.created, lot.qty, lot.costTicks / Math.abs(lot.qty), 1);
      else {
        const held = this.everHeld.get(idx);
        if (held) this.position(inst, at, held.posId, held.created, 0, 0, 2);
      }
    }
    // position() pushed to hub; move those to rest with source 'rest'.
    const moved = this.hub.splice(this.hub.length - this.instruments.filter((_, i) => this.lots.has(i) || this.everHeld.has(i)).length);
    for (const ev of moved) this.rest.push({ ...ev, source: 'rest' } as GatewayEvent);
    for (const o of this.orders.values()) this.rest.push({ kind: 'order', source: 'rest', receivedAt: at, action: 1, order: { ...o } });
    for (const tr of this.trades) this.rest.push({ kind: 'trade', source: 'rest', receivedAt: at, action: 0, trade: { ...tr } });
  }

  /** Open position per instrument: signed qty and exact average price. */
  openLots(): { contractId: string; qty: number; avgTicks: number }[] {
    return [...this.lots.entries()].map(([i, l]) => ({ contractId: this.instruments[i]!.contractId, qty: l.qty, avgTicks: l.costTicks / Math.abs(l.qty) }));
  }
}
