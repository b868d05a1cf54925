// The SVG statecharts are laid out by ELK: the usual flow reads top to bottom (the connection machine's happy
// path descends from idle to live), every edge is routed (no edge without a path), and the layout call is
// synchronous so `riskd diagram` and the inspector route stay simple.
import { describe, expect, it } from 'vitest';
import { renderDiagram } from '../../src/control/inspector/diagram.ts';
import { elkLayout } from '../../src/control/inspector/elkLayout.ts';

const topOf = (svg: string, id: string): number => {
  const m = new RegExp(`data-state="${id.replace(/\./g, '\\.')}">\\n<rect (?:class="\\w+" )?x="[\\d.]+" y="([\\d.]+)"`).exec(svg);
  if (!m) throw new Error(`no box for ${id}`);
  return Number(m[1]);
};

describe('ELK layout of the statecharts', () => {
  it('lays out synchronously', () => {
    const laid = elkLayout({ id: 'g', children: [{ id: 'a', width: 40, height: 20 }, { id: 'b', width: 40, height: 20 }], edges: [{ id: 'e', sources: ['a'], targets: ['b'] }] });
    expect(laid.children!.every((c) => typeof c.x === 'number' && typeof c.y === 'number')).toBe(true);
  });

  it('connection: the path from idle to live runs downward', () => {
    const svg = renderDiagram('connection', 'svg');
    const path = ['idle', 'authenticating', 'connecting', 'subscribing', 'reconciling', 'live'].map((s) => topOf(svg, `connection.${s}`));
    for (let i = 1; i < path.length; i++) expect(path[i], `step ${i}`).toBeGreaterThan(path[i - 1]!);
  });

  it.each(['account', 'position', 'lock', 'connection', 'action'] as const)('%s: every transition has a drawn path and a label', (name) => {
    const svg = renderDiagram(name, 'svg');
    const edges = [...svg.matchAll(/<g class="edge [^"]*"[^>]*><path class="edge-line" d="([^"]*)"/g)];
    expect(edges.length).toBeGreaterThan(0);
    for (const [, d] of edges) expect(d).toMatch(/^M[\d.]+,[\d.]+ [CL]/);
    expect(svg.match(/class="edge-label"/g)?.length).toBe(edges.length);
  });
});
