// A self-contained SVG drawing of a machine graph, laid out here (no Graphviz, no browser, no network):
//  - an atomic state is a rounded box sized to its name;
//  - a compound state is a box holding its children in layers: the initial child first, then the states its
//    transitions reach (breadth first), each layer a row;
//  - a parallel state holds its regions side by side (wrapping when too wide), separated by dashed lines;
//  - edges are polylines with arrowheads: downward edges bottom -> top with one elbow, upward (back) edges
//    around the right side, edges within a row side -> side, self transitions as a loop on the right;
//  - transitions declared on the root ("from any state") are listed under the root's title, not drawn.
// Every state is a <g class="state" data-state="<id>">; active ones also carry class "active", so a page can
// re-highlight without re-rendering by toggling classes.
import type { StateValue } from 'xstate';
import { activeIds, type GraphEdge, type GraphNode, type MachineGraph } from './graph.ts';

const CHAR_W = 6.6; // average glyph width of 11px sans-serif
const ATOMIC_H = 30;
const HEADER_H = 22;
const PAD = 14;
const PAD_LEFT = 24; // room for the initial-state dot
const GAP_X = 46;
const GAP_Y = 64;
const MAX_ROW_W = 1100;

interface Box {
  node: GraphNode;
  x: number;
  y: number;
  w: number;
  h: number;
  children: Box[];
  /** Lines of "from any state" transitions (root only). */
  notes: string[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const textW = (s: string): number => Math.ceil(s.length * CHAR_W);

/** The child of `parent` that contains `id` (or is it), if any. */
function childContaining(parent: GraphNode, id: string): GraphNode | undefined {
  return parent.children.find((c) => id === c.id || id.startsWith(`${c.id}.`));
}

/** Layers of a compound state's children: initial first, then breadth first along transitions among them. */
function layers(n: GraphNode, edges: GraphEdge[]): GraphNode[][] {
  const next = new Map<GraphNode, GraphNode[]>();
  for (const e of edges) {
    const s = childContaining(n, e.source);
    const t = childContaining(n, e.target);
    if (s && t && s !== t) next.set(s, [...(next.get(s) ?? []), t]);
  }
  const rank = new Map<GraphNode, number>();
  const start = n.children.find((c) => c.id === n.initial) ?? n.children[0];
  const queue: GraphNode[] = [];
  if (start) {
    rank.set(start, 0);
    queue.push(start);
  }
  while (queue.length > 0) {
    const cur = queue.shift()!;
    for (const t of next.get(cur) ?? []) {
      if (rank.has(t)) continue;
      rank.set(t, rank.get(cur)! + 1);
      queue.push(t);
    }
  }
  // States no transition reaches from the initial one go one layer below the deepest.
  const deepest = Math.max(0, ...rank.values());
  for (const c of n.children) if (!rank.has(c)) rank.set(c, deepest + 1);
  const rows: GraphNode[][] = [];
  for (const c of n.children) (rows[rank.get(c)!] ??= []).push(c);
  return rows.filter((r) => r && r.length > 0);
}

function layout(n: GraphNode, edges: GraphEdge[], notes: string[]): Box {
  if (n.children.length === 0) {
    return { node: n, x: 0, y: 0, w: Math.max(84, textW(n.key) + 26), h: ATOMIC_H, children: [], notes: [] };
  }
  const title = n.kind === 'parallel' ? `${n.key} ∥` : n.key;
  const headerH = HEADER_H + notes.length * 14;
  const kids = n.children.map((c) => layout(c, edges, []));
  const byNode = new Map(kids.map((k) => [k.node, k]));
  let rows: Box[][];
  if (n.kind === 'parallel') {
    rows = [[]];
    let w = 0;
    for (const k of kids) {
      if (w > 0 && w + k.w > MAX_ROW_W) {
        rows.push([]);
        w = 0;
      }
      rows[rows.length - 1]!.push(k);
      w += k.w + GAP_X;
    }
  } else {
    rows = layers(n, edges).map((r) => r.map((c) => byNode.get(c)!));
  }
  const gapX = n.kind === 'parallel' ? 24 : GAP_X;
  const gapY = n.kind === 'parallel' ? 16 : GAP_Y;
  const rowW = rows.map((r) => r.reduce((s, b) => s + b.w, 0) + gapX * (r.length - 1));
  const innerW = Math.max(...rowW, textW(title) + 10, ...notes.map((t) => textW(t)));
  // Edges between states of one row run in a U below it: reserve room for them.
  const rowOf = new Map<GraphNode, number>();
  rows.forEach((r, i) => r.forEach((b) => rowOf.set(b.node, i)));
  const rowEdges = rows.map(() => 0);
  for (const e of edges) {
    const sc = childContaining(n, e.source);
    const tc = childContaining(n, e.target);
    if (sc && tc && sc !== tc && rowOf.get(sc) === rowOf.get(tc)) rowEdges[rowOf.get(sc)!]! += 1;
  }
  // Self and upward edges run (and are labelled) right of the boxes: reserve that room too.
  const rightLabels = edges.filter((e) => {
    const sc = childContaining(n, e.source);
    const tc = childContaining(n, e.target);
    return sc && tc && n.kind !== 'parallel' && (e.source === e.target || rowOf.get(sc)! > rowOf.get(tc)!);
  });
  const extraRight = rightLabels.length > 0 ? Math.max(...rightLabels.map((e) => textW(e.label))) + 22 + rightLabels.length * 9 : 0;
  let y = headerH + PAD;
  rows.forEach((r, i) => {
    let x = PAD_LEFT + (innerW - rowW[i]!) / 2;
    const h = Math.max(...r.map((b) => b.h));
    for (const b of r) {
      b.x = x;
      b.y = y + (h - b.h) / 2;
      x += b.w + gapX;
    }
    y += h + gapY + (rowEdges[i]! > 0 ? rowEdges[i]! * 11 + 12 : 0);
  });
  const h = y - gapY + PAD;
  return { node: n, x: 0, y: 0, w: innerW + PAD_LEFT + PAD + extraRight, h, children: kids, notes };
}

interface Abs {
  x: number;
  y: number;
  w: number;
  h: number;
}

function absolute(b: Box, ox: number, oy: number, into: Map<string, Abs>): void {
  into.set(b.node.id, { x: ox + b.x, y: oy + b.y, w: b.w, h: b.h });
  for (const c of b.children) absolute(c, ox + b.x, oy + b.y, into);
}

function drawBox(b: Box, ox: number, oy: number, active: Set<string>, parallelChild: boolean, out: string[]): void {
  const x = ox + b.x;
  const y = oy + b.y;
  const n = b.node;
  const cls = ['state', `kind-${n.kind}`, active.has(n.id) ? 'active' : ''].filter(Boolean).join(' ');
  out.push(`<g class="${cls}" data-state="${esc(n.id)}">`);
  if (n.children.length === 0) {
    out.push(`<rect x="${x}" y="${y}" width="${b.w}" height="${b.h}" rx="9"/>`);
    if (n.kind === 'final') out.push(`<rect class="final-ring" x="${x + 3}" y="${y + 3}" width="${b.w - 6}" height="${b.h - 6}" rx="7"/>`);
    out.push(`<text x="${x + b.w / 2}" y="${y + b.h / 2 + 4}" text-anchor="middle">${esc(n.key)}</text>`);
    out.push('</g>');
    return;
  }
  out.push(`<rect class="${parallelChild ? 'region' : 'compound'}" x="${x}" y="${y}" width="${b.w}" height="${b.h}" rx="${parallelChild ? 2 : 12}"/>`);
  out.push(`<text class="title" x="${x + 10}" y="${y + 15}">${esc(n.kind === 'parallel' ? `${n.key} ∥` : n.key)}</text>`);
  b.notes.forEach((t, i) => out.push(`<text class="note" x="${x + 10}" y="${y + 30 + i * 14}">${esc(t)}</text>`));
  out.push('</g>');
  for (const c of b.children) drawBox(c, x, y, active, n.kind === 'parallel', out);
  const initial = b.children.find((c) => c.node.id === n.initial);
  if (initial) {
    const ix = x + initial.x;
    const iy = y + initial.y + initial.h / 2;
    out.push(`<circle class="initial" cx="${ix - 15}" cy="${iy}" r="4"/><line class="edge-line" x1="${ix - 11}" y1="${iy}" x2="${ix - 1}" y2="${iy}" marker-end="url(#arrow)"/>`);
  }
}

function edgePath(s: Abs, t: Abs, slot: number, loopX: number): { pts: [number, number][]; lx: number; ly: number } {
  if (s === t) {
    const x = s.x + s.w;
    const y1 = s.y + 7 + (slot % 3) * 3;
    const y2 = s.y + s.h - 7 - (slot % 3) * 3;
    const out = 16 + slot * 10;
    return { pts: [[x, y1], [x + out, y1], [x + out, y2], [x, y2]], lx: x + out + 3, ly: s.y + s.h / 2 + 3 + slot * 11 };
  }
  const off = (slot % 5) * 6 - 12;
  if (t.y >= s.y + s.h - 1) {
    const sx = s.x + s.w / 2 + off;
    const tx = t.x + t.w / 2 + off;
    const sy = s.y + s.h;
    const ty = t.y;
    const my = sy + (ty - sy) / 2 + (slot % 3) * 5 - 5;
    return { pts: [[sx, sy], [sx, my], [tx, my], [tx, ty]], lx: (sx + tx) / 2, ly: my - 3 };
  }
  if (s.y >= t.y + t.h - 1) {
    const sy = s.y + s.h / 2 + off / 3;
    const ty = t.y + t.h / 2 + off / 3;
    const rx = loopX + 14 + slot * 9;
    return { pts: [[s.x + s.w, sy], [rx, sy], [rx, ty], [t.x + t.w, ty]], lx: rx + 3, ly: (sy + ty) / 2 };
  }
  // Same row: a U below both boxes, deeper for each further edge of the row, so labels do not stack.
  const sx = s.x + s.w / 2 + off;
  const tx = t.x + t.w / 2 + off;
  const by = Math.max(s.y + s.h, t.y + t.h) + 10 + slot * 11;
  return { pts: [[sx, s.y + s.h], [sx, by], [tx, by], [tx, t.y + t.h]], lx: (sx + tx) / 2, ly: by + 9 };
}

const STYLE = `
.state rect{fill:#fff;stroke:#555;stroke-width:1.2}
.state rect.compound{fill:#f6f8fa}
.state rect.region{fill:#fbfbfb;stroke-dasharray:5 4}
.state rect.final-ring{fill:none}
.state.active>rect{fill:#ffd9a8;stroke:#c25700;stroke-width:2.4}
.state.active>rect.compound,.state.active>rect.region{fill:#fff4e6}
text{font:11px sans-serif;fill:#222}
text.title{font-weight:bold}
text.note{font-size:10px;fill:#555}
text.edge-label{font-size:9px;fill:#1f4e79;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.edge-line{fill:none;stroke:#1f4e79;stroke-width:1.1}
.edge.kind-always .edge-line{stroke-dasharray:4 3}
.initial{fill:#222}`;

export function toSvg(g: MachineGraph, opts: { active?: StateValue | null } = {}): string {
  const active = activeIds(g.machineId, opts.active ?? null);
  if (!opts.active) active.clear();
  const rootEdges = g.edges.filter((e) => e.source === g.root.id);
  const tail = (id: string): string => id.slice(g.root.id.length + 1) || g.root.id;
  const notes = rootEdges.map((e) => `from any state: ${e.label} → ${tail(e.target)}`);
  const root = layout(g.root, g.edges, notes);
  const M = 8;
  const abs = new Map<string, Abs>();
  absolute(root, M, M, abs);
  const out: string[] = [];
  drawBox(root, M, M, active, false, out);
  const labels: string[] = [];
  const slots = new Map<string, number>();
  const loopX = M + root.w - PAD;
  let extraRight = 0;
  for (const e of g.edges) {
    if (e.source === g.root.id) continue;
    const s = abs.get(e.source);
    const t = abs.get(e.target);
    if (!s || !t) continue;
    const up = s.y >= t.y + t.h - 1;
    const down = t.y >= s.y + s.h - 1;
    const key = e.source === e.target ? `loop:${e.source}` : up ? `back:${e.target}` : down ? `down:${e.source}` : `row:${Math.round(s.y)}`;
    const slot = slots.get(key) ?? 0;
    slots.set(key, slot + 1);
    const p = edgePath(s, t, slot, Math.max(s.x + s.w, t.x + t.w));
    extraRight = Math.max(extraRight, p.lx + textW(e.label) - (M + root.w));
    const pts = p.pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    out.push(
      `<g class="edge kind-${e.kind}" data-source="${esc(e.source)}" data-target="${esc(e.target)}" data-event="${esc(e.event)}"><polyline class="edge-line" points="${pts}" marker-end="url(#arrow)"/></g>`,
    );
    const anchor = e.source === e.target || s.y >= t.y + t.h - 1 ? 'start' : 'middle';
    labels.push(`<text class="edge-label" x="${p.lx.toFixed(1)}" y="${p.ly.toFixed(1)}" text-anchor="${anchor}">${esc(e.label)}</text>`);
  }
  const W = Math.ceil(root.w + 2 * M + Math.max(0, extraRight));
  const H = Math.ceil(root.h + 2 * M);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" data-machine="${esc(g.machineId)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<style>${STYLE}</style>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker></defs>',
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...out,
    ...labels,
    '</svg>',
    '',
  ].join('\n');
}
