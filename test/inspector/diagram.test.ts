import { describe, expect, it } from 'vitest';
import { getStateNodes } from 'xstate/graph';
import { MACHINES, MACHINE_NAMES, graphOf, renderDiagram } from '../../src/control/inspector/diagram.ts';
import { activeIds, allNodes } from '../../src/control/inspector/graph.ts';
import { mermaidId } from '../../src/control/inspector/mermaid.ts';

const stateIds = (name: (typeof MACHINE_NAMES)[number]): string[] =>
  getStateNodes(MACHINES[name].root).map((n) => [MACHINES[name].id, ...n.path].join('.'));

describe('machine graph', () => {
  it.each(MACHINE_NAMES)('%s: every state node of the definition is in the graph', (name) => {
    const ids = allNodes(graphOf(name).root).map((n) => n.id);
    const expected = stateIds(name);
    expect(expected.length).toBeGreaterThan(3);
    for (const id of expected) expect(ids).toContain(id);
  });

  it('account: the root is parallel with four regions; lockout and symbolBlocks follow the lock children\'s events and carry the kill switch', () => {
    const g = graphOf('account');
    expect(g.root.kind).toBe('parallel');
    expect(g.root.children.map((c) => c.key)).toEqual(['tradingDay', 'session', 'lockout', 'symbolBlocks']);
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'account.lockout.locked', target: 'account.lockout.locked', event: 'position.opened', guard: 'exposureIsNew' }));
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'account.symbolBlocks.blocking', target: 'account.symbolBlocks.blocking', event: 'order.working', guard: 'orderInBlockedSymbol' }));
    const lock = g.edges.find((e) => e.source === 'account.lockout.unlocked' && e.target === 'account.lockout.locked');
    expect(lock).toMatchObject({ kind: 'event', guard: 'heldLockIsAccountWide' });
    const unlock = g.edges.find((e) => e.source === 'account.lockout.locked' && e.target === 'account.lockout.unlocked');
    expect(unlock?.guard).toBe('noOtherAccountWideLock');
    // The session moves at its calendar boundary, to wherever the calendar says; the trading day resets.
    for (const state of ['disabled', 'inside', 'outside', 'blackout', 'closed']) {
      expect(g.edges.find((e) => e.source === 'account.session' && e.target === `account.session.${state}`)).toMatchObject({ event: 'session.boundary', guard: `calendarSays(${state})` });
    }
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'account.session.inside', target: 'account.session.outside', event: 'session.boundary', guard: 'windowEndFlattens' }));
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'account.tradingDay.current', target: 'account.tradingDay.current', event: 'tradingDay.reset', guard: 'resetDue' }));
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'account.session.outside', kind: 'after', delay: 'untilSessionBoundary' }));
  });

  it('position: guarded event transitions, after-transitions by delay name, targetless events as internal', () => {
    const g = graphOf('position');
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'position.awaitingStop', target: 'position.protected', event: 'position.protection', guard: 'protectionGained', label: 'position.protection [protectionGained]' }));
    expect(g.edges).toContainEqual(expect.objectContaining({ kind: 'after', delay: 'graceWake', label: 'after graceWake' }));
    expect(g.root.internal).toContain('position.changed');
    expect(g.root.initial).toBe('position.awaitingStop');
  });

  it('connection: invoke outcomes are labelled with the invoke id, nested live state keeps its initial', () => {
    const g = graphOf('connection');
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'connection.authenticating', target: 'connection.connecting', kind: 'done', label: 'done: login' }));
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'connection.live.refreshing', target: 'connection.failed', label: 'error: refreshToken [fatal]' }));
    expect(allNodes(g.root).find((n) => n.id === 'connection.live')?.initial).toBe('connection.live.steady');
  });

  it('activeIds walks a parallel value', () => {
    expect([...activeIds('account', { session: 'inside', lockout: 'locked' })].sort()).toEqual(
      ['account', 'account.lockout', 'account.lockout.locked', 'account.session', 'account.session.inside'].sort(),
    );
    expect([...activeIds('connection', { live: 'steady' })]).toContain('connection.live.steady');
  });
});

