// The slice of the shared Logger (src/log/logger.ts) that gateway code needs. Structural, so the real Logger
// fits, and tests can pass `silentLog`.
export interface GatewayLog {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

const noop = (): void => {};
export const silentLog: GatewayLog = { debug: noop, info: noop, warn: noop, error: noop };
