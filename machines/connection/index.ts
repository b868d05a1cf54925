export { connectionMachine, type ConnectionContext, type ConnectionEvent, type ConnectionInput, type ConnectionMachine, type ConnectionStateValue, type HubName, type TokenGrant } from './connection.machine.ts';
export { backoffDelayMs, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from './backoff.ts';
