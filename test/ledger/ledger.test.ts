import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../src/ledger/apply.ts';
import { ACC, ES, MNQ, MNQ_C, T0, accountEv, orderEv, posEv, registry, tradeEv } from './helpers.ts';

describe('ledger core', () => {
  it('reference numbers (payloads §E): long 2 MNQ @ 25812.25 at bid 25820 is +31.00, realized 80 - 1.44 = 78.56', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 900000501, size: 2, averagePrice: 25812.25 }, T0));
    expect(l.position(MNQ)!.unrealized).toBeNull(); // no quote: no number, never 0
    expect(l.unrealizedTotal()).toBeNull();
    r.quotes.merge({ contractId: MNQ, bestBid: 25820 }, T0 + 1);
    const p = l.position(MNQ)!;
    expect(p.mark).toBe(25820);
    expect(p.profitTicks).toBe(31);
    expect(p.unrealized).toBe(31);
    expect(l.unrealizedTotal()).toBe(31);
    applyEvent(l, tradeEv({ id: 1, profitAndLoss: null, fees: 0.72, commissions: 0.5 }, T0));
    applyEvent(l, tradeEv({ id: 2, profitAndLoss: 80, fees: 0.72, commissions: 0.5, side: 1 }, T0 + 5));
    expect(l.realizedGrossToday()).toBe(80);
    expect(l.feesToday()).toBe(1.44);
    expect(l.commissionsToday()).toBe(1);
    expect(l.realizedNetToday(true)).toBe(78.56);
    expect(l.realizedNetToday(false)).toBe(80);
  });

  it('a short is marked at the ask, falls back to last then mid; a quote with only bestAsk leaves bid unknown', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 1, type: 2, size: 1, averagePrice: 100 }, T0));
    r.quotes.merge({ contractId: MNQ, bestAsk: 99 }, T0 + 1);
    expect(l.position(MNQ)!.unrealized).toBe(2); // 4 ticks × 0.5
    expect(l.quote(MNQ, T0 + 11)).toEqual({ contractId: MNQ, bid: null, ask: 99, last: null, ageMs: 10 });
    applyEvent(l, posEv({ id: 1, type: 1, size: 1, averagePrice: 100 }, T0 + 2)); // flip to long: bid unknown
    expect(l.position(MNQ)!.mark).toBeNull();
    r.quotes.merge({ contractId: MNQ, lastPrice: 101 }, T0 + 3);
    expect(l.position(MNQ)!.mark).toBe(101);
    r.quotes.merge({ contractId: MNQ, bestBid: 100.5 }, T0 + 4);
    expect(l.position(MNQ)!.mark).toBe(100.5);
  });

  it('unknown contract: unrealized null until the contract is fetched', () => {
    const r = registry();
    const l = r.get(ACC)!;
    const NQ = 'CON.F.US.ENQ.Z25';
    applyEvent(l, posEv({ id: 7, contractId: NQ, size: 1, averagePrice: 20000 }, T0));
    r.quotes.merge({ contractId: NQ, bestBid: 20001 }, T0);
    expect(l.position(NQ)!.symbol).toBe('NQ');
    expect(l.position(NQ)!.unrealized).toBeNull();
    r.contracts.put({ id: NQ, name: 'NQZ5', description: '', tickSize: 0.25, tickValue: 5, activeContract: true, symbolId: 'F.US.ENQ' });
    expect(l.position(NQ)!.unrealized).toBe(20);
  });

  it('open contracts total and per symbol count all expiries together', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 1, contractId: MNQ, size: 2 }, T0));
    applyEvent(l, posEv({ id: 2, contractId: 'CON.F.US.MNQ.H26', size: 1 }, T0));
    applyEvent(l, posEv({ id: 3, contractId: ES, type: 2, size: 1 }, T0));
    expect(l.openContractsTotal()).toBe(4);
    expect(Object.fromEntries(l.openContractsBySymbol())).toEqual({ MNQ: 3, ES: 1 });
  });

  it('working orders: 1,6,7,8 working, 2-5 removed; bracket children found by parent', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, orderEv({ id: 10, status: 6, type: 2, side: 0 }));
    applyEvent(l, orderEv({ id: 11, status: 8, parentOrderId: 10 }));
    applyEvent(l, orderEv({ id: 12, status: 8, parentOrderId: 10, linkedOrderId: 11, type: 1 }));
    expect(l.workingOrders().map((o) => o.id).sort()).toEqual([10, 11, 12]);
    const c = applyEvent(l, orderEv({ id: 10, status: 2, fillVolume: 1, updateTimestamp: T0 + 8 }));
    expect(c).toMatchObject([{ kind: 'order', what: 'terminal' }]);
    expect(l.bracketChildren(10).map((o) => o.id).sort()).toEqual([11, 12]);
    applyEvent(l, orderEv({ id: 12, status: 3, updateTimestamp: T0 + 30 }));
    expect(l.workingOrders().map((o) => o.id)).toEqual([11]);
    expect(r.holding(MNQ).has(l)).toBe(true);
    applyEvent(l, orderEv({ id: 11, status: 3, updateTimestamp: T0 + 30 }));
    expect(r.holding(MNQ).size).toBe(0);
  });

  it('counts trader entries/fills per window, excluding riskd fills and voided ones', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, tradeEv({ id: 1 }, T0));
    applyEvent(l, tradeEv({ id: 2, profitAndLoss: 5, side: 1 }, T0 + 30_000));
    applyEvent(l, tradeEv({ id: 3 }, T0 + 70_000));
    l.markEnforcementPending(MNQ, T0 + 100_000);
    applyEvent(l, tradeEv({ id: 4, profitAndLoss: -3, side: 1 }, T0 + 80_000)); // riskd's close
    applyEvent(l, tradeEv({ id: 5, voided: true }, T0 + 90_000));
    expect(l.fillsToday().find((f) => f.id === 4)!.byRiskd).toBe(true);
    expect(l.countSince(T0, 'entries')).toBe(2);
    expect(l.countSince(T0, 'fills')).toBe(3);
    expect(l.countSince(T0 + 60_000, 'fills')).toBe(1);
    expect(l.countSince(l.tradingDayStart, 'entries')).toBe(2);
  });

  it('reuses a position view only while its position, contract facts and quote are unchanged', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 1, size: 2, averagePrice: 100 }, T0));
    r.quotes.merge({ contractId: MNQ, bestBid: 101 }, T0 + 1);
    const a = l.position(MNQ)!;
    expect(l.position(MNQ)).toBe(a); // same inputs: the same view
    expect(l.positions()[0]).toBe(a);
    expect(a.unrealized).toBe(4); // 4 ticks x $0.50 x 2
    r.quotes.merge({ contractId: MNQ, bestBid: 102 }, T0 + 2); // same quote record, new delta
    const b = l.position(MNQ)!;
    expect(b).not.toBe(a);
    expect(b.unrealized).toBe(8);
    r.contracts.put({ ...MNQ_C, tickValue: 1 }); // new contract facts
    expect(l.position(MNQ)!.unrealized).toBe(16);
    applyEvent(l, posEv({ id: 1, size: 3, averagePrice: 100 }, T0 + 3)); // new position record
    expect(l.position(MNQ)!.size).toBe(3);
    expect(l.position(MNQ)!.unrealized).toBe(24);
    applyEvent(l, posEv({ id: 1, size: 0, type: 0 }, T0 + 4)); // closed
    expect(l.position(MNQ)).toBeUndefined();
    applyEvent(l, posEv({ id: 2, size: 1, averagePrice: 102, creationTimestamp: T0 + 5 }, T0 + 5));
    expect(l.position(MNQ)).toMatchObject({ size: 1, averagePrice: 102, unrealized: 0 });
  });

  it('netFilledToday (riskd receive time, never the gateway stamp) follows fills added out of order, voided, and the trading-day roll', () => {
    const r = registry();
    const l = r.get(ACC)!;
    // Brute force over today's fills: what the cached aggregate must always equal.
    const brute = (c: string) => {
      let net = 0;
      let lastReceivedAt: number | undefined;
      for (const f of l.fillsToday()) {
        if (f.contractId !== c || f.voided) continue;
        net += f.side === 0 ? f.size : -f.size;
        lastReceivedAt = lastReceivedAt === undefined ? f.receivedAt : Math.max(lastReceivedAt, f.receivedAt ?? -Infinity);
      }
      return { net, lastReceivedAt };
    };
    expect(l.netFilledToday(MNQ)).toEqual({ net: 0, lastReceivedAt: undefined });
    applyEvent(l, tradeEv({ id: 1, size: 3 }, T0 + 10));
    expect(l.netFilledToday(MNQ)).toEqual({ net: 3, lastReceivedAt: T0 + 10 });
    applyEvent(l, tradeEv({ id: 2, size: 1, side: 1, profitAndLoss: 5 }, T0 + 5)); // arrives late, older time
    applyEvent(l, tradeEv({ id: 3, contractId: ES, size: 2, side: 1 }, T0 + 20));
    expect(l.netFilledToday(MNQ)).toEqual({ net: 2, lastReceivedAt: T0 + 10 });
    expect(l.netFilledToday(ES)).toEqual({ net: -2, lastReceivedAt: T0 + 20 });
    applyEvent(l, tradeEv({ id: 1, size: 3, voided: true }, T0 + 10)); // the gateway voids fill 1
    expect(l.netFilledToday(MNQ)).toEqual(brute(MNQ));
    expect(l.netFilledToday(MNQ)).toEqual({ net: -1, lastReceivedAt: T0 + 5 });
    l.rollTo(l.tradingDayEnd);
    expect(l.netFilledToday(MNQ)).toEqual({ net: 0, lastReceivedAt: undefined });
    expect(l.netFilledToday(ES)).toEqual({ net: 0, lastReceivedAt: undefined });
    applyEvent(l, tradeEv({ id: 9, size: 1 }, l.tradingDayStart + 1));
    expect(l.netFilledToday(MNQ)).toEqual(brute(MNQ));
    expect(l.netFilledToday(MNQ).net).toBe(1);
    // A gateway clock 5 s behind riskd's: the stamp says T-5 s, riskd received it at T.
    const t = l.tradingDayStart + 60_000;
    applyEvent(l, tradeEv({ id: 10, size: 1, creationTimestamp: t - 5000 }, t));
    expect(l.netFilledToday(MNQ)).toEqual({ net: 2, lastReceivedAt: t });
  });

  it('markEnforcementOrder re-attributes fills that beat the REST response', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, tradeEv({ id: 1, orderId: 555 }, T0));
    expect(l.countSince(0, 'fills')).toBe(1);
    expect(l.markEnforcementOrder(555).map((f) => f.id)).toEqual([1]);
    expect(l.countSince(0, 'fills')).toBe(0);
    applyEvent(l, tradeEv({ id: 2, orderId: 555 }, T0 + 1));
    expect(l.fillsToday().every((f) => f.byRiskd)).toBe(true);
  });

  it('consecutive losing exits: net of the exit fill fees; profitable exit resets; riskd exits skipped', () => {
    const r = registry();
    const l = r.get(ACC)!;
    let t = T0;
    const exit = (id: number, pnl: number, fees = 0.37) => applyEvent(l, tradeEv({ id, profitAndLoss: pnl, fees, side: 1 }, (t += 1000)));
    exit(1, -10);
    exit(2, 20);
    exit(3, -5);
    applyEvent(l, tradeEv({ id: 4 }, (t += 1000))); // entry: skipped
    exit(5, 0.2); // net -0.17: a loss with fees
    expect(l.consecutiveLosingExits()).toBe(2);
    expect(l.consecutiveLosingExits(false)).toBe(0);
    l.markEnforcementOrder(60);
    exit(6, -50);
    expect(l.consecutiveLosingExits()).toBe(2);
  });

  it('account canTrade changes are reported, equal snapshots are not, older ones are ignored', () => {
    const r = registry();
    const l = r.get(ACC)!;
    expect(applyEvent(l, accountEv({}, T0))).toMatchObject([{ kind: 'account', canTradeChanged: true }]);
    expect(applyEvent(l, accountEv({}, T0 + 1))).toEqual([]);
    expect(applyEvent(l, accountEv({ canTrade: false }, T0 + 2))).toMatchObject([{ kind: 'account', canTradeChanged: true }]);
    expect(applyEvent(l, accountEv({ canTrade: true }, T0 + 1))).toEqual([]);
    expect(l.canTrade).toBe(false);
  });

  it('tracks max favourable / adverse excursion per position and for the day', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 1, size: 1, averagePrice: 100 }, T0));
    for (const bid of [101, 98, 100.5]) {
      r.quotes.merge({ contractId: MNQ, bestBid: bid }, T0);
      l.onQuote(MNQ);
    }
    expect(l.positionExcursion(MNQ)).toEqual({ maxFavorable: 2, maxAdverse: -4 });
    expect(l.excursionToday()).toEqual({ maxFavorable: 2, maxAdverse: -4 });
  });
});

