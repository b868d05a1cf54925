// Public surface of the account statechart.
export { accountMachine, accountSetup, ACCOUNT_MACHINE_ID, ACCOUNT_MACHINE_VERSION, lockChildId, positionChildId } from './account.machine.ts';
export type { AccountContext, AccountMachine, PositionRef } from './account.machine.ts';
export { accountWithClock, lockWithClock, positionWithClock, systemClock, wakeDelay, type Clock } from './clock.ts';
export { lockStatus, type LockStatus } from './locks.ts';
export { forbidding } from './killSwitch.ts';
export { nextDeadline } from './reducers.ts';
export { fillWatchOf, ownStopOf } from './ownOrders.ts';
export type * from './types.ts';
