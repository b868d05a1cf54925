// In what order the events of one socket read are judged (daemon.ingest). The user hub writes a fill as one burst
// that arrives in one read: the order's updates (working, filled), the trade, the position, the account. The
// position event is the one a size rule enforces on, and the first event of a read is the costliest to judge
// (everything it touches is cold after an idle spell: ~0.2 ms of the ~0.45 ms the frames ahead of the position
// took, bench/RESULTS.md). The order updates decide nothing about that position, so they are judged at the end
// of the read, in arrival order, still in the same turn (one transaction). The trade keeps its place ahead of the
// position: its P&L may set a lock (RULE-003/006/007/013) that must be in force before the position is judged.
// Hubs reorder events anyway (every handler is idempotent, DESIGN §3); this picks one order they may arrive in:
//   - an order's fill still reaches the ledger before the next read, and its trade carries the fill itself;
//   - a new working order on a locked account is still cancelled (the kill switch hears order.working), after
//     the read's position, so open exposure is closed first;
//   - a stop placed with the position still protects it (position.protection follows its order event), well
//     inside RULE-008's grace.
// REST snapshots are not reordered: they settle as one run (daemon.ingestSnapshotEvent).
import type { GatewayEvent } from '../gateway/models.ts';

/** Whether the event waits until the socket read it came in has been judged. */
export function judgedAfterTheRead(ev: GatewayEvent): boolean {
  return ev.kind === 'order' && ev.source === 'hub';
}