describe('enforcement attribution windows', () => {
  it('with sinceMs, an exit learnt later from REST but stamped inside the window is riskd’s; earlier trader exits are not', () => {
    const r = registry();
    const l = r.get(ACC)!;
    l.markEnforcementPending(MNQ, T0 + 10_000, T0);
    applyEvent(l, tradeEv({ id: 1, profitAndLoss: 5, side: 1, creationTimestamp: T0 + 2_000 }, T0 + 60_000, 'rest'));
    applyEvent(l, tradeEv({ id: 2, profitAndLoss: 5, side: 1, creationTimestamp: T0 - 5_000 }, T0 + 60_000, 'rest'));
    applyEvent(l, tradeEv({ id: 3, profitAndLoss: null, creationTimestamp: T0 + 3_000 }, T0 + 3_000)); // an entry: never
    expect(l.fillsToday().map((f) => [f.id, f.byRiskd])).toEqual([[2, false], [1, true], [3, false]]);
  });
});

describe('enforcement attribution budget', () => {
  it('only as many exit contracts as riskd closes are riskd’s; the trader’s own exit in the window still counts', () => {
    const r = registry();
    const l = r.get(ACC)!;
    l.markEnforcementPending(MNQ, T0 + 10_000, T0, 1); // riskd reduces 1 contract
    applyEvent(l, tradeEv({ id: 1, profitAndLoss: 5, side: 1, size: 1, creationTimestamp: T0 + 100 }, T0 + 100));
    applyEvent(l, tradeEv({ id: 2, profitAndLoss: -40, side: 1, size: 1, creationTimestamp: T0 + 2_000 }, T0 + 2_000));
    expect(l.fillsToday().map((f) => [f.id, f.byRiskd])).toEqual([[1, true], [2, false]]);
    expect(l.consecutiveLosingExits()).toBe(1);
  });
});

