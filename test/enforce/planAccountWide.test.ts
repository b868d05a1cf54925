// Planning a flatten or a cancelAll (src/enforce/planAccountWide.ts): where it learns what is open, what it closes
// and cancels (closes first), what the sweep after a flatten leaves alone, and when that sweep is needed.
import { describe, expect, it } from 'vitest';
import { AccountMemory } from '../../src/enforce/accountMemory.ts';
import { accountWideSource, flattenSweep, planAccountWide, type AccountWideIntent, type Sweep } from '../../src/enforce/planAccountWide.ts';
import type { EnforcementStatus } from '../../src/enforce/types.ts';
import { OrderStatus, OrderType } from '../../src/gateway/models.ts';
import { facts, order, viewOf } from './helpers/planFacts.ts';

const ACC = 7;
const MNQ = 'CON.F.US.MNQ.Z25';
const ES = 'CON.F.US.EP.Z25';
const flatten: AccountWideIntent = { type: 'flatten', accountId: ACC };
const cancelAll: AccountWideIntent = { type: 'cancelAll', accountId: ACC };
const holder = { kind: 'close', rowId: 9, queued: false } as const;

const stopMNQ = order(11, { contractId: MNQ });
const marketMNQ = order(12, { contractId: MNQ, type: OrderType.Market });
const marketES = order(13, { contractId: ES, type: OrderType.Market });
const limitES = order(14, { contractId: ES, type: OrderType.Limit });
const filledES = order(15, { contractId: ES, status: OrderStatus.Filled });

describe('accountWideSource', () => {
  const view = viewOf({});
  const sweep: Sweep = { orders: false, closedContracts: new Set() };
  it.each([
    { what: 'a flatten with a reconciled view', i: flatten, f: facts({ view, reconciled: true }), s: undefined, want: { view } },
    { what: 'a flatten when the runtime does not say', i: flatten, f: facts({ view }), s: undefined, want: { view } },
    {
      what: 'a flatten before the first REST snapshot',
      i: flatten,
      f: facts({ view, reconciled: false }),
      s: undefined,
      want: { positions: true, orders: true, unreadable: 'not executed: could not list positions/orders' },
    },
    { what: 'a flatten without a view', i: flatten, f: facts(), s: undefined, want: { positions: true, orders: true, unreadable: 'not executed: could not list positions/orders' } },
    { what: 'a cancelAll without a view', i: cancelAll, f: facts(), s: undefined, want: { positions: false, orders: true, unreadable: 'not executed: could not list positions/orders' } },
    { what: 'the sweep (positions only)', i: flatten, f: facts({ view }), s: sweep, want: { positions: true, orders: false, unreadable: 'flatten sweep could not verify positions/orders' } },
    { what: 'the sweep (and orders)', i: flatten, f: facts({ view }), s: { ...sweep, orders: true }, want: { positions: true, orders: true, unreadable: 'flatten sweep could not verify positions/orders' } },
  ])('$what', ({ i, f, s, want }) => {
    expect(accountWideSource(i, f, s)).toEqual(want);
  });
});

describe('planAccountWide: flatten', () => {
  const data = {
    positions: [
      { contractId: MNQ, size: 2 },
      { contractId: ES, size: 0 },
    ],
    orders: [stopMNQ, marketMNQ, marketES, limitES, filledES],
  };

  it.each([
    { source: 'the ledger view', from: { view: viewOf(data) } },
    { source: 'the REST lists', from: { lists: data } },
  ])('from $source: closes open positions first, cancels working orders but the market order of a contract being closed', ({ from }) => {
    expect(planAccountWide(flatten, 'Daily loss', from, facts())).toEqual({
      do: 'act',
      reason: 'Daily loss',
      closes: [{ kind: 'close', key: `pos:${ACC}:${MNQ}`, contractId: MNQ, startSize: 2 }],
      cancels: [
        { do: 'start', spec: { kind: 'cancel', key: `ord:${ACC}:11`, orderId: 11, contractId: MNQ } },
        { do: 'start', spec: { kind: 'cancel', key: `ord:${ACC}:13`, orderId: 13, contractId: ES } },
        { do: 'start', spec: { kind: 'cancel', key: `ord:${ACC}:14`, orderId: 14, contractId: ES } },
      ],
      resting: true,
    });
  });

  it('leaves the market order of a contract whose close is already in flight', () => {
    const plan = planAccountWide(flatten, 'r', { view: viewOf({ orders: [marketES, stopMNQ] }) }, facts({ holders: { [`pos:${ACC}:${ES}`]: holder } }));
    expect(plan).toMatchObject({ do: 'act', closes: [], cancels: [{ spec: { orderId: 11 } }] });
  });

  it('says so when there is nothing open', () => {
    expect(planAccountWide(flatten, 'r', { view: viewOf({ orders: [filledES] }) }, facts())).toEqual({
      do: 'skip',
      outcome: 'nothing to do: no open position or working order',
      status: 'skipped',
    });
  });

  it('only market orders left: nothing rests', () => {
    const plan = planAccountWide(flatten, 'r', { view: viewOf({ orders: [marketES] }) }, facts());
    expect(plan).toMatchObject({ do: 'act', resting: false });
  });

  it('on an account that refuses cancels, watches its orders instead', () => {
    const memory = new AccountMemory();
    memory.noteRefusal(ACC, 'cancel');
    const plan = planAccountWide(flatten, 'r', { view: viewOf({ orders: [stopMNQ] }) }, facts({ memory }));
    expect(plan).toMatchObject({ do: 'act', cancels: [{ do: 'skip', watch: { orderId: 11, contractId: MNQ } }] });
  });
});

