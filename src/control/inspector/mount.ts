// Wires the inspector into a running daemon and its control server: the transitions recorder on every
// account actor system and every enforcement action's chart, and the inspector's pages and JSON on the server (registerRoute). Returns the cleanup.
import type { AnyActorRef, InspectionEvent, StateValue } from 'xstate';
import type { Logger } from '../../log/logger.ts';
import type { Daemon } from '../../runtime/daemon.ts';
import type { ControlServer } from '../server.ts';
import { TransitionRecorder } from './recorder.ts';
import { createInspectorRoutes } from './routes.ts';
import { daemonSource } from './source.ts';

export interface MountedInspector {
  recorder: TransitionRecorder;
  stop(): void;
}

/** Starts recording transitions (always: the audit trail) and, given a server, serves /inspector. */
export function mountInspector(daemon: Daemon, logger: Logger, server?: Pick<ControlServer, 'registerRoute'>): MountedInspector {
  const recorder = new TransitionRecorder({ store: daemon.store, logger: logger.child({ part: 'transitions' }) });
  for (const ref of liveActors(daemon)) recorder.prime(ref, (ref.getSnapshot() as { value?: StateValue }).value);
  const offInspect = daemon.supervisor.onInspect((id, e) => recorder.inspect(id, e));
  // Each enforcement action's chart runs in an actor system of its own: labelled by the executor.
  const offActions = daemon.executor.onInspect((id, e, actorId) => recorder.inspect(id, e, actorId));
  recorder.start();
  const routes = server
    ? createInspectorRoutes({
        source: daemonSource(daemon),
        onTransition: (fn) => recorder.onTransition(fn),
        onInspect: (fn) => onEveryInspection(daemon, fn),
      })
    : undefined;
  for (const [method, path, handler] of routes?.routes ?? []) server!.registerRoute(method, path, handler);
  return {
    recorder,
    stop: () => {
      routes?.close();
      offInspect();
      offActions();
      recorder.stop();
    },
  };
}

/** Inspection events of every account actor system and of every enforcement action's chart; returns the detach. */
export function onEveryInspection(daemon: Pick<Daemon, 'supervisor' | 'executor'>, fn: (accountId: number, e: InspectionEvent) => void): () => void {
  const offAccounts = daemon.supervisor.onInspect(fn);
  const offActions = daemon.executor.onInspect((id, e) => fn(id, e));
  return () => {
    offAccounts();
    offActions();
  };
}

/** Every running account actor and its position children (for inspectors attached after start). */
export function liveActors(daemon: Pick<Daemon, 'supervisor'>): AnyActorRef[] {
  const out: AnyActorRef[] = [];
  for (const id of daemon.supervisor.accountIds()) {
    const root = daemon.supervisor.get(id)?.actor;
    if (!root) continue;
    out.push(root);
    for (const child of Object.values(root.getSnapshot().children as Record<string, AnyActorRef | undefined>)) if (child) out.push(child);
  }
  return out;
}
