// One enforcement action (a close, reduce, cancel, stop modify or stop place) from its first wait to its end:
//
//   queued ─(deadline)→ dueCheck ─→ sending | skipped           (a stop move waiting for the modify throttle)
//   heldForFill ─(deadline)→ sending                             (a cancel of a market order: its fill is on the way)
//   heldForPosition ─(deadline)→ checkingHeld → sending | skipped (the fills received already close the position)
//   sending (waitingForBudget → requested)
//     → awaitingConfirmation ─(deadline)→ verifying → reconciled | awaitingConfirmation (once) | failed
//     → reconciling (timeout/429/5xx) → reconciled | awaitingConfirmation | waitingToResend → sending | failed
//     → sending again (a refused reduce falls back to a close) | failed | reconciled (already gone)
//   CONFIRMED / OVERTAKEN (ledger events) end a sent action; MOOT / SEND_NOW end a held wait; ABANDON ends anything.
//   resumed → reconciling: an action that may have been sent before a restart is checked first, never re-sent blind.
//   A close decided under a lock (the kill switch) that would end failed rests instead (1 s doubling, at most
//   maxLockRetries times): restingUnderLock → recheckingUnderLock → reconciled (flat) | sending (REST shows it still
//   open and the account still locked) | failed. The position must not stay open because one close failed, and
//   nothing else re-decides it until the position changes again; never re-sent without a fresh check.
//
// PURE: no HTTP, SQLite or clock. The REST call (`call`) and the REST check (`check`) are actors, the audit and
// memory writes are actions, and `untilWake` (deadline minus the wall clock) is a delay, all provided by the
// executor (src/enforce/executor.ts) with `.provide()`. Deadlines are absolute epoch ms in context (`wakeAt`); the
// times they are computed from (`at`) arrive with the input, every answer and every event.
import { and, assign, fromPromise, setup } from 'xstate';

export type ActionKind = 'close' | 'reduce' | 'cancel' | 'modifyStop' | 'placeStop';
export type ActionStatus = 'confirmed' | 'reconciled' | 'failed' | 'skipped';
/** What the executor does once the action's key is free: re-evaluate as usual, at once, or not at all. */
export type AfterSettle = 'auto' | 'now' | 'none';

/** How the action ended: the executor writes it to the audit row and acts on `after`/`source`. */
export interface ActionEnd {
  status: ActionStatus;
  outcome: string;
  after: AfterSettle;
  /** What a re-evaluation decides on: the ledger (the hub showed the outcome) or a REST reconcile. */
  source: 'ledger' | 'rest';
}

/** The gateway's answer to one call, already read by the executor (src/enforce/gatewayOutcome.ts). */
export type CallAnswer = { at: number } & (
  | { answer: 'accepted' }
  | { answer: 'unknown'; detail: string; retryAfterMs?: number }
  | { answer: 'refused'; refusal: Refusal; detail: string }
);
export type Refusal = 'already-gone' | 'account-refuses' | 'invalid-size' | 'rejected';

/** What REST says about the action's goal (src/enforce/verification.ts). */
export interface CheckAnswer {
  at: number;
  state: 'done' | 'pending' | 'changed' | 'unchanged';
  detail: string;
  /** The account still holds a lock forbidding the position (read when the answer came). */
  underLock?: boolean;
}

export type ActionStart = 'send' | 'queued' | 'heldForFill' | 'heldForPosition' | 'resumed';

export interface ActionInput {
  kind: ActionKind;
  startAs: ActionStart;
  /** Epoch ms now. */
  now: number;
  /** queued: when the throttle lets the modify go (epoch ms). */
  sendAt?: number;
  /** resumed: sends made before the restart. */
  attempts?: number;
  /** cancel, modifyStop: the order acted on (for outcomes). */
  orderId?: number;
  confirmTimeoutMs: number;
  maxAttempts: number;
  retryBackoffMs: number;
  fillSettleMs: number;
  /** close: decided while the account was locked (the kill switch): a failure rests and is re-checked, not handed back. */
  underLock?: boolean;
  /** Rests before re-checking a failed close under a lock. Default 4. */
  maxLockRetries?: number;
  /** The first rest (doubling, at most 60 s). Default 1000. */
  lockRetryRestMs?: number;
}