describe('planAccountWide: cancelAll', () => {
  it('cancels every working order and closes nothing', () => {
    const view = viewOf({ positions: [{ contractId: MNQ, size: 1 }], orders: [stopMNQ, marketMNQ] });
    expect(planAccountWide(cancelAll, 'r', { view }, facts())).toMatchObject({
      do: 'act',
      closes: [],
      cancels: [{ spec: { orderId: 11 } }, { spec: { orderId: 12 } }],
    });
  });

  it('by symbol (any case): only that symbol’s orders, from the ledger view', () => {
    const view = viewOf({ orders: [stopMNQ, limitES] });
    expect(planAccountWide({ ...cancelAll, symbol: 'ep' }, 'r', { view }, facts())).toMatchObject({ do: 'act', cancels: [{ spec: { orderId: 14 } }] });
    expect(planAccountWide({ ...cancelAll, symbol: 'NQ' }, 'r', { view }, facts())).toEqual({ do: 'skip', outcome: 'nothing to do: no working order', status: 'skipped' });
  });

  it('by symbol needs the ledger view: REST lists carry no symbols', () => {
    expect(planAccountWide({ ...cancelAll, symbol: 'MNQ' }, 'r', { lists: { positions: [], orders: [stopMNQ] } }, facts())).toEqual({
      do: 'skip',
      outcome: 'not executed: cancelAll by symbol needs the ledger view',
      status: 'failed',
    });
  });
});

describe('planAccountWide: the sweep after a flatten', () => {
  const lists = { positions: [{ contractId: MNQ, size: 1 }, { contractId: ES, size: 2 }], orders: [stopMNQ, limitES] };
  const sweep: Sweep = { orders: true, closedContracts: new Set() };

  it('closes and cancels the leftovers, saying they are the sweep’s', () => {
    expect(planAccountWide(flatten, 'Kill switch', { lists }, facts(), sweep)).toMatchObject({
      do: 'act',
      reason: 'Kill switch (flatten sweep: still open per REST after the flatten)',
      closes: [{ contractId: MNQ }, { contractId: ES }],
      cancels: [{ spec: { orderId: 11 } }, { spec: { orderId: 14 } }],
    });
  });

  it.each([
    { what: 'a position whose close is in flight', f: () => facts({ holders: { [`pos:${ACC}:${MNQ}`]: holder } }), closes: [ES], cancels: [11, 14] },
    { what: 'an order whose cancel is in flight', f: () => facts({ holders: { [`ord:${ACC}:14`]: { ...holder, kind: 'cancel' } } }), closes: [MNQ, ES], cancels: [11] },
    {
      what: 'an order watched to close on fill',
      f: () => {
        const memory = new AccountMemory();
        memory.watch({ accountId: ACC, orderId: 11, rule: 'RULE-001', reason: 'r' });
        return facts({ memory });
      },
      closes: [MNQ, ES],
      cancels: [14],
    },
  ])('leaves alone $what', ({ f, closes, cancels }) => {
    const plan = planAccountWide(flatten, 'r', { lists }, f(), sweep);
    expect(plan.do === 'act' && plan.closes.map((c) => c.contractId)).toEqual(closes);
    expect(plan.do === 'act' && plan.cancels.map((c) => c.do === 'start' && c.spec.orderId)).toEqual(cancels);
  });

  it('leaves a position the ledger shows where the flatten’s close is done: it opened after (the kill switch’s to close)', () => {
    const view = viewOf({ positions: [{ contractId: MNQ, size: 1 }] });
    const plan = planAccountWide(flatten, 'r', { lists }, facts({ view }), { ...sweep, closedContracts: new Set([MNQ, ES]) });
    expect(plan).toMatchObject({ do: 'act', closes: [{ contractId: ES }] });
  });

  it('finds nothing left over: no row at all', () => {
    expect(planAccountWide(flatten, 'r', { lists: { positions: [], orders: [] } }, facts(), sweep)).toEqual({ do: 'nothing' });
  });
});

describe('flattenSweep', () => {
  const plan = (resting: boolean) => ({
    do: 'act' as const,
    reason: 'r',
    closes: [
      { kind: 'close' as const, key: 'k1', contractId: MNQ },
      { kind: 'close' as const, key: 'k2', contractId: ES },
    ],
    cancels: [],
    resting,
  });
  it.each<{ resting: boolean; ends: EnforcementStatus[]; answered: (number | undefined)[]; want: Sweep | undefined }>([
    { resting: false, ends: ['confirmed', 'confirmed'], answered: [3, 4], want: undefined },
    { resting: false, ends: ['confirmed', 'skipped'], answered: [3, 4], want: undefined },
    { resting: true, ends: ['confirmed', 'confirmed'], answered: [3, 4], want: { orders: true, after: 4, closedContracts: new Set([MNQ, ES]) } },
    { resting: false, ends: ['reconciled', 'failed'], answered: [3, 5], want: { orders: false, after: 5, closedContracts: new Set([MNQ]) } },
    { resting: false, ends: ['confirmed', 'failed'], answered: [3, undefined], want: { orders: false, closedContracts: new Set([MNQ]) } },
    { resting: true, ends: ['skipped', 'skipped'], answered: [], want: { orders: true, closedContracts: new Set() } },
  ])('resting $resting, ends $ends, answered at $answered', ({ resting, ends, answered, want }) => {
    expect(flattenSweep(plan(resting), ends, answered)).toEqual(want);
  });
});
