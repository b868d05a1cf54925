// Decomposition peer: the naive enforcer's @microsoft/signalr client with the floor's request (built before any
// breach, one write on a pre-opened keep-alive socket, Nagle off: rawRequest.ts). Against the floor it shows what
// the SignalR client costs; against the naive peer, what fetch costs. Run through bench/latency-process.ts
// (BENCH_ENFORCERS=...,sig+raw).
import type { PeerConfig } from './config.ts';
import { hubClient } from './hubClient.ts';
import { login, rawCloser } from './rawRequest.ts';

const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const token = await login(c);
const close = rawCloser(c, token);
const hub = hubClient(c.userHubUrl, token);
hub.on('GatewayUserPosition', ({ data }: { data: { contractId: string; size: number } }) => {
  if (data.contractId === c.contractId && data.size > c.limit) close(data.size - c.limit);
});
await hub.start();
await hub.invoke('SubscribePositions', c.accountId);
console.log('ready');
