// What the floor peer and the sig+... peers share: the login, and the close request built as bytes before any
// breach and written on a TCP socket opened (keep-alive, Nagle off) before any breach.
import { connect, type Socket } from 'node:net';
import type { PeerConfig } from './config.ts';

export async function login(c: PeerConfig): Promise<string> {
  const res = await fetch(`${c.apiUrl}/api/Auth/loginKey`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: c.userName, apiKey: c.apiKey }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** Writes the partial close of `excess` contracts; the one-over request (the benchmark's breach) is pre-built. */
export function rawCloser(c: PeerConfig, token: string): (excess: number) => void {
  const api = new URL(c.apiUrl);
  const closeRequest = (excess: number): Buffer => {
    const body = JSON.stringify({ accountId: c.accountId, contractId: c.contractId, size: excess });
    return Buffer.from(
      `POST /api/Position/partialCloseContract HTTP/1.1\r\nHost: ${api.host}\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
    );
  };
  const oneOver = closeRequest(1);
  let rest: Socket;
  const open = (): void => {
    rest = connect({ host: api.hostname, port: Number(api.port), noDelay: true, keepAlive: true });
    rest.on('data', () => undefined); // answers are not read: the close is fire-and-forget
    rest.on('error', () => undefined);
    rest.on('close', open); // the server closed an idle keep-alive socket: have a new one ready
  };
  open();
  return (excess) => void rest.write(excess === 1 ? oneOver : closeRequest(excess));
}