export interface ActionContext {
  kind: ActionKind;
  startAs: ActionStart;
  orderId?: number;
  attempts: number;
  maxAttempts: number;
  confirmTimeoutMs: number;
  retryBackoffMs: number;
  fillSettleMs: number;
  /** REST checks run because no confirming event came. */
  silentChecks: number;
  underLock: boolean;
  /** Rests taken after a failure under a lock, and the bound. */
  lockRetries: number;
  maxLockRetries: number;
  lockRetryRestMs: number;
  /** Deadline of the current wait, epoch ms. */
  wakeAt: number;
  /** When the latest input arrived, epoch ms. */
  at: number;
  /** The latest call whose outcome is unknown (timeout/429/5xx). */
  unknown?: { detail: string; retryAfterMs?: number };
  /** restingUnderLock: why the close under a lock rests (its audit outcome). */
  lockRestWhy?: string;
  /** dueCheck: why a throttled stop move is no longer needed (set by the provided `assessThrottledStop`). */
  stopSkip?: string;
  end?: ActionEnd;
}

export type ActionEvent =
  /** The ledger shows the action's goal reached by it. */
  | { type: 'CONFIRMED'; detail: string; at: number }
  /** The ledger shows the goal reached by something else first (a fill before a cancel). */
  | { type: 'OVERTAKEN'; detail: string; at: number }
  /** A held action's event came: nothing to send. */
  | { type: 'MOOT'; detail: string; at: number }
  /** The rate budget let the call go. */
  | { type: 'BUDGET_GRANTED'; at: number }
  /** A held action's event came and the action is still needed. */
  | { type: 'SEND_NOW'; at: number }
  /** A queued stop move replaced by a tighter one. */
  | { type: 'SUPERSEDED'; detail: string; at: number }
  /** Shutdown, or the lock could not be persisted: the action ends failed and nobody re-evaluates. */
  | { type: 'ABANDON'; detail: string; at: number };

const end = (status: ActionStatus, outcome: string, after: AfterSettle = 'auto', source?: 'ledger' | 'rest'): ActionEnd => ({
  status,
  outcome,
  after,
  source: source ?? (status === 'confirmed' ? 'ledger' : 'rest'),
});

const errorText = (e: unknown): string => String(e);
const silence = (c: ActionContext): string => `no confirming event within ${c.confirmTimeoutMs} ms`;
const attemptWhy = (c: ActionContext): string => `attempt ${c.attempts}: ${c.unknown?.detail ?? 'outcome unknown'}`;

const refusalDetail = (o: CallAnswer): string => (o.answer === 'refused' ? o.detail : '');
const MAX_LOCK_REST_MS = 60_000;

/** Ledger events that end an action once it has been sent. */
const ledgerEnds = {
  CONFIRMED: { target: '#action.confirmed', actions: 'endByLedger' },
  OVERTAKEN: { target: '#action.reconciled', actions: 'endOvertaken' },
} as const;

