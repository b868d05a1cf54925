// Decomposition peer: the naive enforcer's @microsoft/signalr client with node:http on a kept-alive Agent (Nagle
// off) instead of fetch: what a general-purpose HTTP client costs on the breach path, against signalrRawWrite.ts.
// Run through bench/latency-process.ts (BENCH_ENFORCERS=...,sig+http).
import http from 'node:http';
import type { PeerConfig } from './config.ts';
import { hubClient } from './hubClient.ts';
import { login } from './rawRequest.ts';

const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const token = await login(c);
const api = new URL(c.apiUrl);
const agent = new http.Agent({ keepAlive: true, noDelay: true, timeout: 4_000 });

function post(path: string, body: unknown): void {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(text) };
  const r = http.request({ host: api.hostname, port: api.port, path, method: 'POST', agent, headers }, (res) => res.resume());
  r.on('error', () => undefined);
  r.end(text);
}

const hub = hubClient(c.userHubUrl, token);
hub.on('GatewayUserPosition', ({ data }: { data: { accountId: number; contractId: string; size: number } }) => {
  if (data.contractId === c.contractId && data.size > c.limit) post('/api/Position/partialCloseContract', { accountId: data.accountId, contractId: data.contractId, size: data.size - c.limit });
});
await hub.start();
await hub.invoke('SubscribePositions', c.accountId);
post('/api/Position/searchOpen', { accountId: c.accountId }); // opens the kept-alive socket before any breach
console.log('ready');
