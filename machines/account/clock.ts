// Binds the pure account machine to a clock. The machines never read time themselves: their named delays
// and `wake` actions are provided here from a Clock the runtime owns (tests pass a fake one).
// A delay is "time until the next deadline in context", capped at MAX_WAKE_MS so setTimeout never
// overflows and a wall-clock jump is noticed within the hour; on wake the machine gets `clock.tick { now }`
// and compares deadlines against that time.
import { MAX_WAKE_MS, positionMachine } from '../position/position.machine.ts';
import { lockMachine, nextLockDeadline } from '../lock/lock.machine.ts';
import { accountMachine } from './account.machine.ts';

export interface Clock {
  now(): number;
}

/** If a deadline is already due but was not consumed, retry after this instead of spinning at 0 ms. */
const STALE_RETRY_MS = 1000;

export function wakeDelay(deadline: number | null, now: number, lastSeen: number): number {
  if (deadline === null) return MAX_WAKE_MS;
  const d = deadline - now;
  if (d <= 0) return deadline <= lastSeen ? STALE_RETRY_MS : 0;
  return Math.min(d, MAX_WAKE_MS);
}

export function positionWithClock(clock: Clock) {
  return positionMachine.provide({
    delays: { graceWake: ({ context }) => wakeDelay(context.graceUntil, clock.now(), context.now) },
    actions: { wake: ({ self }) => self.send({ type: 'clock.tick', now: clock.now() }) },
  });
}

export function lockWithClock(clock: Clock) {
  return lockMachine.provide({
    delays: { lockWake: ({ context }) => wakeDelay(nextLockDeadline(context), clock.now(), context.now) },
    actions: { wake: ({ self }) => self.send({ type: 'clock.tick', now: clock.now() }) },
  });
}

/** The account machine as the runtime runs it: timers computed from context deadlines and `clock`. */
export function accountWithClock(clock: Clock) {
  return accountMachine.provide({
    actors: { position: positionWithClock(clock), lock: lockWithClock(clock) },
    delays: {
      untilReset: ({ context }) => wakeDelay(context.tradingDay.nextResetAt, clock.now(), context.now),
      untilSessionBoundary: ({ context }) => wakeDelay(context.session.nextBoundary, clock.now(), context.now),
    },
    actions: { wake: ({ self }) => self.send({ type: 'clock.tick', now: clock.now() }) },
  });
}

export const systemClock: Clock = { now: () => Date.now() };
