// One REST look per account at a time (issue 14: REST is 200 requests / 60 s per user). A caller is served by
// the latest look, finished or in flight, if it started after what the caller wants to see (its `after` mark);
// otherwise it joins the single queued look. So an account costs at most one look in flight plus one queued,
// however many actions ask, and actions answered together share one look.

/** Looks started so far, by every Coalesced: marks are comparable across them. */
let started = 0;

/** A mark to pass to get() later: looks started after this call count as fresh for it. */
export function lookMark(): number {
  return started;
}

export class Coalesced<T> {
  private readonly slots = new Map<number, Slot<T>>();
  /** The latest successful look per account and its start number. */
  private readonly latest = new Map<number, { seq: number; value: T }>();

  constructor(private readonly look: (accountId: number) => Promise<T>) {}

  /** A look at the account that starts after `after` (a lookMark()), or after this call when omitted. */
  get(accountId: number, after = started): Promise<T> {
    const last = this.latest.get(accountId);
    if (last && last.seq > after) return Promise.resolve(last.value);
    const slot = this.slots.get(accountId);
    if (!slot) {
      const fresh: Slot<T> = { seq: 0 };
      this.slots.set(accountId, fresh);
      return this.run(accountId, fresh);
    }
    if (slot.current && slot.seq > after) return slot.current;
    if (!slot.queued) {
      const next = () => {
        slot.queued = undefined;
        return this.run(accountId, slot);
      };
      slot.queued = slot.current!.then(next, next);
    }
    return slot.queued;
  }

  private run(accountId: number, slot: Slot<T>): Promise<T> {
    const seq = (slot.seq = ++started);
    let p: Promise<T>;
    try {
      p = this.look(accountId);
    } catch (err) {
      p = Promise.reject(err);
    }
    slot.current = p;
    const done = () => {
      if (slot.current === p && !slot.queued) this.slots.delete(accountId);
    };
    p.then((value) => {
      if ((this.latest.get(accountId)?.seq ?? 0) < seq) this.latest.set(accountId, { seq, value });
      done();
    }, done);
    return p;
  }
}

interface Slot<T> {
  /** The look in flight, and its start number. */
  current?: Promise<T>;
  seq: number;
  queued?: Promise<T>;
}
