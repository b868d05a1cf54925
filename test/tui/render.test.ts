import { describe, expect, it } from 'vitest';
import { renderScreen } from '../../src/tui/render.ts';
import { stripAnsi, visibleWidth } from '../../src/tui/ansi.ts';
import { thresholdColour } from '../../src/tui/format.ts';
import { countdown } from '../../src/format/plain.ts';
import { NOW, account, downModel, liveModel } from './fixtures.ts';

const plain = (lines: string[]) => lines.map(stripAnsi);
const text = (lines: string[]) => plain(lines).join('\n');

describe('renderScreen layout', () => {
  for (const [width, height] of [
    [80, 24],
    [120, 40],
  ] as const) {
    it(`fills exactly ${width}x${height}, every line ${width} columns`, () => {
      const lines = renderScreen(liveModel(), { width, height, now: NOW });
      expect(lines).toHaveLength(height);
      for (const l of lines) expect(visibleWidth(l)).toBe(width);
    });
  }

  it('80x24 shows every section: P&L, the lock with its countdown, the position, rules, session, gateway, enforcement', () => {
    const t = text(renderScreen(liveModel(), { width: 80, height: 24, now: NOW }));
    expect(t).toContain('realized -$120.00');
    expect(t).toContain('unrealized -$35.50');
    expect(t).toContain('net -$155.50');
    expect(t).toMatch(/RULE-007 no new trades until 09:04 CT\s+04:32 left/);
    expect(t).toContain('MNQ    long    2 @ 20000.25   mark 19991.5');
    expect(t).toContain('R003 realized loss $120.00 of $500 24%');
    expect(t).toContain('SESSION open, ends in 1:05:00 · day 2026-11-24 resets in 2:00:00');
    expect(t).toContain('GATEWAY user connected 1s · market connected 0s (2x)');
    expect(t).toContain('REST 12/200 per 60s');
    expect(t).toMatch(/ENFORCEMENT\s+1-\d+ of 12, newest first/);
    expect(t).toMatch(/RULE-003 done\s+1m ago  closed every position/); // the sentence of the dashboard feed
    expect(t).toMatch(/08:59:00 CT RULE-003/); // feed times in the trading-day zone, labelled
  });

  it('120x40 has room for the whole enforcement list', () => {
    const t = text(renderScreen(liveModel(), { width: 120, height: 40, now: NOW }));
    expect(t).toContain('1-12 of 12');
    expect(t).toContain('row 12');
    // three gauges per row at 120 columns
    expect(plain(renderScreen(liveModel(), { width: 120, height: 40, now: NOW })).some((l) => /R001.*R003.*R004/.test(l))).toBe(true);
  });

  it('scrolling moves the enforcement window; the tab bar marks a locked account', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ...account().enforcement[1]!, at: NOW - (i + 1) * 1000, reason: `row ${i + 1}`, summary: `closed 1 MNQ: row ${i + 1}` }));
    const m = liveModel([account({ enforcement: many }), account({ id: 2, name: 'OTHER', locks: [] })]);
    const t = text(renderScreen(m, { width: 80, height: 24, now: NOW, view: { selected: 0, scroll: 3, help: false } }));
    expect(t).not.toContain('row 3 ');
    expect(t).toContain('row 4');
    expect(t).toContain(' TOPSTEP-50K-1 LOCKED ');
    const other = text(renderScreen(m, { width: 80, height: 24, now: NOW, view: { selected: 1, scroll: 0, help: false } }));
    expect(other).toContain('LOCKS  none: trading allowed');
  });

  it('a tiny terminal still gets the header and never more lines than it has', () => {
    const lines = renderScreen(liveModel(), { width: 40, height: 8, now: NOW });
    expect(lines).toHaveLength(8);
    expect(stripAnsi(lines[0]!)).toContain('riskd watch');
  });

  it('help replaces the body', () => {
    const t = text(renderScreen(liveModel(), { width: 100, height: 24, now: NOW, view: { selected: 0, scroll: 0, help: true } }));
    expect(t).toContain('switch account');
    expect(t).not.toContain('ENFORCEMENT');
  });

  it('a condition lock shows what releases it in words, no countdown; a pending admin unlock is shown', () => {
    const a = account({ locks: [{ rule: 'RULE-010', kind: 'until_can_trade', symbol: null, reason: 'gateway says canTrade: false', until: null, description: 'locked until the broker allows trading again', unlockAt: NOW + 900_000 }] });
    const t = text(renderScreen(liveModel([a]), { width: 140, height: 40, now: NOW }));
    expect(t).toMatch(/RULE-010 locked until the broker allows trading again\s+admin unlock at 09:15 CT\s+gateway says/);
    expect(t).not.toContain('until_can_trade');
  });

  it('what the broker refuses on the account is said in words, under the session line', () => {
    const a = account({ gatewayRefuses: ['refuses cancels: riskd closes what an order it could not cancel fills'] });
    const t = text(renderScreen(liveModel([a]), { width: 120, height: 40, now: NOW }));
    expect(t).toContain('BROKER refuses cancels: riskd closes what an order it could not cancel fills');
    expect(text(renderScreen(liveModel(), { width: 120, height: 40, now: NOW }))).not.toContain('BROKER');
  });
});