export const actionMachine = setup({
  types: {
    context: {} as ActionContext,
    events: {} as ActionEvent,
    input: {} as ActionInput,
    output: {} as ActionEnd,
  },
  actors: {
    /** The REST mutation for context.kind (priority enforce); resolves with the answer, never rejects on a refusal. */
    call: fromPromise<CallAnswer, { kind: ActionKind; attempt: number }>(async () => {
      throw new Error("action actor 'call' was not provided");
    }),
    /** What REST says about the goal, from reads that started after the latest answer. */
    check: fromPromise<CheckAnswer, { priority: 'enforce' | 'reconcile' }>(async () => {
      throw new Error("action actor 'check' was not provided");
    }),
  },
  delays: {
    // Provided by the executor as wakeAt minus the wall clock; without a clock, from the latest input's time.
    untilWake: ({ context }) => Math.max(0, context.wakeAt - context.at),
  },
  guards: {
    startsAs: ({ context }, start: ActionStart) => context.startAs === start,
    isReduce: ({ context }) => context.kind === 'reduce',
    isCancel: ({ context }) => context.kind === 'cancel',
    isModifyStop: ({ context }) => context.kind === 'modifyStop',
    /** A close decided under a lock, with rests left. */
    mayRetryUnderLock: ({ context }) => context.kind === 'close' && context.underLock && context.lockRetries < context.maxLockRetries,
    stopNotTighter: ({ context }) => context.stopSkip !== undefined,
    refused: ({ context, event }, p: { refusal: Refusal; kind?: ActionKind }) => {
      const o = (event as { output?: CallAnswer }).output;
      return o?.answer === 'refused' && o.refusal === p.refusal && (p.kind === undefined || context.kind === p.kind);
    },
  },
  actions: {
    /** Writes an intermediate outcome to the audit row. */
    record: (_, _params: { outcome: string }) => {},
    /** Logs a call whose outcome is unknown (it is reconciled before anything else). */
    logUnknown: () => {},
    /** Logs a re-send after a check proved nothing happened. */
    logResend: () => {},
    /** Logs a failed check of a held close (it is sent anyway). */
    logHeldCheckFailed: () => {},
    /** The account refuses partial closes / cancels: remembered (and a refused cancel's order watched). */
    noteRefusal: () => {},
    /** Audit and log: the reduce becomes a close of the whole position. */
    recordFallback: (_, _params: { why: string }) => {},
    /** Sets context.stopSkip when a throttled move would no longer tighten the stop (provided: it reads the ledger). */
    assessThrottledStop: assign({ stopSkip: () => undefined }),
    /** A close under a lock that would end failed rests (1 s doubling) before it is checked again. */
    restBeforeLockRetry: assign(({ context, event }, params: { why: string }) => {
      const at = (event as { output?: { at?: number } }).output?.at ?? context.at;
      const rest = Math.min(context.lockRetryRestMs * 2 ** context.lockRetries, MAX_LOCK_REST_MS);
      return {
        at,
        wakeAt: at + rest,
        lockRetries: context.lockRetries + 1,
        lockRestWhy: `${params.why}; the account is locked: checking again in ${rest} ms (retry ${context.lockRetries + 1} of ${context.maxLockRetries})`,
      };
    }),
    endByLedger: assign({ end: ({ event }) => end('confirmed', 'detail' in event ? event.detail : '') }),
    endOvertaken: assign({ end: ({ event }) => end('reconciled', 'detail' in event ? event.detail : '', 'auto', 'ledger') }),
  },
}).createMachine({
  id: 'action',
  context: ({ input }) => ({
    kind: input.kind,
    startAs: input.startAs,
    ...(input.orderId !== undefined ? { orderId: input.orderId } : {}),
    attempts: input.attempts ?? 0,
    maxAttempts: input.maxAttempts,
    confirmTimeoutMs: input.confirmTimeoutMs,
    retryBackoffMs: input.retryBackoffMs,
    fillSettleMs: input.fillSettleMs,
    silentChecks: 0,
    underLock: input.underLock ?? false,
    lockRetries: 0,
    maxLockRetries: input.maxLockRetries ?? 4,
    lockRetryRestMs: input.lockRetryRestMs ?? 1000,
    wakeAt: input.startAs === 'queued' ? (input.sendAt ?? input.now) : input.now + input.fillSettleMs,
    at: input.now,
  }),
  output: ({ context }) => context.end ?? end('failed', 'ended without an outcome'),
  initial: 'start',
  on: {
    ABANDON: { target: '.failed', actions: assign({ end: ({ event }) => end('failed', event.detail, 'none') }) },
  },
  states: {
    start: {
      always: [
        { guard: { type: 'startsAs', params: 'queued' }, target: 'queued' },
        { guard: { type: 'startsAs', params: 'heldForFill' }, target: 'heldForFill' },
        { guard: { type: 'startsAs', params: 'heldForPosition' }, target: 'heldForPosition' },
        { guard: { type: 'startsAs', params: 'resumed' }, target: 'reconciling', actions: assign({ unknown: { detail: 'riskd restarted before its outcome was known' } }) },
        { target: 'sending' },
      ],
    },
    queued: {
      tags: 'queued',
      entry: { type: 'record', params: ({ context }) => ({ outcome: `queued ${Math.ceil(context.wakeAt - context.at)} ms: at most one modify per second per order` }) },
      after: { untilWake: 'dueCheck' },
      on: {
        SUPERSEDED: { target: 'skipped', actions: assign({ end: ({ event }) => end('skipped', event.detail, 'none') }) },
      },
    },
    dueCheck: {
      tags: 'queued',
      entry: 'assessThrottledStop',
      always: [
        { guard: 'stopNotTighter', target: 'skipped', actions: assign({ end: ({ context }) => end('skipped', context.stopSkip!) }) },
        { target: 'sending' },
      ],
    },
    heldForFill: {
      tags: 'held',
      entry: { type: 'record', params: ({ context }) => ({ outcome: `not sent yet: a market order fills within milliseconds; waiting ${context.fillSettleMs} ms for its status` }) },
      after: { untilWake: 'sending' },
      on: {
        MOOT: { target: 'skipped', actions: assign({ end: ({ event }) => end('skipped', event.detail) }) },
        SEND_NOW: 'sending',
      },
    },
    heldForPosition: {
      tags: 'held',
      entry: { type: 'record', params: ({ context }) => ({ outcome: `not sent yet: the fills received close this position; waiting ${context.fillSettleMs} ms for its position event` }) },
      after: { untilWake: 'checkingHeld' },
      on: {
        MOOT: { target: 'skipped', actions: assign({ end: ({ event }) => end('skipped', event.detail) }) },
        SEND_NOW: 'sending',
      },
    },
    checkingHeld: {
      tags: 'held',
      invoke: {
        id: 'check',
        src: 'check',
        input: { priority: 'enforce' },
        onDone: [
          {
            guard: ({ event }) => event.output.state === 'done',
            target: 'skipped',
            actions: assign({ end: ({ context, event }) => end('skipped', `not sent: no position event within ${context.fillSettleMs} ms; REST check: ${event.output.detail}`) }),
          },
          { target: 'sending' },
        ],
        // Any doubt sends the close.
        onError: { target: 'sending', actions: 'logHeldCheckFailed' },
      },
      on: {
        MOOT: { target: 'skipped', actions: assign({ end: ({ event }) => end('skipped', event.detail) }) },
        SEND_NOW: 'sending',
      },
    },
    sending: {
      tags: 'working',
      entry: assign({ attempts: ({ context }) => context.attempts + 1 }),
      // The call waits for the rate budget (mutations go first), then is out at the gateway.
      initial: 'waitingForBudget',
      states: {
        waitingForBudget: { on: { BUDGET_GRANTED: 'requested' } },
        requested: {},
      },
      invoke: {
        id: 'call',
        src: 'call',
        input: ({ context }) => ({ kind: context.kind, attempt: context.attempts }),
        onDone: [
          {
            guard: ({ event }) => event.output.answer === 'accepted',
            target: 'awaitingConfirmation',
            actions: [
              assign({ at: ({ event }) => event.output.at, wakeAt: ({ context, event }) => event.output.at + context.confirmTimeoutMs }),
              { type: 'record', params: ({ context }) => ({ outcome: `accepted by the gateway (attempt ${context.attempts}); awaiting confirmation` }) },
            ],
          },
          {
            guard: ({ event }) => event.output.answer === 'unknown',
            target: 'reconciling',
            actions: [
              assign({
                at: ({ event }) => event.output.at,
                unknown: ({ event }) => {
                  const o = event.output as Extract<CallAnswer, { answer: 'unknown' }>;
                  return { detail: o.detail, ...(o.retryAfterMs !== undefined ? { retryAfterMs: o.retryAfterMs } : {}) };
                },
              }),
              'logUnknown',
            ],
          },
          {
            // A stop that no longer exists: the caller may place a new one at once.
            guard: { type: 'refused', params: { refusal: 'already-gone', kind: 'modifyStop' } },
            target: 'failed',
            actions: assign({ end: ({ event }) => end('failed', `stop order no longer exists (${refusalDetail(event.output)})`, 'now') }),
          },
          {
            guard: { type: 'refused', params: { refusal: 'already-gone' } },
            target: 'reconciled',
            actions: assign({ end: ({ event }) => end('reconciled', `nothing left to do: ${refusalDetail(event.output)}`) }),
          },
          {
            // Live and follower accounts refuse partial closes: close the whole position (the safe side).
            guard: { type: 'refused', params: { refusal: 'account-refuses', kind: 'reduce' } },
            target: 'sending',
            reenter: true,
            actions: [
              'noteRefusal',
              assign({ kind: 'close' as const }),
              { type: 'recordFallback', params: ({ event }) => ({ why: `partial close refused (${refusalDetail(event.output)}): closing the whole position instead` }) },
            ],
          },
          {
            guard: { type: 'refused', params: { refusal: 'account-refuses', kind: 'cancel' } },
            target: 'failed',
            actions: [
              'noteRefusal',
              assign({
                end: ({ context, event }) =>
                  end('failed', `cancel refused (${refusalDetail(event.output)}): the position will be closed if order ${context.orderId} fills`, 'now'),
              }),
            ],
          },
          {
            // The position is no larger than the size to reduce: close it.
            guard: { type: 'refused', params: { refusal: 'invalid-size', kind: 'reduce' } },
            target: 'sending',
            reenter: true,
            actions: [
              assign({ kind: 'close' as const }),
              { type: 'recordFallback', params: ({ event }) => ({ why: `partial close size not smaller than the position (${refusalDetail(event.output)}): closing it` }) },
            ],
          },
          {
            guard: 'mayRetryUnderLock',
            target: 'restingUnderLock',
            actions: [{ type: 'restBeforeLockRetry', params: ({ event }) => ({ why: `refused by the gateway: ${refusalDetail(event.output)}` }) }, { type: 'record', params: ({ context }) => ({ outcome: context.lockRestWhy! }) }],
          },
          {
            // Any other refusal is never re-sent: a retry would be refused the same way (under a lock: after a rest
            // and a check that the position is still open, above).
            target: 'failed',
            actions: assign({ end: ({ event }) => end('failed', `refused by the gateway: ${refusalDetail(event.output)}`) }),
          },
        ],
        onError: [
          {
            guard: 'mayRetryUnderLock',
            target: 'restingUnderLock',
            actions: [{ type: 'restBeforeLockRetry', params: ({ event }) => ({ why: `call could not be made: ${errorText(event.error)}` }) }, { type: 'record', params: ({ context }) => ({ outcome: context.lockRestWhy! }) }],
          },
          { target: 'failed', actions: assign({ end: ({ event }) => end('failed', `call could not be made: ${errorText(event.error)}`) }) },
        ],
      },
      on: ledgerEnds,
    },
    awaitingConfirmation: {
      tags: 'working',
      after: { untilWake: 'verifying' },
      on: ledgerEnds,
    },
    verifying: {
      tags: 'working',
      entry: assign({ silentChecks: ({ context }) => context.silentChecks + 1 }),
      invoke: {
        id: 'check',
        src: 'check',
        input: { priority: 'reconcile' },
        onDone: [
          {
            guard: ({ event }) => event.output.state === 'done',
            target: 'reconciled',
            actions: assign({ end: ({ context, event }) => end('reconciled', `${silence(context)}; REST check: ${event.output.detail}`) }),
          },
          {
            // A market order of the action still working: wait once more for its event, then give up.
            guard: ({ context, event }) => event.output.state === 'pending' && context.silentChecks === 1,
            target: 'awaitingConfirmation',
            actions: [
              assign({ at: ({ event }) => event.output.at, wakeAt: ({ context, event }) => event.output.at + context.confirmTimeoutMs }),
              { type: 'record', params: ({ context, event }) => ({ outcome: `${silence(context)}; REST check: ${event.output.detail}; waiting once more` }) },
            ],
          },
          {
            guard: 'mayRetryUnderLock',
            target: 'restingUnderLock',
            actions: [{ type: 'restBeforeLockRetry', params: ({ context, event }) => ({ why: `${silence(context)}; REST check: ${event.output.detail}` }) }, { type: 'record', params: ({ context }) => ({ outcome: context.lockRestWhy! }) }],
          },
          {
            target: 'failed',
            actions: assign({ end: ({ context, event }) => end('failed', `${silence(context)}; REST check: ${event.output.detail}; handed back for re-evaluation`) }),
          },
        ],
        onError: [
          {
            guard: 'mayRetryUnderLock',
            target: 'restingUnderLock',
            actions: [{ type: 'restBeforeLockRetry', params: ({ context, event }) => ({ why: `${silence(context)}; REST check failed (${errorText(event.error)})` }) }, { type: 'record', params: ({ context }) => ({ outcome: context.lockRestWhy! }) }],
          },
          {
            target: 'failed',
            actions: assign({ end: ({ context, event }) => end('failed', `${silence(context)}; REST check failed (${errorText(event.error)}); handed back for re-evaluation`) }),
          },
        ],
      },
      on: ledgerEnds,
    },
    reconciling: {
      tags: 'working',
      invoke: {
        id: 'check',
        src: 'check',
        input: { priority: 'enforce' },
        onDone: [
          {
            guard: ({ event }) => event.output.state === 'done',
            target: 'reconciled',
            actions: assign({ end: ({ context, event }) => end('reconciled', `${attemptWhy(context)}; REST check: ${event.output.detail}`) }),
          },
          {
            guard: ({ event }) => event.output.state === 'pending',
            target: 'awaitingConfirmation',
            actions: [
              assign({ at: ({ event }) => event.output.at, wakeAt: ({ context, event }) => event.output.at + context.confirmTimeoutMs }),
              { type: 'record', params: ({ context, event }) => ({ outcome: `${attemptWhy(context)}; REST check: ${event.output.detail}; awaiting it` }) },
            ],
          },
          {
            // Partial progress, or out of attempts, under a lock: rest and check again.
            guard: and(['mayRetryUnderLock', ({ context, event }) => event.output.state === 'changed' || context.attempts >= context.maxAttempts]),
            target: 'restingUnderLock',
            actions: [
              { type: 'restBeforeLockRetry', params: ({ context, event }) => ({ why: `${attemptWhy(context)}; REST check: ${event.output.detail}` }) },
              { type: 'record', params: ({ context }) => ({ outcome: context.lockRestWhy! }) },
            ],
          },
          {
            // Partial progress, or out of attempts: never re-sent.
            guard: ({ context, event }) => event.output.state === 'changed' || context.attempts >= context.maxAttempts,
            target: 'failed',
            actions: assign({
              end: ({ context, event }) =>
                end('failed', `${attemptWhy(context)}; REST check: ${event.output.detail}; ${event.output.state === 'changed' ? 'not re-sent' : `gave up after ${context.attempts} attempts`}`),
            }),
          },
          {
            // The check proved nothing happened: re-send after a backoff that honours Retry-After.
            target: 'waitingToResend',
            actions: [
              assign({
                at: ({ event }) => event.output.at,
                wakeAt: ({ context, event }) => event.output.at + Math.max(context.retryBackoffMs * context.attempts, context.unknown?.retryAfterMs ?? 0),
              }),
              { type: 'record', params: ({ context, event }) => ({ outcome: `${attemptWhy(context)}; REST check: ${event.output.detail}; re-sending` }) },
              'logResend',
            ],
          },
        ],
        onError: [
          {
            guard: 'mayRetryUnderLock',
            target: 'restingUnderLock',
            actions: [{ type: 'restBeforeLockRetry', params: ({ context, event }) => ({ why: `${attemptWhy(context)}; REST check failed too (${errorText(event.error)})` }) }, { type: 'record', params: ({ context }) => ({ outcome: context.lockRestWhy! }) }],
          },
          {
            target: 'failed',
            actions: assign({ end: ({ context, event }) => end('failed', `${attemptWhy(context)}; REST check failed too (${errorText(event.error)}); not re-sent`) }),
          },
        ],
      },
      on: ledgerEnds,
    },
    restingUnderLock: {
      tags: 'working',
      after: { untilWake: 'recheckingUnderLock' },
      on: ledgerEnds,
    },
    recheckingUnderLock: {
      tags: 'working',
      invoke: {
        id: 'check',
        src: 'check',
        input: { priority: 'reconcile' },
        onDone: [
          {
            guard: ({ event }) => event.output.state === 'done',
            target: 'reconciled',
            actions: assign({ end: ({ context, event }) => end('reconciled', `${context.lockRestWhy}; REST check: ${event.output.detail}`) }),
          },
          {
            guard: ({ event }) => event.output.state === 'pending',
            target: 'awaitingConfirmation',
            actions: [
              assign({ at: ({ event }) => event.output.at, wakeAt: ({ context, event }) => event.output.at + context.confirmTimeoutMs }),
              { type: 'record', params: ({ event }) => ({ outcome: `under a lock, REST check: ${event.output.detail}; awaiting it` }) },
            ],
          },
          {
            // The check proved the position still open and the account still locked: close it again.
            guard: ({ event }) => event.output.underLock === true,
            target: 'sending',
            actions: [{ type: 'record', params: ({ event }) => ({ outcome: `still open under a lock (REST check: ${event.output.detail}): closing again` }) }, 'logResend'],
          },
          {
            target: 'failed',
            actions: assign({ end: ({ event }) => end('failed', `REST check: ${event.output.detail}; the account is no longer locked: handed back for re-evaluation`) }),
          },
        ],
        // A failed check hands the close back (never re-sent without a check showing it still needed).
        onError: {
          target: 'failed',
          actions: assign({ end: ({ context, event }) => end('failed', `${context.lockRestWhy}; REST check failed (${errorText(event.error)}); handed back for re-evaluation`) }),
        },
      },
      on: ledgerEnds,
    },
    waitingToResend: {
      tags: 'working',
      after: { untilWake: 'sending' },
      on: ledgerEnds,
    },
    confirmed: { type: 'final' },
    reconciled: { type: 'final' },
    failed: { type: 'final' },
    skipped: { type: 'final' },
  },
});

export type ActionMachine = typeof actionMachine;
