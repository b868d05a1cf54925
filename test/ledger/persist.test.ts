// The ledger's durable parts through the real SQLite store: a restart rebuilds the same account view.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store/index.ts';
import { LedgerRegistry } from '../../src/ledger/registry.ts';
import { applyEvent } from '../../src/ledger/apply.ts';
import { ACC, CT, ES, ES_C, MNQ, MNQ_C, T0, orderEv, posEv, tradeEv } from './helpers.ts';

const dirs: string[] = [];
const stores: Store[] = [];
function tmpStore(file?: string): Store {
  const f = file ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'riskd-ledger-')), 'riskd.db');
  dirs.push(path.dirname(f));
  const s = openStore(f);
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) {
    try {
      s.close();
    } catch {
      /* already closed */
    }
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('ledger persistence (real store)', () => {
  it('restores positions, working orders, today’s fills (byRiskd kept), contracts and daily P&L', () => {
    const store = tmpStore();
    const r1 = new LedgerRegistry({ tradingDay: CT, store });
    r1.contracts.put(MNQ_C);
    r1.contracts.put(ES_C);
    const l1 = r1.open(ACC, T0);
    applyEvent(l1, posEv({ id: 1, size: 2, averagePrice: 25812.25 }, T0));
    applyEvent(l1, posEv({ id: 2, contractId: ES, type: 2, size: 1, averagePrice: 6000 }, T0));
    applyEvent(l1, posEv({ id: 2, contractId: ES, type: 0, size: 0, averagePrice: 6000 }, T0 + 5, 2));
    applyEvent(l1, orderEv({ id: 10, status: 1 }));
    applyEvent(l1, orderEv({ id: 11, status: 1 }));
    applyEvent(l1, orderEv({ id: 11, status: 3, updateTimestamp: T0 + 9 }));
    applyEvent(l1, tradeEv({ id: 1, fees: 0.72 }, T0));
    applyEvent(l1, tradeEv({ id: 2, profitAndLoss: 80, fees: 0.72, side: 1 }, T0 + 1));
    l1.markEnforcementOrder(30);
    applyEvent(l1, tradeEv({ id: 3, profitAndLoss: -20, fees: 0.72, side: 1 }, T0 + 2));
    applyEvent(l1, tradeEv({ id: 4, profitAndLoss: 5, fees: 0.72, side: 1, voided: false }, T0 + 3));
    applyEvent(l1, tradeEv({ id: 4, profitAndLoss: 5, fees: 0.72, side: 1, voided: true }, T0 + 4));
    const file = store.path;
    store.close();

    const store2 = tmpStore(file);
    const r2 = new LedgerRegistry({ tradingDay: CT, store: store2 });
    expect(r2.contracts.get(MNQ)).toEqual(MNQ_C);
    const l2 = r2.open(ACC, T0 + 60_000);
    expect(l2.positions().map((p) => [p.contractId, p.side, p.size, p.averagePrice])).toEqual([[MNQ, 'long', 2, 25812.25]]);
    expect(l2.workingOrders().map((o) => o.id)).toEqual([10]);
    expect(l2.fillsToday().map((f) => [f.id, f.byRiskd, f.voided])).toEqual([[1, false, false], [2, false, false], [3, true, false], [4, false, true]]);
    expect(l2.realizedGrossToday()).toBe(l1.realizedGrossToday());
    expect(l2.feesToday()).toBe(2.88);
    expect(r2.holding(MNQ).has(l2)).toBe(true);
    expect(store2.dailyPnl.get(ACC, l1.tradingDayId)).toMatchObject({ realizedGross: 60, fees: 2.88 });
    // Replaying the same events after restore changes nothing.
    expect(applyEvent(l2, tradeEv({ id: 2, profitAndLoss: 80, fees: 0.72, side: 1 }, T0 + 1))).toEqual([]);
    expect(applyEvent(l2, orderEv({ id: 10, status: 1 }))).toEqual([]);
    expect(applyEvent(l2, posEv({ id: 1, size: 2, averagePrice: 25812.25 }, T0 + 70_000))).toEqual([]);
  });

  it('inside a turn the rows are written at its commit, each as the ledger held it when it changed', () => {
    const store = tmpStore();
    const reg = new LedgerRegistry({ tradingDay: CT, store });
    reg.contracts.put(MNQ_C);
    const l = reg.open(ACC, T0);
    const commit = store.begin();
    applyEvent(l, posEv({ id: 1 }, T0));
    applyEvent(l, tradeEv({ id: 1, profitAndLoss: -100, fees: 0.5, side: 1 }, T0));
    const day = l.tradingDayId;
    expect(store.positions.list(ACC)).toEqual([]); // written when the turn commits, off the hub frame's path
    // The trading day rolls before the commit: yesterday's row still gets yesterday's numbers.
    applyEvent(l, tradeEv({ id: 2, profitAndLoss: 40, side: 1 }, l.tradingDayEnd + 1000));
    expect(l.tradingDayId).not.toBe(day);
    commit();
    expect(store.dailyPnl.get(ACC, day)).toMatchObject({ realizedGross: -100, fees: 0.5 });
    expect(store.dailyPnl.get(ACC, l.tradingDayId)).toMatchObject({ realizedGross: 40 });
    expect(store.positions.list(ACC).map((p) => p.size)).toEqual([1]);
  });

  it('a restart on the next trading day keeps positions but not yesterday’s fills', () => {
    const store = tmpStore();
    const r1 = new LedgerRegistry({ tradingDay: CT, store });
    r1.contracts.put(MNQ_C);
    const l1 = r1.open(ACC, T0);
    applyEvent(l1, posEv({ id: 1 }, T0));
    applyEvent(l1, tradeEv({ id: 1, profitAndLoss: -100, side: 1 }, T0));
    const r2 = new LedgerRegistry({ tradingDay: CT, store });
    const l2 = r2.open(ACC, l1.tradingDayEnd + 1000);
    expect(l2.openContractsTotal()).toBe(1);
    expect(l2.fillsToday()).toEqual([]);
    expect(l2.realizedGrossToday()).toBe(0);
  });
});