describe('countdowns', () => {
  it('mm:ss below an hour, h:mm:ss below a day, days beyond; rounded up to the second', () => {
    expect(countdown(0)).toBe('00:00');
    expect(countdown(-5000)).toBe('00:00');
    expect(countdown(1)).toBe('00:01');
    expect(countdown(59_000)).toBe('00:59');
    expect(countdown(59_001)).toBe('01:00');
    expect(countdown(272_000)).toBe('04:32');
    expect(countdown(3_599_000)).toBe('59:59');
    expect(countdown(3_600_000)).toBe('1:00:00');
    expect(countdown(86_400_000 + 61_000)).toBe('1d 00:01:01');
  });

  it('the lock line counts down as `now` advances', () => {
    const at = (now: number) => text(renderScreen(liveModel(), { width: 120, height: 40, now }));
    expect(at(NOW)).toContain('04:32 left');
    expect(at(NOW + 1000)).toContain('04:31 left');
    expect(at(NOW + 272_000)).toContain('00:00 left');
  });
});

describe('colour thresholds', () => {
  it('green below 50 %, yellow below 80 %, red from 80 %', () => {
    expect(thresholdColour(0)).toBe('green');
    expect(thresholdColour(0.4999)).toBe('green');
    expect(thresholdColour(0.5)).toBe('yellow');
    expect(thresholdColour(0.7999)).toBe('yellow');
    expect(thresholdColour(0.8)).toBe('red');
    expect(thresholdColour(1.5)).toBe('red');
    expect(thresholdColour(Infinity)).toBe('red');
  });

  const gaugeColour = (realized: number) => {
    const a = account({ realized, locks: [] });
    const line = renderScreen(liveModel([a]), { width: 120, height: 40, now: NOW }).find((l) => stripAnsi(l).includes('R003'))!;
    const cell = line.slice(line.indexOf('R003'));
    return /\x1b\[(\d+)m\$/.exec(cell)?.[1];
  };

  it('the realized-loss gauge is painted by the share of the limit used', () => {
    expect(gaugeColour(-100)).toBe('32'); // 20 % green
    expect(gaugeColour(-300)).toBe('33'); // 60 % yellow
    expect(gaugeColour(-400)).toBe('31'); // 80 % red
    expect(gaugeColour(-650)).toBe('31'); // breached
  });

  it('gauges are the limits the status carries; none known says so', () => {
    expect(text(renderScreen(liveModel(), { width: 120, height: 40, now: NOW }))).toContain('R007 losers in row 1 of 3 33% LOCK');
    expect(text(renderScreen(liveModel([account({ limits: [] })]), { width: 120, height: 40, now: NOW }))).toContain('RULES  limits not known');
  });

  it('NO_COLOR: no escape codes at all', () => {
    for (const l of renderScreen(liveModel(), { width: 80, height: 24, now: NOW, color: false })) expect(l).not.toContain('\x1b');
  });
});

describe('daemon down', () => {
  it('shows the DAEMON DOWN banner naming the state file, read-only, and what is unknown', () => {
    const lines = renderScreen(downModel(), { width: 120, height: 40, now: NOW });
    const t = text(lines);
    expect(t).toContain('DAEMON DOWN — showing last known state from /home/t/riskd/data/state.db (read-only)');
    expect(t).toContain('Nothing is being enforced. Retrying the daemon… (127.0.0.1:8765: connection refused)');
    expect(t).toContain('unrealized unknown while down');
    expect(t).toContain('GATEWAY unknown while the daemon is down');
    expect(t).toMatch(/RULE-007 no new trades until 09:04 CT\s+04:32 left/); // saved locks still count down
    expect(lines[1]).toContain('\x1b[1;97;41m'); // the banner is a red bar
  });

  it('fits 80x24 too', () => {
    const lines = renderScreen(downModel(), { width: 80, height: 24, now: NOW });
    expect(lines).toHaveLength(24);
    // wrapped, never cut: the two red lines together hold the whole sentence
    expect(lines.map(stripAnsi).join('').replace(/\s+/g, '')).toContain('DAEMONDOWN—showinglastknownstatefrom/home/t/riskd/data/state.db(read-only)');
  });
});
