// Test helpers: a plain-fetch REST caller and real @microsoft/signalr hub connections to the simulator.
import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import type { Simulator } from '../../src/sim/index.ts';

export interface Reply<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function post<T = Record<string, any>>(sim: Simulator, path: string, body: unknown, token?: string | null): Promise<Reply<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(sim.url + path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: (text ? JSON.parse(text) : null) as T };
}

export async function login(sim: Simulator): Promise<string> {
  const r = await post(sim, '/api/Auth/loginKey', sim.credentials);
  if (!r.body.success) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

export interface HubOpts {
  negotiate?: boolean;
  reconnect?: boolean;
}

export function hub(url: string, token: () => string, o: HubOpts = {}): HubConnection {
  const b = new HubConnectionBuilder()
    .withUrl(
      url,
      o.negotiate
        ? { accessTokenFactory: token }
        : { skipNegotiation: true, transport: HttpTransportType.WebSockets, accessTokenFactory: token },
    )
    .configureLogging(LogLevel.None);
  if (o.reconnect) b.withAutomaticReconnect([0, 50, 100, 200]);
  return b.build();
}

/** Collects every argument list a hub event delivered, and lets a test await the n-th one. */
export class Recorder {
  readonly events: { target: string; args: any[] }[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];

  listen(conn: HubConnection, ...targets: string[]): this {
    for (const t of targets) {
      conn.on(t, (...args: any[]) => {
        this.events.push({ target: t, args });
        this.waiters = this.waiters.filter((w) => {
          if (w.pred()) {
            w.resolve();
            return false;
          }
          return true;
        });
      });
    }
    return this;
  }

  of(target: string): any[][] {
    return this.events.filter((e) => e.target === target).map((e) => e.args);
  }

  until(pred: () => boolean, timeoutMs = 3000, what = 'hub events'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.target))}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }
}

export const MNQ = 'CON.F.US.MNQ.Z26';
export const PRAC = 13572468;
export const LIVE = 13572501;
