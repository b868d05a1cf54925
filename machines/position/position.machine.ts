// RULE-008 stop-loss grace for one open position: awaitingStop -> protected | violated -> closed.
// The grace deadline is absolute (graceUntil, epoch ms) in context. A timer only wakes the machine: the
// provided `wake` action sends `clock.tick { now }` and the guard compares that time with graceUntil.
// A lost stop (protection false) restarts the grace; scaling in does not. Pure: no clock, no I/O.
import { assign, sendParent, setup } from 'xstate';
import type { PositionSide } from '../account/types.ts';

/** Timers never wait longer than this (setTimeout overflows past 24.8 days); the machine re-checks on wake. */
export const MAX_WAKE_MS = 60 * 60 * 1000;

export interface PositionInput {
  contractId: string;
  symbol: string;
  size: number;
  side: PositionSide;
  openedAt: number;
  graceMs: number;
}

export interface PositionContext extends PositionInput {
  graceUntil: number;
  /** Latest time seen in an event. */
  now: number;
}

export type PositionEvent =
  | { type: 'position.protection'; contractId: string; protected: boolean; now: number }
  | { type: 'position.changed'; contractId: string; size: number; side: PositionSide; now: number }
  | { type: 'position.closed'; contractId: string; now: number }
  | { type: 'clock.tick'; now: number }
  | { type: 'system.resumed'; now: number };

/** Sent to the account (parent). */
export type PositionToParent =
  | { type: 'position.violated'; contractId: string; graceUntil: number; now: number }
  | { type: 'position.finished'; contractId: string };

export const positionMachine = setup({
  types: {
    context: {} as PositionContext,
    events: {} as PositionEvent,
    input: {} as PositionInput,
  },
  guards: {
    graceExpired: ({ context, event }) => 'now' in event && event.now >= context.graceUntil,
    protectionGained: ({ event }) => event.type === 'position.protection' && event.protected,
    protectionLost: ({ event }) => event.type === 'position.protection' && !event.protected,
  },
  delays: {
    // Default without a clock: wake hourly. The runtime provides the real one (see machines/account/clock.ts).
    graceWake: () => MAX_WAKE_MS,
  },
  actions: {
    /** Provided by the runtime: send self `clock.tick { now }`. Default: nothing (pure model). */
    wake: () => {},
    seenNow: assign({ now: ({ context, event }) => ('now' in event ? Math.max(context.now, event.now) : context.now) }),
    trackSize: assign({
      size: ({ context, event }) => (event.type === 'position.changed' ? event.size : context.size),
      side: ({ context, event }) => (event.type === 'position.changed' ? event.side : context.side),
    }),
    restartGrace: assign({
      graceUntil: ({ context, event }) => ('now' in event ? event.now : context.now) + context.graceMs,
    }),
    reportViolation: sendParent(({ context }): PositionToParent => ({
      type: 'position.violated',
      contractId: context.contractId,
      graceUntil: context.graceUntil,
      now: context.now,
    })),
    reportFinished: sendParent(({ context }): PositionToParent => ({ type: 'position.finished', contractId: context.contractId })),
  },
}).createMachine({
  id: 'position',
  context: ({ input }) => ({ ...input, graceUntil: input.openedAt + input.graceMs, now: input.openedAt }),
  initial: 'awaitingStop',
  on: {
    'position.closed': { target: '.closed', actions: 'seenNow' },
    'position.changed': { actions: ['seenNow', 'trackSize'] },
  },
  states: {
    awaitingStop: {
      after: { graceWake: { target: 'awaitingStop', reenter: true, actions: 'wake' } },
      on: {
        'position.protection': [
          { guard: 'protectionGained', target: 'protected', actions: 'seenNow' },
          { actions: 'seenNow' },
        ],
        'clock.tick': [
          { guard: 'graceExpired', target: 'violated', actions: 'seenNow' },
          { actions: 'seenNow' },
        ],
        // After a restore: re-check now, else re-arm the wake timer (XState does not restore timers).
        'system.resumed': [
          { guard: 'graceExpired', target: 'violated', actions: 'seenNow' },
          { target: 'awaitingStop', reenter: true, actions: 'seenNow' },
        ],
      },
    },
    protected: {
      on: {
        'position.protection': [
          { guard: 'protectionLost', target: 'awaitingStop', actions: ['seenNow', 'restartGrace'] },
          { actions: 'seenNow' },
        ],
      },
    },
    violated: {
      entry: 'reportViolation',
    },
    closed: {
      type: 'final',
      entry: 'reportFinished',
    },
  },
});

export type PositionMachine = typeof positionMachine;
