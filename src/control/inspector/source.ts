// What the inspector reads from a running daemon, behind a narrow interface (tests build their own): the
// account list, each account's machine snapshot (root + position children + enforcement actions in flight) with its status snapshot (numbers,
// locks, limits), the connection machine's state, and the store for the transitions audit.
import type { Database } from 'better-sqlite3';
import type { StateValue } from 'xstate';
import type { Daemon } from '../../runtime/daemon.ts';
import { statusSnapshot } from '../statusSnapshot.ts';
import { sanitize } from './sanitize.ts';
import { stateText } from './stateText.ts';

export interface MachineView {
  /** 'account' for the root, the child id ("pos:<contractId>") for a position, "action:<audit row id>" for an action. */
  actorId: string;
  machine: 'account' | 'position' | 'action';
  value: StateValue | null;
  stateText: string;
  status: string;
  context: unknown;
}

export interface AccountView {
  id: number;
  name: string;
  /** Server time of this view (pages compute lock countdowns against it). */
  now: number;
  /** The account's trading-day zone (IANA): the page shows every time in it, labelled. */
  timezone: string;
  machines: MachineView[];
  /** The account's status snapshot (statusSnapshot.ts): P&L, positions, locks in words, the limits in force. */
  status: unknown;
}

export interface InspectorSource {
  accounts(): { id: number; name: string }[];
  account(id: number): AccountView | undefined;
  /** The connection statechart's state as a stateText line ("live.steady"), or null when unknown. */
  connectionState(): string | null;
  db(): Database;
}

interface PersistedLike {
  value?: StateValue;
  status?: string;
  context?: Record<string, unknown>;
  children?: Record<string, { snapshot?: PersistedLike; src?: unknown } | undefined>;
}

export function daemonSource(daemon: Daemon): InspectorSource {
  return {
    accounts: () => [...daemon.accounts.values()].map((a) => ({ id: a.id, name: a.name })),
    account: (id) => {
      const acc = daemon.accounts.get(id);
      if (!acc) return undefined;
      const handle = daemon.supervisor.get(id);
      const machines: MachineView[] = [];
      if (handle) {
        const snap = handle.actor.getPersistedSnapshot() as PersistedLike;
        const { positionActors: _refs, ...ctx } = snap.context ?? {};
        machines.push({ actorId: 'account', machine: 'account', value: snap.value ?? null, stateText: stateText(snap.value), status: snap.status ?? '?', context: sanitize(ctx) });
        for (const [childId, child] of Object.entries(snap.children ?? {})) {
          if (!child?.snapshot || !childId.startsWith('pos:')) continue;
          const s = child.snapshot;
          machines.push({ actorId: childId, machine: 'position', value: s.value ?? null, stateText: stateText(s.value), status: s.status ?? '?', context: sanitize(s.context) });
        }
      }
      // Enforcement actions in flight (machines/action), each its own chart until it settles.
      for (const a of daemon.executor.inFlight()) {
        if (a.accountId !== id) continue;
        machines.push({ actorId: a.actorId, machine: 'action', value: a.value, stateText: stateText(a.value), status: 'active', context: sanitize(a.context) });
      }
      const full = statusSnapshot(daemon);
      const status = full.accounts.find((a) => a.id === id) ?? null;
      return { id, name: acc.name, now: full.now, timezone: acc.config.trading_day.timezone, machines, status: sanitize(status) };
    },
    connectionState: () => {
      const s = daemon.status() as { connection?: { state?: unknown } };
      return typeof s.connection?.state === 'string' ? s.connection.state.split('.').filter(Boolean).join('.') : null;
    },
    db: () => daemon.store.db,
  };
}
