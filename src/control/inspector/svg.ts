// A self-contained SVG drawing of a machine graph (no Graphviz, no browser, no network), laid out by ELK
// (elkLayout.ts): layered, top to bottom, orthogonal edges routed around the states, labels placed by ELK.
//  - an atomic state is a rounded box sized to its name; a compound state a box holding its children, with its
//    initial state marked by a dot and an arrow (the usual statechart notation);
//  - a parallel state holds its regions, drawn with dashed borders;
//  - transitions declared on the root ("from any state") are listed under the root's title, not drawn.
// Every state is a <g class="state" data-state="<id>">; active ones also carry class "active", so a page can
// re-highlight without re-rendering by toggling classes. Every arrow is a <g class="edge">; transitions between
// the same two states share one arrow, a label line each.
import type { StateValue } from 'xstate';
import { elkLayout, type ElkExtendedEdge, type ElkNode } from './elkLayout.ts';
import { activeIds, type GraphEdge, type GraphNode, type MachineGraph } from './graph.ts';

const CHAR_W = 6.6; // average glyph width of 11px sans-serif
const LABEL_CHAR_W = 5.5; // of the 9.5px edge labels
const LABEL_LINE_H = 12;
const ATOMIC_H = 30;
const TITLE_H = 24;
const NOTE_H = 14;
const INITIAL = '__initial';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const textW = (s: string): number => Math.ceil(s.length * CHAR_W);
const f = (n: number | undefined): string => (n ?? 0).toFixed(1).replace(/\.0$/, '');

const LAYOUT: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'SPLINES',
  'elk.layered.edgeRouting.splines.mode': 'CONSERVATIVE',
  // Layers follow the path from the initial state (depth first), so the usual flow reads top to bottom and
  // the way back (errors, retries) is what runs upward.
  'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '34',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '8',
  'elk.spacing.edgeLabel': '3',
  'elk.spacing.componentComponent': '24',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.edgeLabels.placement': 'CENTER',
};

function elkNode(n: GraphNode, notes: string[]): ElkNode {
  if (n.children.length === 0) return { id: n.id, width: Math.max(84, textW(n.key) + 26), height: ATOMIC_H };
  const title = n.kind === 'parallel' ? `${n.key} ∥` : n.key;
  const top = TITLE_H + notes.length * NOTE_H;
  const minW = Math.max(textW(title), ...notes.map(textW)) + 24;
  const children = n.children.map((c) => elkNode(c, []));
  if (n.initial) children.unshift({ id: `${n.id}.${INITIAL}`, width: 10, height: 10 });
  return {
    id: n.id,
    children,
    layoutOptions: { ...LAYOUT, 'elk.padding': `[top=${top},left=14,bottom=14,right=14]`, 'elk.nodeSize.constraints': 'MINIMUM_SIZE', 'elk.nodeSize.minimum': `(${minW}, ${top + 20})` },
  };
}

/** Transitions between the same two states are drawn as one arrow with a label line per transition. */
interface DrawnEdge {
  source: string;
  target: string;
  transitions: GraphEdge[];
}

function elkEdges(g: MachineGraph): { edges: ElkExtendedEdge[]; drawn: DrawnEdge[] } {
  const byPair = new Map<string, DrawnEdge>();
  for (const e of g.edges) {
    if (e.source === g.root.id) continue;
    const key = `${e.source}\u0000${e.target}`;
    const d = byPair.get(key) ?? { source: e.source, target: e.target, transitions: [] };
    d.transitions.push(e);
    byPair.set(key, d);
  }
  const drawn = [...byPair.values()];
  const edges: ElkExtendedEdge[] = drawn.map((d, i) => ({
    id: `e${i}`,
    sources: [d.source],
    targets: [d.target],
    labels: [{ id: `e${i}.label`, text: d.transitions.map((t) => t.label).join('\n'), width: Math.max(...d.transitions.map((t) => Math.ceil(t.label.length * LABEL_CHAR_W))) + 4, height: LABEL_LINE_H * d.transitions.length }],
  }));
  const initials = (n: GraphNode): void => {
    if (n.initial) edges.push({ id: `init:${n.id}`, sources: [`${n.id}.${INITIAL}`], targets: [n.initial] });
    n.children.forEach(initials);
  };
  initials(g.root);
  return { edges, drawn };
}

/** ELK's spline routing gives the control points of cubic Béziers; anything else is drawn as a polyline. */
function pathOf(e: ElkExtendedEdge): string {
  const s = e.sections?.[0];
  if (!s) return '';
  const bends = s.bendPoints ?? [];
  const pt = (p: { x: number; y: number }): string => `${f(p.x)},${f(p.y)}`;
  if (bends.length > 0 && (bends.length + 1) % 3 === 0) {
    const rest = [...bends, s.endPoint];
    const curves: string[] = [];
    for (let i = 0; i < rest.length; i += 3) curves.push(`C${pt(rest[i]!)} ${pt(rest[i + 1]!)} ${pt(rest[i + 2]!)}`);
    return `M${pt(s.startPoint)} ${curves.join(' ')}`;
  }
  return [s.startPoint, ...bends, s.endPoint].map((p, i) => `${i === 0 ? 'M' : 'L'}${pt(p)}`).join(' ');
}

