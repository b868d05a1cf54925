// Graphviz DOT for a machine graph: compound and parallel states are clusters (parallel regions dashed),
// atomic states are rounded boxes, active states filled. Edges to or from a cluster use an invisible anchor
// node inside it with lhead/ltail (compound=true), the usual DOT idiom for statecharts.
import type { StateValue } from 'xstate';
import { activeIds, type GraphNode, type MachineGraph } from './graph.ts';

const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function toDot(g: MachineGraph, opts: { active?: StateValue | null } = {}): string {
  const act = opts.active ? activeIds(g.machineId, opts.active) : new Set<string>();
  const clusters = new Set<string>();
  const out: string[] = [
    `digraph ${q(g.machineId)} {`,
    '  compound=true; rankdir=TB; fontname="Helvetica";',
    '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const anchor = (id: string): string => `${id}::anchor`;
  const emit = (n: GraphNode, depth: number, parentParallel: boolean): void => {
    const pad = '  '.repeat(depth);
    const on = act.has(n.id);
    if (n.children.length === 0) {
      const style = n.kind === 'final' ? 'rounded,bold' : 'rounded';
      out.push(`${pad}${q(n.id)} [label=${q(n.key)}, style=${q(on ? `${style},filled` : style)}${on ? ', fillcolor="#ffb347"' : ''}${n.kind === 'final' ? ', peripheries=2' : ''}];`);
      return;
    }
    clusters.add(n.id);
    out.push(`${pad}subgraph ${q(`cluster_${n.id}`)} {`);
    out.push(`${pad}  label=${q(n.kind === 'parallel' ? `${n.key} (parallel)` : n.key)};`);
    out.push(`${pad}  style=${q(parentParallel ? 'dashed' : 'rounded')}; color=${q(on ? '#c25700' : '#555555')};`);
    out.push(`${pad}  ${q(anchor(n.id))} [shape=point, style=invis, width=0, height=0, label=""];`);
    for (const c of n.children) emit(c, depth + 1, n.kind === 'parallel');
    out.push(`${pad}}`);
  };
  emit(g.root, 1, false);
  for (const e of g.edges) {
    const attrs = [`label=${q(e.label)}`];
    let from = e.source;
    let to = e.target;
    if (clusters.has(from)) {
      attrs.push(`ltail=${q(`cluster_${from}`)}`);
      from = anchor(from);
    }
    if (clusters.has(to)) {
      if (e.target !== e.source) attrs.push(`lhead=${q(`cluster_${to}`)}`);
      to = anchor(to);
    }
    if (e.kind === 'always') attrs.push('style=dashed');
    out.push(`  ${q(from)} -> ${q(to)} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
