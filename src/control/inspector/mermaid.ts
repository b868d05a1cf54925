// Mermaid `stateDiagram-v2` text for a machine graph: the machine is one composite state, composite states
// nest, parallel regions are separated by `--`, each compound state marks its initial child with `[*] -->`,
// final states lead to `[*]`, and active states (optional) get the `active` class. Each transition is written
// inside the innermost composite state holding both ends (Mermaid draws cross-composite edges badly
// otherwise). Transitions declared on the machine itself leave from an "any state" pseudo state.
// Renders as-is in GitHub and VS Code previews.
import type { StateValue } from 'xstate';
import { activeIds, allNodes, type GraphEdge, type GraphNode, type MachineGraph } from './graph.ts';

/** Mermaid ids cannot contain dots or colons. */
export const mermaidId = (id: string): string => id.replace(/[^A-Za-z0-9_]/g, '_');

/** Labels cannot contain ':' or ';' (they end the label) or quotes. */
const labelText = (s: string): string => s.replace(/[:;"]/g, ' ').replace(/\s+/g, ' ').trim();

const parentOf = (id: string): string => id.slice(0, Math.max(0, id.lastIndexOf('.')));

/** The composite state an edge is written in: the deepest common ancestor that is neither end. */
function containerOf(e: GraphEdge, rootId: string): string {
  if (e.source === rootId) return rootId;
  const a = e.source.split('.');
  const b = e.target.split('.');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  let c = a.slice(0, i).join('.');
  if (c === e.source || c === e.target) c = parentOf(c);
  return c.length >= rootId.length ? c : rootId;
}

export function toMermaid(g: MachineGraph, opts: { active?: StateValue | null } = {}): string {
  const root = g.root;
  const anyId = mermaidId(`${root.id}_any`);
  const edgesIn = new Map<string, GraphEdge[]>();
  for (const e of g.edges) {
    const c = containerOf(e, root.id);
    edgesIn.set(c, [...(edgesIn.get(c) ?? []), e]);
  }
  const lines: string[] = ['stateDiagram-v2'];
  const emit = (n: GraphNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    const mid = mermaidId(n.id);
    if (n.children.length === 0) {
      lines.push(`${pad}state "${labelText(n.key)}" as ${mid}`);
      return;
    }
    lines.push(`${pad}state "${labelText(n.kind === 'parallel' ? `${n.key} (parallel)` : n.key)}" as ${mid} {`);
    if (n.id === root.id && g.edges.some((e) => e.source === root.id)) lines.push(`${pad}  state "any state" as ${anyId}`);
    n.children.forEach((c, i) => {
      if (n.kind === 'parallel' && i > 0) lines.push(`${pad}  --`);
      emit(c, depth + 1);
    });
    if (n.initial) lines.push(`${pad}  [*] --> ${mermaidId(n.initial)}`);
    for (const c of n.children) if (c.kind === 'final') lines.push(`${pad}  ${mermaidId(c.id)} --> [*]`);
    // In a parallel state every line belongs to a region; its transitions live in the regions themselves.
    for (const e of n.kind === 'parallel' ? [] : (edgesIn.get(n.id) ?? [])) {
      const from = e.source === root.id ? anyId : mermaidId(e.source);
      lines.push(`${pad}  ${from} --> ${mermaidId(e.target)} : ${labelText(e.label)}`);
    }
    lines.push(`${pad}}`);
  };
  emit(root, 1);
  // Edges whose container is a parallel state (between regions) can only go at the top level.
  for (const n of allNodes(root).filter((x) => x.kind === 'parallel')) {
    for (const e of edgesIn.get(n.id) ?? []) {
      const from = e.source === root.id ? anyId : mermaidId(e.source);
      lines.push(`  ${from} --> ${mermaidId(e.target)} : ${labelText(e.label)}`);
    }
  }
  if (opts.active) {
    const act = activeIds(g.machineId, opts.active);
    const atomicActive = allNodes(root).filter((n) => act.has(n.id) && n.children.length === 0);
    lines.push('  classDef active fill:#ffb347,stroke:#c25700,stroke-width:2px,color:#000');
    for (const n of atomicActive) lines.push(`  class ${mermaidId(n.id)} active`);
  }
  return `${lines.join('\n')}\n`;
}