const STYLE = `
.state rect{fill:#fff;stroke:#59636e;stroke-width:1.2}
.state rect.compound{fill:#f6f8fa}
.state rect.region{fill:#fbfcfd;stroke-dasharray:5 4}
.state rect.final-ring{fill:none}
.state.active>rect{fill:#ffd9a8;stroke:#c25700;stroke-width:2.4}
.state.active>rect.compound,.state.active>rect.region{fill:#fff4e6}
.state.root.active>rect.compound{fill:#f6f8fa;stroke:#59636e;stroke-width:1.2}
text{font:11px sans-serif;fill:#1f2328}
text.title{font-weight:bold}
text.note{font-size:10px;fill:#59636e}
text.edge-label{font-size:9.5px;fill:#1f4e79;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.edge-line{fill:none;stroke:#1f4e79;stroke-width:1.1}
.edge.kind-always .edge-line{stroke-dasharray:4 3}
.edge.kind-after .edge-line{stroke:#6f42c1}
.initial{fill:#1f2328}
.initial-edge{fill:none;stroke:#1f2328;stroke-width:1.1}`;

export function toSvg(g: MachineGraph, opts: { active?: StateValue | null } = {}): string {
  const active = activeIds(g.machineId, opts.active ?? null);
  if (!opts.active) active.clear();
  const tail = (id: string): string => id.slice(g.root.id.length + 1) || g.root.id;
  const notes = g.edges.filter((e) => e.source === g.root.id).map((e) => `from any state: ${e.label} → ${tail(e.target)}`);
  const { edges, drawn } = elkEdges(g);
  const root = elkNode(g.root, notes);
  const laid = elkLayout({ id: 'diagram', layoutOptions: LAYOUT, children: [root], edges });

  const boxes = new Map<string, ElkNode>();
  const index = (n: ElkNode): void => {
    boxes.set(n.id, n);
    n.children?.forEach(index);
  };
  index(laid);

  const out: string[] = [];
  const drawState = (n: GraphNode, parallelChild: boolean): void => {
    const b = boxes.get(n.id)!;
    const [x, y, w, h] = [f(b.x), f(b.y), f(b.width), f(b.height)];
    const cls = ['state', `kind-${n.kind}`, n === g.root ? 'root' : '', active.has(n.id) ? 'active' : ''].filter(Boolean).join(' ');
    out.push(`<g class="${cls}" data-state="${esc(n.id)}">`);
    if (n.children.length === 0) {
      out.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="9"/>`);
      if (n.kind === 'final') out.push(`<rect class="final-ring" x="${f(b.x! + 3)}" y="${f(b.y! + 3)}" width="${f(b.width! - 6)}" height="${f(b.height! - 6)}" rx="7"/>`);
      out.push(`<text x="${f(b.x! + b.width! / 2)}" y="${f(b.y! + b.height! / 2 + 4)}" text-anchor="middle">${esc(n.key)}</text>`);
      out.push('</g>');
      return;
    }
    out.push(`<rect class="${parallelChild ? 'region' : 'compound'}" x="${x}" y="${y}" width="${w}" height="${h}" rx="${parallelChild ? 2 : 12}"/>`);
    out.push(`<text class="title" x="${f(b.x! + 10)}" y="${f(b.y! + 16)}">${esc(n.kind === 'parallel' ? `${n.key} ∥` : n.key)}</text>`);
    if (n === g.root) notes.forEach((t, i) => out.push(`<text class="note" x="${f(b.x! + 10)}" y="${f(b.y! + 31 + i * NOTE_H)}">${esc(t)}</text>`));
    out.push('</g>');
    const dot = boxes.get(`${n.id}.${INITIAL}`);
    if (dot) out.push(`<circle class="initial" cx="${f(dot.x! + 5)}" cy="${f(dot.y! + 5)}" r="4.5"/>`);
    for (const c of n.children) drawState(c, n.kind === 'parallel');
  };
  drawState(g.root, false);

  const labels: string[] = [];
  for (const e of laid.edges ?? []) {
    if (e.id.startsWith('init:')) {
      out.push(`<path class="initial-edge" d="${pathOf(e)}" marker-end="url(#arrow-init)"/>`);
      continue;
    }
    const d = drawn[Number(e.id.slice(1))]!;
    const kind = d.transitions.every((t) => t.kind === d.transitions[0]!.kind) ? d.transitions[0]!.kind : 'mixed';
    const events = d.transitions.map((t) => t.event).join(' ');
    out.push(
      `<g class="edge kind-${kind}" data-source="${esc(d.source)}" data-target="${esc(d.target)}" data-event="${esc(events)}"><path class="edge-line" d="${pathOf(e)}" marker-end="url(#arrow)"/></g>`,
    );
    const l = e.labels?.[0];
    if (!l) continue;
    const lines = d.transitions.map((t, i) => `<tspan x="${f(l.x! + 2)}" y="${f(l.y! + 9 + i * LABEL_LINE_H)}">${esc(t.label)}</tspan>`);
    labels.push(`<text class="edge-label">${lines.join('')}</text>`);
  }
  const W = Math.ceil(laid.width ?? 0);
  const H = Math.ceil(laid.height ?? 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" data-machine="${esc(g.machineId)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<style>${STYLE}</style>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker>' +
      '<marker id="arrow-init" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f2328"/></marker></defs>',
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...out,
    ...labels,
    '</svg>',
    '',
  ].join('\n');
}
