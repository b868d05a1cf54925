// What the account machine asks the executor to do, and when it asks: every intent of one step is merged so
// the strongest wins (a flatten, which closes and cancels everything, covers every other close, reduce and
// cancel; a close covers reduces of its contract; a cancelAll covers cancels), and a decision already handed
// over and not yet settled is not handed over again. A breach
// stays visible on every event until its action lands (the order, the fill, the position of riskd's own
// reduce), so without this one breach was decided 3 to 5 times (one action, the rest "absorbed" audit rows).
import { resolveIntents } from '../../src/rules/resolveIntents.ts';
import type { Intent, Verdict } from '../../src/rules/types.ts';
import type { AccountCore, AccountEmitted, InFlightIntent, LockOwner } from './types.ts';

/** An in-flight entry never reported settled (a lost callback, a rebuilt actor) stops suppressing after this. */
export const IN_FLIGHT_MAX_MS = 60_000;

export function intentOut(intent: Intent, rule: LockOwner, reason: string, numbers?: Verdict['numbers']): AccountEmitted {
  return numbers ? { type: 'intent', intent, rule, reason, numbers } : { type: 'intent', intent, rule, reason };
}

const keyOf = (i: Intent): string => JSON.stringify(i);
const contractOf = (i: Intent): string | undefined => (i.type === 'close' || i.type === 'reduce' ? i.contractId : undefined);

/**
 * The executor runs one action at a time per contract position (close, reduce) and per contract stop (moveStop);
 * another one there meanwhile is absorbed (an audit row, no call). A reduce or a stop move decided while its slot
 * is busy is therefore held back here and decided afresh after the action settles (its size or price computed
 * from what the action left). A close still goes through: the executor holds it until the key is free and then
 * sends it if the position is still open (a kill-switch close comes from an edge that does not fire again).
 */
const slotOf = (i: Intent): string | undefined =>
  i.type === 'close' || i.type === 'reduce' ? `pos:${i.contractId}` : i.type === 'moveStop' ? `stop:${i.contractId}` : undefined;
const waitsForSlot = (i: Intent): boolean => i.type === 'reduce' || i.type === 'moveStop';

/**
 * The step's intents merged (strongest wins, each once, in the order they were decided) minus those already in
 * flight; the ones that leave are recorded as in flight. Other facts keep their place.
 */
export function admitIntents(core: AccountCore, out: AccountEmitted[]): { core: AccountCore; out: AccountEmitted[] } {
  const decided = out.filter((o): o is Extract<AccountEmitted, { type: 'intent' }> => o.type === 'intent');
  if (decided.length === 0) return { core, out };
  const kept = new Set(resolveIntents(decided.map((o) => o.intent)));
  const inFlight = core.inFlight ?? [];
  const busy = new Set(inFlight.map((f) => f.key));
  const busySlots = new Set(inFlight.map((f) => slotOf(JSON.parse(f.key) as Intent)));
  const added: InFlightIntent[] = [];
  let recheck = false;
  const admitted = out.filter((o) => {
    if (o.type !== 'intent') return true;
    if (!kept.has(o.intent)) return false;
    const key = keyOf(o.intent);
    if (busy.has(key)) return false;
    const slot = slotOf(o.intent);
    if (waitsForSlot(o.intent) && busySlots.has(slot)) {
      recheck = true;
      return false;
    }
    busy.add(key);
    if (slot !== undefined) busySlots.add(slot);
    const contractId = contractOf(o.intent);
    added.push(contractId === undefined ? { key, at: core.now } : { key, contractId, at: core.now });
    return true;
  });
  const next = added.length > 0 ? { ...core, inFlight: [...inFlight, ...added] } : core;
  return { core: recheck && !next.recheck ? { ...next, recheck: true } : next, out: admitted };
}

/** Forget in-flight entries matching `gone` (settled, their position closed, or too old). */
export function forgetInFlight(core: AccountCore, gone: (f: InFlightIntent) => boolean): AccountCore {
  const inFlight = core.inFlight;
  if (!inFlight || inFlight.length === 0 || !inFlight.some(gone)) return core;
  return { ...core, inFlight: inFlight.filter((f) => !gone(f)) };
}

export function onSettled(core: AccountCore, intents: readonly Intent[]): AccountCore {
  const keys = new Set(intents.map(keyOf));
  return forgetInFlight(core, (f) => keys.has(f.key));
}
