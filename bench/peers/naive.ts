// The naive enforcer, as anyone would write it first: a @microsoft/signalr client on the user hub (set up the way
// the ProjectX docs show) and one fetch per breach. RULE-001 only: a position over the limit is cut back to it.
// Run: node bin/run-ts.js bench/peers/naive.ts '<PeerConfig JSON>' (bench/latency-process.ts starts it).
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { PeerConfig } from './config.ts';

const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const post = (path: string, body: unknown, token?: string) =>
  fetch(c.apiUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
const { token } = (await (await post('/api/Auth/loginKey', { userName: c.userName, apiKey: c.apiKey })).json()) as { token: string };
const hub = new HubConnectionBuilder()
  .withUrl(c.userHubUrl, { skipNegotiation: true, transport: HttpTransportType.WebSockets, accessTokenFactory: () => token })
  .configureLogging(LogLevel.None)
  .build();
hub.on('GatewayUserPosition', ({ data }: { data: { accountId: number; contractId: string; size: number } }) => {
  if (data.size > c.limit) void post('/api/Position/partialCloseContract', { accountId: data.accountId, contractId: data.contractId, size: data.size - c.limit }, token);
});
await hub.start();
await hub.invoke('SubscribePositions', c.accountId);
console.log('ready');