describe('position event ordering', () => {
  it('a close of a later lifetime ends an earlier position whose own close was missed (found by fast-check)', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 101, type: 2, size: 2, creationTimestamp: T0 + 3000 }, T0 + 3000));
    expect(applyEvent(l, posEv({ id: 102, type: 0, size: 0, creationTimestamp: T0 + 5000 }, T0 + 6000, 2))).toMatchObject([{ kind: 'position', what: 'closed', before: { id: 101 } }]);
    expect(applyEvent(l, posEv({ id: 101, type: 0, size: 0, creationTimestamp: T0 + 3000 }, T0 + 4000, 2))).toEqual([]);
    expect(applyEvent(l, posEv({ id: 102, type: 1, size: 2, creationTimestamp: T0 + 5000 }, T0 + 5000))).toEqual([]);
    expect(l.positions()).toEqual([]);
  });

  it('a delayed duplicate of an old close never closes a newer position; a late replay never resurrects', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 1, creationTimestamp: T0 }, T0));
    applyEvent(l, posEv({ id: 1, type: 0, size: 0, creationTimestamp: T0 }, T0 + 10, 2));
    applyEvent(l, posEv({ id: 2, creationTimestamp: T0 + 20 }, T0 + 20));
    expect(applyEvent(l, posEv({ id: 1, type: 0, size: 0, creationTimestamp: T0 }, T0 + 999, 2))).toEqual([]);
    expect(applyEvent(l, posEv({ id: 1, creationTimestamp: T0 }, T0 + 1000))).toEqual([]);
    expect(l.positions().map((p) => p.openedAt)).toEqual([T0 + 20]);
    applyEvent(l, posEv({ id: 2, type: 0, size: 0, creationTimestamp: T0 + 20 }, T0 + 30, 2));
    expect(applyEvent(l, posEv({ id: 2, size: 1, creationTimestamp: T0 + 20 }, T0 + 5000, 1, 'rest'))).toEqual([]);
    expect(l.positions()).toEqual([]);
  });

  it('updates of one position received in the same millisecond (an order filling in parts) all apply, in arrival order', () => {
    // Seen on a loaded box: three executions of one order read from one socket read; the third was taken for a
    // repeat of the second (same lifetime, same receive time) and riskd believed 2 contracts open instead of 3.
    const r = registry();
    const l = r.get(ACC)!;
    expect(applyEvent(l, posEv({ id: 7, size: 1 }, T0 + 5))).toMatchObject([{ what: 'opened' }]);
    expect(applyEvent(l, posEv({ id: 7, size: 2 }, T0 + 5))).toMatchObject([{ what: 'changed', after: { size: 2 } }]);
    expect(applyEvent(l, posEv({ id: 7, size: 3 }, T0 + 5))).toMatchObject([{ what: 'changed', after: { size: 3 } }]);
    expect(l.openContractsTotal()).toBe(3);
    // A repeat of what riskd holds, or a snapshot stamped the same millisecond, changes nothing.
    expect(applyEvent(l, posEv({ id: 7, size: 3 }, T0 + 5))).toEqual([]);
    expect(applyEvent(l, posEv({ id: 7, size: 2 }, T0 + 5, 1, 'rest'))).toEqual([]);
    expect(applyEvent(l, posEv({ id: 7, type: 0, size: 0 }, T0 + 5, 2, 'rest'))).toEqual([]);
    expect(l.openContractsTotal()).toBe(3);
    // The close in the same millisecond is final; its repeat changes nothing.
    expect(applyEvent(l, posEv({ id: 7, type: 0, size: 0 }, T0 + 5, 2))).toMatchObject([{ what: 'closed' }]);
    expect(applyEvent(l, posEv({ id: 7, type: 0, size: 0 }, T0 + 5, 2))).toEqual([]);
    expect(applyEvent(l, posEv({ id: 7, size: 3 }, T0 + 5))).toEqual([]);
    expect(l.positions()).toEqual([]);
  });
});

