// Decomposition peer: the naive enforcer's @microsoft/signalr client with the floor's request (built before any
// breach, one write on a pre-opened keep-alive socket, Nagle off). Against the floor it shows what the SignalR
// client costs; against the naive peer, what fetch costs. Run through bench/latency-process.ts
// (BENCH_ENFORCERS=...,sig+raw).
import { connect, type Socket } from 'node:net';
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { PeerConfig } from './config.ts';

const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const login = await fetch(`${c.apiUrl}/api/Auth/loginKey`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: c.userName, apiKey: c.apiKey }) });
const { token } = (await login.json()) as { token: string };
const api = new URL(c.apiUrl);

/** The whole HTTP/1.1 request for cutting `excess` contracts, as bytes. */
function closeRequest(excess: number): Buffer {
  const body = JSON.stringify({ accountId: c.accountId, contractId: c.contractId, size: excess });
  return Buffer.from(
    `POST /api/Position/partialCloseContract HTTP/1.1\r\nHost: ${api.host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
  );
}
const oneOver = closeRequest(1);

let rest: Socket;
function openRest(): void {
  rest = connect({ host: api.hostname, port: Number(api.port), noDelay: true, keepAlive: true });
  rest.on('data', () => undefined);
  rest.on('error', () => undefined);
  rest.on('close', openRest);
}
openRest();

const hub = new HubConnectionBuilder()
  .withUrl(c.userHubUrl, { skipNegotiation: true, transport: HttpTransportType.WebSockets, accessTokenFactory: () => token })
  .configureLogging(LogLevel.None)
  .build();
hub.on('GatewayUserPosition', ({ data }: { data: { contractId: string; size: number } }) => {
  if (data.contractId === c.contractId && data.size > c.limit) rest.write(data.size - c.limit === 1 ? oneOver : closeRequest(data.size - c.limit));
});
await hub.start();
await hub.invoke('SubscribePositions', c.accountId);
console.log('ready');
