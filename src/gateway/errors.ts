// Gateway error classes and the per-endpoint errorCode tables. The same integer means different things on
// different endpoints (2 = OrderRejected on place, OrderNotFound on cancel, PositionNotFound on close), so a
// code is only ever named through its endpoint's table.

export const ENDPOINT_ERROR_CODES: Readonly<Record<string, readonly string[]>> = {
  '/api/Auth/loginKey': ['Success', 'UserNotFound', 'PasswordVerificationFailed', 'InvalidCredentials', 'AppNotFound', 'AppVerificationFailed', 'InvalidDevice', 'AgreementsNotSigned', 'UnknownError', 'ApiSubscriptionNotFound', 'ApiKeyAuthenticationDisabled'],
  '/api/Auth/loginApp': ['Success', 'UserNotFound', 'PasswordVerificationFailed', 'InvalidCredentials', 'AppNotFound', 'AppVerificationFailed', 'InvalidDevice', 'AgreementsNotSigned', 'UnknownError', 'ApiSubscriptionNotFound', 'ApiKeyAuthenticationDisabled'],
  '/api/Auth/validate': ['Success', 'InvalidSession', 'SessionNotFound', 'ExpiredToken', 'UnknownError'],
  '/api/Auth/logout': ['Success', 'InvalidSession', 'UnknownError'],
  '/api/Account/search': ['Success'],
  '/api/Contract/search': ['Success'],
  '/api/Contract/available': ['Success'],
  '/api/Contract/searchById': ['Success', 'ContractNotFound'],
  '/api/History/retrieveBars': ['Success', 'ContractNotFound', 'UnitInvalid', 'UnitNumberInvalid', 'LimitInvalid'],
  '/api/Order/place': ['Success', 'AccountNotFound', 'OrderRejected', 'InsufficientFunds', 'AccountViolation', 'OutsideTradingHours', 'OrderPending', 'UnknownError', 'ContractNotFound', 'ContractNotActive', 'AccountRejected'],
  '/api/Order/modify': ['Success', 'AccountNotFound', 'OrderNotFound', 'Rejected', 'Pending', 'UnknownError', 'AccountRejected', 'ContractNotFound'],
  '/api/Order/cancel': ['Success', 'AccountNotFound', 'OrderNotFound', 'Rejected', 'Pending', 'UnknownError', 'AccountRejected'],
  '/api/Order/search': ['Success', 'AccountNotFound'],
  '/api/Order/searchOpen': ['Success', 'AccountNotFound'],
  '/api/Order/searchById': ['Success', 'OrderNotFound'],
  '/api/Order/v2/query': ['Success', 'AccountNotFound'],
  '/api/Position/searchOpen': ['Success', 'AccountNotFound'],
  '/api/Position/closeContract': ['Success', 'AccountNotFound', 'PositionNotFound', 'ContractNotFound', 'ContractNotActive', 'OrderRejected', 'OrderPending', 'UnknownError', 'AccountRejected'],
  '/api/Position/partialCloseContract': ['Success', 'AccountNotFound', 'PositionNotFound', 'ContractNotFound', 'ContractNotActive', 'InvalidCloseSize', 'OrderRejected', 'OrderPending', 'UnknownError', 'AccountRejected'],
  '/api/Trade/search': ['Success', 'AccountNotFound'],
};

/** `Unknown(7)` when the endpoint's table has no name for the code. */
export function errorCodeName(endpoint: string, code: number): string {
  return ENDPOINT_ERROR_CODES[endpoint]?.[code] ?? `Unknown(${code})`;
}

/** What a trader should read when a key login fails. */
const LOGIN_HINTS: Readonly<Record<string, string>> = {
  UserNotFound: 'user name not found (use the platform login user name, not the e-mail or account name)',
  PasswordVerificationFailed: 'API key rejected',
  InvalidCredentials: 'invalid credentials: check the user name and API key',
  AgreementsNotSigned: 'agreements not signed: log into the platform and accept the required agreements',
  ApiSubscriptionNotFound: 'API subscription not found: subscribe to the ProjectX API add-on and link it to this profile',
  ApiKeyAuthenticationDisabled: 'API key authentication is disabled for this user',
  UnknownError: 'the gateway reported an unknown login error',
};

