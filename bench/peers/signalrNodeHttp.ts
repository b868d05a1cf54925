// Decomposition peer: the naive enforcer's @microsoft/signalr client with node:http on a kept-alive Agent (Nagle
// off) instead of fetch: what a general-purpose HTTP client costs on the breach path, against signalrRawWrite.ts.
// Run through bench/latency-process.ts (BENCH_ENFORCERS=...,sig+http).
import http from 'node:http';
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { PeerConfig } from './config.ts';

const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const login = await fetch(`${c.apiUrl}/api/Auth/loginKey`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: c.userName, apiKey: c.apiKey }) });
const { token } = (await login.json()) as { token: string };
const api = new URL(c.apiUrl);
const agent = new http.Agent({ keepAlive: true, noDelay: true, timeout: 4_000 });

function post(path: string, body: unknown): void {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(text) };
  const r = http.request({ host: api.hostname, port: api.port, path, method: 'POST', agent, headers }, (res) => res.resume());
  r.on('error', () => undefined);
  r.end(text);
}

const hub = new HubConnectionBuilder()
  .withUrl(c.userHubUrl, { skipNegotiation: true, transport: HttpTransportType.WebSockets, accessTokenFactory: () => token })
  .configureLogging(LogLevel.None)
  .build();
hub.on('GatewayUserPosition', ({ data }: { data: { accountId: number; contractId: string; size: number } }) => {
  if (data.contractId === c.contractId && data.size > c.limit) post('/api/Position/partialCloseContract', { accountId: data.accountId, contractId: data.contractId, size: data.size - c.limit });
});
await hub.start();
await hub.invoke('SubscribePositions', c.accountId);
post('/api/Position/searchOpen', { accountId: c.accountId }); // opens the kept-alive socket before any breach
console.log('ready');
