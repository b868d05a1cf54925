// The statechart as a plain tree of states and a list of transitions, read from the machine definition itself
// (the same StateNode tree `toDirectedGraph` walks). Unlike `toDirectedGraph`, eventless (`always`) transitions
// are kept: the account's session and lockout regions move only through them. Transitions without a target
// (actions only) do not change state; they are listed per state as `internal` events instead of edges.
import type { AnyStateMachine, StateValue } from 'xstate';

export type NodeKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface GraphNode {
  /** Machine id + path, dot-separated: "account.lockout.locked". Stable across runs, unlike custom `#ids`. */
  id: string;
  /** The state's own key ("locked"); the machine id for the root. */
  key: string;
  kind: NodeKind;
  /** Id of the initial child (compound states). */
  initial?: string;
  /** Events handled here without a target (actions only). */
  internal: string[];
  children: GraphNode[];
}

export interface GraphEdge {
  source: string;
  target: string;
  /** The event type; "" for eventless (always) transitions. */
  event: string;
  kind: 'event' | 'always' | 'after' | 'done' | 'error';
  /** Guard in words: "accountLocked", "!accountLocked", "calendarSays(inside)". */
  guard?: string;
  /** Delay name (or ms) of an `after` transition. */
  delay?: string;
  /** Human label: "hub.lost", "after backoff [needsLogin]", "always [accountLocked]". */
  label: string;
}

export interface MachineGraph {
  machineId: string;
  root: GraphNode;
  edges: GraphEdge[];
}

interface StateNodeLike {
  key: string;
  path: string[];
  type: NodeKind;
  machine: { id: string };
  states: Record<string, StateNodeLike>;
  initial?: { target: StateNodeLike[] };
  transitions: Map<string, TransitionLike[]>;
  always?: TransitionLike[];
}

interface TransitionLike {
  eventType: string;
  target?: StateNodeLike[] | undefined;
  guard?: unknown;
  delay?: string | number;
}

const nodeId = (n: StateNodeLike): string => [n.machine.id, ...n.path].join('.');

/** A guard as a short text: named guards by name, parameterised ones with their params, not(...) as "!". */
export function guardText(g: unknown): string | undefined {
  if (g === undefined || g === null) return undefined;
  if (typeof g === 'string') return g;
  if (typeof g === 'function') {
    const f = g as { check?: unknown; guards?: unknown[]; name?: string };
    const inner = Array.isArray(f.guards) ? f.guards.map(guardText).filter((x): x is string => !!x) : [];
    // xstate's not/and/or helpers are functions named after the combinator, holding their guards.
    if (f.name === 'not' && inner.length === 1) return `!${inner[0]}`;
    if ((f.name === 'and' || f.name === 'or') && inner.length > 0) return inner.join(f.name === 'and' ? ' && ' : ' || ');
    return f.name && f.name !== 'anonymous' ? f.name : 'guard';
  }
  if (typeof g === 'object') {
    const o = g as { type?: unknown; params?: unknown };
    if (typeof o.type !== 'string') return 'guard';
    if (o.params && typeof o.params === 'object') {
      const vals = Object.values(o.params as Record<string, unknown>).map((v) => String(v));
      return `${o.type}(${vals.join(', ')})`;
    }
    return o.type;
  }
  return 'guard';
}

function edgeKind(eventType: string): GraphEdge['kind'] {
  if (eventType === '') return 'always';
  if (eventType.startsWith('xstate.after.')) return 'after';
  if (eventType.startsWith('xstate.done.')) return 'done';
  if (eventType.startsWith('xstate.error.')) return 'error';
  return 'event';
}

function edgeLabel(kind: GraphEdge['kind'], event: string, guard: string | undefined, delay: string | undefined): string {
  let base: string;
  if (kind === 'always') base = 'always';
  else if (kind === 'after') base = `after ${delay ?? '?'}`;
  else if (kind === 'done' || kind === 'error') {
    // xstate.done.actor.<invokeId> / xstate.error.actor.<invokeId>: the invoke id says more than the prefix.
    const invoke = event.replace(/^xstate\.(done|error)\.actor\./, '');
    base = `${kind === 'done' ? 'done' : 'error'}: ${invoke}`;
  } else base = event;
  return guard ? `${base} [${guard}]` : base;
}

/** Reads the machine's state tree and every transition. */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const edges: GraphEdge[] = [];
  const walk = (sn: StateNodeLike): GraphNode => {
    const id = nodeId(sn);
    const internal = new Set<string>();
    const all: TransitionLike[] = [...[...sn.transitions.values()].flat(), ...(sn.always ?? []).map((t) => ({ ...t, eventType: '' }))];
    for (const t of all) {
      const targets = t.target ?? [];
      if (targets.length === 0) {
        if (t.eventType !== '') internal.add(t.eventType);
        continue;
      }
      const kind = edgeKind(t.eventType);
      const guard = guardText(t.guard);
      const delay = kind === 'after' ? String(t.delay ?? t.eventType.split('.')[2] ?? '?') : undefined;
      for (const target of targets) {
        edges.push({
          source: id,
          target: nodeId(target),
          event: t.eventType,
          kind,
          ...(guard ? { guard } : {}),
          ...(delay ? { delay } : {}),
          label: edgeLabel(kind, t.eventType, guard, delay),
        });
      }
    }
    const initial = sn.initial?.target[0];
    return {
      id,
      key: sn.path.length === 0 ? sn.machine.id : sn.key,
      kind: sn.type,
      ...(sn.type === 'compound' && initial ? { initial: nodeId(initial) } : {}),
      internal: [...internal],
      children: Object.values(sn.states).map(walk),
    };
  };
  const root = walk(machine.root as unknown as StateNodeLike);
  return { machineId: machine.id, root, edges };
}

/** Every node of the tree, depth first (root first). */
export function allNodes(root: GraphNode): GraphNode[] {
  return [root, ...root.children.flatMap(allNodes)];
}

/**
 * The ids of the active states for a snapshot value (the root always included), e.g. for the account
 * { session: 'inside', lockout: 'locked' } -> account, account.session, account.session.inside, ...
 */
export function activeIds(machineId: string, value: StateValue | undefined | null): Set<string> {
  const out = new Set<string>([machineId]);
  const walk = (prefix: string, v: StateValue): void => {
    if (typeof v === 'string') {
      out.add(`${prefix}.${v}`);
      return;
    }
    for (const [k, sub] of Object.entries(v)) {
      out.add(`${prefix}.${k}`);
      if (sub !== undefined) walk(`${prefix}.${k}`, sub as StateValue);
    }
  };
  if (value !== undefined && value !== null) walk(machineId, value);
  return out;
}
