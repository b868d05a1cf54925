// Mermaid `stateDiagram-v2` text for a machine graph: composite states nest, parallel regions are separated by
// `--`, each compound state marks its initial child with `[*] -->`, final states lead to `[*]`, and active
// states (optional) get the `active` class. Renders as-is in GitHub and VS Code previews.
import { activeIds, allNodes, type GraphNode, type MachineGraph } from './graph.ts';
import type { StateValue } from 'xstate';

/** Mermaid ids cannot contain dots or colons. */
export const mermaidId = (id: string): string => id.replace(/[^A-Za-z0-9_]/g, '_');

/** Labels cannot contain ':' or ';' (they end the label) or quotes. */
const labelText = (s: string): string => s.replace(/[:;"]/g, ' ').replace(/\s+/g, ' ').trim();

export function toMermaid(g: MachineGraph, opts: { active?: StateValue | null } = {}): string {
  const lines: string[] = ['stateDiagram-v2'];
  const emit = (n: GraphNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    const mid = mermaidId(n.id);
    if (n.children.length === 0) {
      lines.push(`${pad}state "${labelText(n.key)}" as ${mid}`);
      return;
    }
    lines.push(`${pad}state "${labelText(n.key)}" as ${mid} {`);
    n.children.forEach((c, i) => {
      if (n.kind === 'parallel' && i > 0) lines.push(`${pad}  --`);
      emit(c, depth + 1);
    });
    if (n.initial) lines.push(`${pad}  [*] --> ${mermaidId(n.initial)}`);
    for (const c of n.children) if (c.kind === 'final') lines.push(`${pad}  ${mermaidId(c.id)} --> [*]`);
    lines.push(`${pad}}`);
  };
  // The root is the diagram itself: its children are the top-level states.
  const root = g.root;
  root.children.forEach((c, i) => {
    if (root.kind === 'parallel' && i > 0) lines.push('  --');
    emit(c, 1);
  });
  if (root.initial) lines.push(`  [*] --> ${mermaidId(root.initial)}`);
  for (const c of root.children) if (c.kind === 'final') lines.push(`  ${mermaidId(c.id)} --> [*]`);
  for (const e of g.edges) {
    // Transitions declared on the root (machine-wide `on`) start from the whole diagram: draw them from [*]
    // would be wrong, so they leave from a note-like pseudo state named after the machine.
    const from = e.source === root.id ? mermaidId(`${root.id}_any`) : mermaidId(e.source);
    lines.push(`  ${from} --> ${mermaidId(e.target)} : ${labelText(e.label)}`);
  }
  if (g.edges.some((e) => e.source === root.id)) lines.splice(1, 0, `  state "any state" as ${mermaidId(`${root.id}_any`)}`);
  if (opts.active) {
    const act = activeIds(g.machineId, opts.active);
    const atomicActive = allNodes(root).filter((n) => n.id !== root.id && act.has(n.id) && n.children.length === 0);
    lines.push('  classDef active fill:#ffb347,stroke:#c25700,stroke-width:2px,color:#000');
    for (const n of atomicActive) lines.push(`  class ${mermaidId(n.id)} active`);
  }
  return `${lines.join('\n')}\n`;
}
