import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../../src/store/index.ts';
import type { AccountActor } from '../../../src/runtime/actors/index.ts';

/** A real SQLite store in a fresh temp directory. */
export function tempStore(): { store: Store; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskd-actors-'));
  const store = openStore(path.join(dir, 'state.db'));
  return { store, dir, cleanup: () => { store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/** What must be equal between an actor that never stopped and a restored one (the time of the last event aside). */
export function observable(h: AccountActor) {
  const snap = h.actor.getSnapshot();
  // `now` and the calendar's evaluatedAt record when each actor last looked at the clock, which differs
  // legitimately between an actor that was awake and one restored later. `inFlight` is what the executor of
  // this process still works on: a restarted process has none (its decisions may be made again).
  const { now: _now, positionActors, inFlight: _inFlight, ...rest } = snap.context;
  const { evaluatedAt: _e, ...session } = rest.session;
  const context = { ...rest, session };
  const children = Object.fromEntries(
    Object.entries(positionActors).map(([id, ref]) => {
      const s = ref.getSnapshot();
      const { now: _n, ...c } = s.context;
      return [id, { value: s.value, status: s.status, context: c }];
    }),
  );
  return { status: snap.status, value: snap.value, context, children };
}