describe('mermaid', () => {
  it.each(MACHINE_NAMES)('%s: declares every state and is a stateDiagram-v2', (name) => {
    const text = renderDiagram(name, 'mermaid');
    expect(text.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const id of stateIds(name).filter((id) => id !== name)) expect(text).toContain(` as ${mermaidId(id)}`);
  });

  it('account: parallel regions separated by --, labelled transitions, highlighted active states', () => {
    const text = renderDiagram('account', 'mermaid', { tradingDay: 'current', session: 'inside', lockout: 'locked', symbolBlocks: 'clear' });
    expect(text.match(/^ +--$/gm)).toHaveLength(3);
    expect(text).toContain('state "account (parallel)" as account {');
    expect(text).toContain('account_lockout_unlocked --> account_lockout_locked : lock.held [heldLockIsAccountWide]');
    expect(text).toContain('account_tradingDay_current --> account_tradingDay_current : after untilReset');
    expect(text).toContain('account_session --> account_session_closed : session.boundary [calendarSays(closed)]');
    expect(text).toContain('class account_lockout_locked active');
    expect(text).not.toContain('class account_lockout_unlocked active');
  });

  it('position: root-wide transitions leave from an "any state" pseudo state, final leads to [*]', () => {
    const text = renderDiagram('position', 'mermaid');
    expect(text).toContain('position_any --> position_closed : position.closed');
    expect(text).toContain('position_closed --> [*]');
  });
});

describe('dot', () => {
  it('connection: clusters for compound states, every state a node, edges into clusters use lhead', () => {
    const text = renderDiagram('connection', 'dot', 'idle');
    expect(text).toMatch(/^digraph "connection" \{/);
    expect(text).toContain('subgraph "cluster_connection.live"');
    for (const id of stateIds('connection').filter((id) => !['connection', 'connection.live'].includes(id))) expect(text).toContain(`"${id}" [label=`);
    expect(text).toContain('lhead="cluster_connection.live"');
    expect(text).toMatch(/"connection\.idle" \[label="idle", style="rounded,filled", fillcolor/);
  });
});

describe('svg', () => {
  it.each(MACHINE_NAMES)('%s: one <g class="state"> per state, edges, no external references', (name) => {
    const svg = renderDiagram(name, 'svg');
    for (const id of stateIds(name)) expect(svg).toContain(`data-state="${id}"`);
    // One arrow per pair of states; every transition between them is a line of its label.
    const drawn = graphOf(name).edges.filter((e) => e.source !== graphOf(name).root.id);
    expect(svg.match(/<g class="edge /g)?.length ?? 0).toBe(new Set(drawn.map((e) => `${e.source}>${e.target}`)).size);
    for (const e of drawn) expect(svg).toContain(`>${e.label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</tspan>`);
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!;
    expect(Number(w)).toBeGreaterThan(100);
    expect(Number(h)).toBeGreaterThan(100);
  });

  it('highlights exactly the active states', () => {
    const svg = renderDiagram('account', 'svg', { tradingDay: 'current', session: 'outside', lockout: 'locked' });
    expect(svg).toMatch(/class="state kind-atomic active" data-state="account.lockout.locked"/);
    expect(svg).toMatch(/class="state kind-atomic" data-state="account.lockout.unlocked"/);
    expect(svg).toMatch(/class="state kind-atomic active" data-state="account.session.outside"/);
    expect(renderDiagram('account', 'svg')).not.toContain(' active"');
  });

  it('states do not overlap within their parent', () => {
    const svg = renderDiagram('connection', 'svg');
    const boxes = [...svg.matchAll(/data-state="(connection\.[a-zA-Z]+)">\n<rect (?:class="\w+" )?x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({
      id: m[1]!, x: +m[2]!, y: +m[3]!, w: +m[4]!, h: +m[5]!,
    }));
    expect(boxes.length).toBe(9);
    for (const a of boxes) for (const b of boxes) {
      if (a === b) continue;
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false);
    }
  });
});