export function loginErrorMessage(code: number, gatewayMessage: string | null): string {
  const name = errorCodeName('/api/Auth/loginKey', code);
  const hint = LOGIN_HINTS[name] ?? `login failed`;
  return `ProjectX login failed (${name}): ${hint}${gatewayMessage ? ` — gateway says: ${gatewayMessage}` : ''}`;
}

/** Login errors that no retry can fix: the daemon must stop and tell the user. */
export const FATAL_LOGIN_CODES: ReadonlySet<string> = new Set([
  'UserNotFound', 'PasswordVerificationFailed', 'InvalidCredentials', 'AppNotFound', 'AppVerificationFailed',
  'InvalidDevice', 'AgreementsNotSigned', 'ApiSubscriptionNotFound', 'ApiKeyAuthenticationDisabled',
]);

/** Base of every gateway call failure. `ambiguous` = the request may have executed; reconcile before acting. */
export class GatewayCallError extends Error {
  constructor(
    message: string,
    public readonly endpoint: string,
    public readonly ambiguous: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatewayCallError';
  }
}

/** The gateway answered with success:false (business failure). Nothing was executed. */
export class GatewayError extends GatewayCallError {
  public readonly codeName: string;
  constructor(
    endpoint: string,
    public readonly errorCode: number,
    public readonly gatewayMessage: string | null,
    public readonly httpStatus?: number,
    /** Order/place returns a real orderId (the rejected order record) even on failure. */
    public readonly orderId?: number,
  ) {
    const codeName = errorCodeName(endpoint, errorCode);
    super(`${endpoint} failed: ${codeName} (errorCode ${errorCode})${gatewayMessage ? `: ${gatewayMessage}` : ''}${orderId !== undefined ? ` [orderId ${orderId}]` : ''}`, endpoint, false);
    this.name = 'GatewayError';
    this.codeName = codeName;
  }
}

/** No answer within the timeout. For a mutation the outcome is UNKNOWN: the caller must reconcile. */
export class GatewayTimeoutError extends GatewayCallError {
  constructor(endpoint: string, public readonly timeoutMs: number, ambiguous: boolean) {
    super(`${endpoint} timed out after ${timeoutMs} ms${ambiguous ? ' (outcome unknown: reconcile before retrying)' : ''}`, endpoint, ambiguous);
    this.name = 'GatewayTimeoutError';
  }
}

/** HTTP 429. The request was refused, so it did not execute. */
export class RateLimitedError extends GatewayCallError {
  constructor(endpoint: string, public readonly retryAfterMs: number | undefined) {
    super(`${endpoint} rate limited (HTTP 429)${retryAfterMs !== undefined ? `, retry after ${retryAfterMs} ms` : ''}`, endpoint, false);
    this.name = 'RateLimitedError';
  }
}

/** Login failed or the token was refused even after one fresh login. */
export class AuthError extends GatewayCallError {
  constructor(
    endpoint: string,
    message: string,
    /** True when retrying cannot help (bad key, missing subscription, agreements): stop and tell the user. */
    public readonly fatal: boolean,
    public readonly errorCode?: number,
    public readonly codeName?: string,
  ) {
    super(message, endpoint, false);
    this.name = 'AuthError';
  }
}

/** Unexpected HTTP status (5xx, 404, ...) or a transport failure; `ambiguous` for a mutation that may have run. */
export class GatewayHttpError extends GatewayCallError {
  constructor(endpoint: string, public readonly httpStatus: number | undefined, detail: string, ambiguous: boolean, options?: { cause?: unknown }) {
    super(`${endpoint} failed: ${httpStatus !== undefined ? `HTTP ${httpStatus}` : 'network error'}${detail ? ` (${detail})` : ''}${ambiguous ? ' (outcome unknown: reconcile before retrying)' : ''}`, endpoint, ambiguous, options);
    this.name = 'GatewayHttpError';
  }
}

/** A 200 response whose body could not be parsed. For a mutation the outcome is unknown. */
export class GatewayProtocolError extends GatewayCallError {
  constructor(endpoint: string, public readonly reason: string, ambiguous: boolean) {
    super(`${endpoint} returned an unreadable response: ${reason}`, endpoint, ambiguous);
    this.name = 'GatewayProtocolError';
  }
}
