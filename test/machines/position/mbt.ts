// Model-based testing helpers (xstate-notes §5): explicit payload events + discovered `after` edges,
// transition-level state keys (so shortest paths reach every transition), and a coverage recorder that
// compares the states/transitions exercised by live replays with everything the machine defines.
import { getStateNodes, toDirectedGraph } from 'xstate/graph';
import type { AnyStateMachine, InspectionEvent } from 'xstate';

type AnyNode = { id: string; edges: { source: { id: string }; label: { text: string }; transition: { guard?: unknown } }[]; children: AnyNode[] };

const guardName = (g: unknown): string =>
  g === undefined ? '' : typeof g === 'string' ? g : typeof g === 'object' && g !== null && 'type' in g ? String((g as { type: unknown }).type) : 'inline';

/** Key of a transition definition: source state, event, guard. */
export function transitionKey(source: string, eventType: string, guard: unknown): string {
  return `${source} --${eventType}${guard !== undefined ? ` [${guardName(guard)}]` : ''}-->`;
}

export function allTransitions(machine: AnyStateMachine): Set<string> {
  const keys = new Set<string>();
  const walk = (n: AnyNode): void => {
    for (const e of n.edges) keys.add(transitionKey(e.source.id, e.label.text, e.transition.guard));
    n.children.forEach(walk);
  };
  walk(toDirectedGraph(machine) as unknown as AnyNode);
  return keys;
}

export function allStates(machine: AnyStateMachine): Set<string> {
  return new Set(getStateNodes(machine.root).map((s) => s.id));
}

/** Events for the `after` transitions of the active states (payload-less, as XState raises them). */
export function afterEvents(snapshot: unknown): { type: string }[] {
  const nodes = (snapshot as { _nodes: { after: { eventType: string }[] }[] })._nodes;
  return nodes.flatMap((n) => n.after.map((t) => ({ type: t.eventType })));
}

/**
 * State key = previous value + value + full context + the event that led here, so each transition is its own
 * node and shortest paths reach every transition. The full context is part of the key because xstate/graph
 * keeps one snapshot per key (the last one seen); context must stay finite (bounded event payloads).
 */
export function transitionSerializer(
  snapshot: { value: unknown; context: unknown },
  event: { type: string } | undefined,
  prev: { value: unknown } | undefined,
): string {
  const here = `${JSON.stringify(snapshot.value)} ${JSON.stringify(snapshot.context)}`;
  return event ? `${JSON.stringify(prev?.value ?? null)} =${JSON.stringify(event)}=> ${here}` : here;
}

/** Records, from inspection events of the actors `isTarget` accepts, which states were entered and which transitions taken. */
export class CoverageRecorder {
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();
  constructor(private readonly isTarget: (ev: InspectionEvent) => boolean) {}
  readonly inspect = (ev: InspectionEvent): void => {
    if (!this.isTarget(ev)) return;
    if (ev.type === '@xstate.microstep') {
      const m = ev as unknown as { _transitions: { source: { id: string }; eventType: string; guard?: unknown }[] };
      for (const t of m._transitions) this.transitions.add(transitionKey(t.source.id, t.eventType, t.guard));
    }
    if (ev.type === '@xstate.snapshot' || ev.type === '@xstate.microstep') {
      const nodes = (ev.snapshot as { _nodes?: { id: string }[] })._nodes ?? [];
      for (const n of nodes) this.states.add(n.id);
    }
  };
}
