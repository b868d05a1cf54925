// Each enforcement action's statechart (machines/action) is visible to the inspector: the executor labels its
// inspection events with the action's actor id ('action:<audit row id>'), the transitions recorder writes them
// under that id, and the account view lists the actions in flight with their chart state.
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { TransitionRecorder } from '../../src/control/inspector/recorder.ts';
import { queryTransitions } from '../../src/control/inspector/transitionQuery.ts';
import { FakeGateway } from '../enforce/helpers/fakeGateway.ts';
import { makeHarness } from '../enforce/helpers/harness.ts';

const ACC = 13572468;
const MNQ = 'CON.F.US.MNQ.Z26';

describe('action charts in the inspector', () => {
  it('records a close from its first state to confirmed under action:<row id>, and inFlight() shows its chart while it runs', async () => {
    const gw = new FakeGateway();
    gw.openPosition(ACC, MNQ, 2);
    gw.fault('Position/closeContract', 'hold');
    const h = makeHarness(gw);
    const recorder = new TransitionRecorder({ store: h.store, now: h.clock.now, schedule: () => {} });
    const seen: [number, string, InspectionEvent['type']][] = [];
    const off = h.executor.onInspect((id, e, actorId) => {
      seen.push([id, actorId, e.type]);
      recorder.inspect(id, e, actorId);
    });
    const done = h.executor.execute([h.request({ type: 'close', accountId: ACC, contractId: MNQ })]);
    const row = h.audit.list()[0]!;
    // The chart comes a microtask after the call was made (the executor's run: the request is written first).
    await new Promise((r) => setImmediate(r));
    expect(h.executor.inFlight()).toMatchObject([{ actorId: `action:${row.id}`, state: expect.stringMatching(/^sending\./), value: { sending: expect.any(String) }, context: { kind: 'close', attempts: 1 } }]);
    gw.releaseHeld();
    await new Promise((r) => setImmediate(r)); // the gateway's answer arrives first
    h.executor.confirmFromLedger(ACC, { kind: 'position', contractId: MNQ, size: 0 });
    await done;
    off();
    recorder.flush();
    expect(seen.every(([id, actorId]) => id === ACC && actorId === `action:${row.id}`)).toBe(true);
    const rows = queryTransitions(h.store.db, { accountId: ACC, actorId: `action:${row.id}` });
    expect(rows.map((r) => [r.from, r.to])).toEqual([
      ['', 'sending.waitingForBudget'],
      ['sending.waitingForBudget', 'awaitingConfirmation'],
      ['awaitingConfirmation', 'confirmed'],
    ]);
    expect(h.executor.inFlight()).toEqual([]);
  });
});
