import { describe, expect, it } from 'vitest';
import { sessionBlockOutside } from '../../src/rules/r009-sessionBlockOutside.ts';
import { OrderType } from '../../src/gateway/models.ts';
import { ACCOUNT_ID, C, T0, TestAccount, allDisabled, clockTick, quoteFor } from './fixtures.ts';

type Cfg = ReturnType<typeof allDisabled>['session_block_outside'];
const cfg = (over: Partial<Cfg> = {}): Cfg => ({ ...allDisabled().session_block_outside, enabled: true, ...over });
const TUE_1600 = Date.UTC(2026, 10, 24, 22, 0); // Tue 16:00 CST, after the 15:05 end
const WED_0830 = Date.UTC(2026, 10, 25, 14, 30);
const FLATTEN = [
  { type: 'flatten', accountId: ACCOUNT_ID },
  { type: 'cancelAll', accountId: ACCOUNT_ID },
];

describe('RULE-009 session_block_outside', () => {
  it('inside a window: nothing', () => {
    const a = new TestAccount({ now: T0 }).position(C.ES, 'long', 1, 6000);
    expect(sessionBlockOutside(cfg(), a.ctx(clockTick))).toEqual([]);
  });

  it('outside with a position and flatten_at_end: flatten, cancel all, locked until the next window', () => {
    const a = new TestAccount({ now: TUE_1600 }).position(C.ES, 'long', 1, 6000);
    const [v] = sessionBlockOutside(cfg(), a.ctx(clockTick));
    expect(v?.intents).toEqual(FLATTEN);
    expect(v?.lock).toEqual({ kind: 'until_session', rule: 'RULE-009', reason: 'Outside your trading hours', until: WED_0830 });
    expect(v?.message).toBe('Outside your trading hours: flattened, locked until Wed 08:30 CT');
  });

  it('a working order alone outside the window is flattened too', () => {
    const a = new TestAccount({ now: TUE_1600 });
    a.order(C.MNQ, { side: 0, type: OrderType.Limit, limitPrice: 20000 });
    expect(sessionBlockOutside(cfg(), a.ctx(clockTick))[0]?.intents).toEqual(FLATTEN);
  });

  it('outside with nothing open, or without flatten_at_end: the lock alone (the kill switch handles new risk)', () => {
    const flat = new TestAccount({ now: TUE_1600 });
    const [v] = sessionBlockOutside(cfg(), flat.ctx(clockTick));
    expect(v?.intents).toEqual([]);
    expect(v?.lock?.kind).toBe('until_session');
    const held = new TestAccount({ now: TUE_1600 }).position(C.ES, 'long', 1, 6000);
    const [w] = sessionBlockOutside(cfg({ flatten_at_end: false }), held.ctx(clockTick));
    expect(w?.intents).toEqual([]);
    expect(w?.message).toBe('Outside your trading hours: locked until Wed 08:30 CT');
  });

  it('the window-end clock edge reads as the session ending', () => {
    const end = Date.UTC(2026, 10, 24, 21, 5); // 15:05 CST
    const a = new TestAccount({ now: end }).position(C.ES, 'short', 2, 6000);
    const [v] = sessionBlockOutside(cfg(), a.ctx({ kind: 'clock', edge: 'windowEnd' }));
    expect(v?.message).toBe('Trading session ended: flattened, locked until Wed 08:30 CT');
  });

  it('uses the session state the machine passes in', () => {
    const a = new TestAccount({ now: T0 });
    const session = { inside: false, windowEnd: null, nextOpen: null, blackout: null };
    const [v] = sessionBlockOutside(cfg(), a.ctx(clockTick, { session }));
    expect(v?.lock).toEqual({ kind: 'until_session', rule: 'RULE-009', reason: 'Outside your trading hours' });
    expect(v?.message).toBe('Outside your trading hours: locked until the next session');
  });

  it('a flatten blackout flattens and locks until its end; a plain blackout only bars new positions', () => {
    const start = T0 - 60_000;
    const end = T0 + 30 * 60_000;
    const a = new TestAccount({ now: T0 }).position(C.NQ, 'long', 1, 21000);
    const [v] = sessionBlockOutside(cfg({ blackouts: [{ start, end, flatten: true }] }), a.ctx(clockTick));
    expect(v?.intents).toEqual(FLATTEN);
    expect(v?.lock).toMatchObject({ kind: 'until_session', until: end });
    expect(v?.message).toBe('News blackout 08:59 CT–09:30 CT: flattened, no new positions until 09:30 CT');
    const [w] = sessionBlockOutside(cfg({ blackouts: [{ start, end, flatten: false }] }), a.ctx(clockTick));
    expect(w?.intents).toEqual([]);
    expect(w?.lock).toMatchObject({ kind: 'cooldown', until: end });
  });

  it('never runs on quotes or when disabled', () => {
    const a = new TestAccount({ now: TUE_1600 }).position(C.ES, 'long', 1, 6000);
    expect(sessionBlockOutside(cfg(), a.ctx(quoteFor(C.ES)))).toEqual([]);
    expect(sessionBlockOutside(cfg({ enabled: false }), a.ctx(clockTick))).toEqual([]);
  });
});
