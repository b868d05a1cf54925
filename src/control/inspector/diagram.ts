// Diagrams of riskd's statecharts, drawn from the machine definitions: Mermaid, Graphviz DOT or SVG, with the
// active states of a snapshot highlighted. The one entry point for the CLI (`riskd diagram`) and the inspector.
import type { AnyStateMachine, StateValue } from 'xstate';
import { accountMachine } from '../../../machines/account/index.ts';
import { actionMachine } from '../../../machines/action/index.ts';
import { connectionMachine } from '../../../machines/connection/index.ts';
import { lockMachine } from '../../../machines/lock/lock.machine.ts';
import { positionMachine } from '../../../machines/position/position.machine.ts';
import { machineGraph, type MachineGraph } from './graph.ts';
import { toMermaid } from './mermaid.ts';
import { toDot } from './dot.ts';
import { toSvg } from './svg.ts';

export const MACHINES = {
  account: accountMachine as AnyStateMachine,
  position: positionMachine as AnyStateMachine,
  lock: lockMachine as AnyStateMachine,
  connection: connectionMachine as AnyStateMachine,
  action: actionMachine as AnyStateMachine,
} as const;
export type MachineName = keyof typeof MACHINES;
export const MACHINE_NAMES = Object.keys(MACHINES) as MachineName[];
export type DiagramFormat = 'svg' | 'mermaid' | 'dot';
export const DIAGRAM_FORMATS: DiagramFormat[] = ['svg', 'mermaid', 'dot'];

const graphs = new Map<MachineName, MachineGraph>();

/** The graph of one of riskd's machines (computed once; definitions do not change at run time). */
export function graphOf(name: MachineName): MachineGraph {
  let g = graphs.get(name);
  if (!g) {
    g = machineGraph(MACHINES[name]);
    graphs.set(name, g);
  }
  return g;
}

export function isMachineName(s: string): s is MachineName {
  return (MACHINE_NAMES as string[]).includes(s);
}

export function renderDiagram(name: MachineName, format: DiagramFormat, active?: StateValue | null): string {
  const g = graphOf(name);
  const opts = { active: active ?? null };
  if (format === 'mermaid') return toMermaid(g, opts);
  if (format === 'dot') return toDot(g, opts);
  return toSvg(g, opts);
}