describe('fills ahead of their position event', () => {
  it('sums the fills since the latest position event; a new event or a REST snapshot absorbs them, a duplicate does not', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 1, size: 2, creationTimestamp: T0 }, T0));
    expect(l.fillsSincePosition(MNQ)).toBe(0);
    applyEvent(l, tradeEv({ id: 11, side: 1, size: 2, profitAndLoss: -30, orderId: 501 }, T0 + 5));
    expect(l.fillsSincePosition(MNQ)).toBe(-2); // the trader's exit, its position event still on the way
    expect(l.filledSizeOf(501)).toBe(2);
    applyEvent(l, posEv({ id: 1, size: 2, creationTimestamp: T0 }, T0)); // a duplicate of the old event
    expect(l.fillsSincePosition(MNQ)).toBe(-2);
    applyEvent(l, posEv({ id: 1, type: 0, size: 0, creationTimestamp: T0 }, T0 + 6, 2));
    expect(l.fillsSincePosition(MNQ)).toBe(0);
    applyEvent(l, tradeEv({ id: 12, side: 0, size: 1, orderId: 502 }, T0 + 7));
    applyEvent(l, tradeEv({ id: 12, side: 0, size: 1, orderId: 502 }, T0 + 8)); // duplicate fill
    expect(l.fillsSincePosition(MNQ)).toBe(1);
    applyEvent(l, posEv({ id: 2, size: 1, creationTimestamp: T0 + 7 }, T0 + 9, 1, 'rest'));
    applyEvent(l, posEv({ id: 2, size: 1, creationTimestamp: T0 + 7 }, T0 + 10, 1, 'rest')); // a repeated snapshot
    expect(l.fillsSincePosition(MNQ)).toBe(0);
  });
});

describe('inferred closes (reconciliation)', () => {
  it('a close inferred from a REST snapshot is undone by a later observation of the same position', () => {
    const r = registry();
    const l = r.get(ACC)!;
    applyEvent(l, posEv({ id: 1, size: 1 }, T0));
    expect(applyEvent(l, posEv({ id: 1, type: 0, size: 0 }, T0 + 10, 2, 'rest'))).toMatchObject([{ what: 'closed' }]);
    expect(applyEvent(l, posEv({ id: 1, size: 2 }, T0 + 20))).toMatchObject([{ what: 'opened' }]);
    expect(l.openContractsTotal()).toBe(2);
    // A hub close stays final.
    applyEvent(l, posEv({ id: 1, type: 0, size: 0 }, T0 + 30, 2));
    expect(applyEvent(l, posEv({ id: 1, size: 2 }, T0 + 40, 1, 'rest'))).toEqual([]);
    expect(l.positions()).toEqual([]);
  });
});
