// Decomposition peer: the sig+raw peer subscribed to everything riskd subscribes to (the user hub's accounts,
// orders, positions and trades, and the contract's quotes on the market hub), acting on the position frame alone.
// A fill then costs the simulator the same frames it writes to riskd, and this peer the same socket reads:
// against sig+raw it shows what riskd's subscriptions cost before riskd does any work. Run through
// bench/latency-process.ts (BENCH_ENFORCERS=...,sig+all).
import type { PeerConfig } from './config.ts';
import { hubClient } from './hubClient.ts';
import { login, rawCloser } from './rawRequest.ts';

const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const token = await login(c);
const close = rawCloser(c, token);
const user = hubClient(c.userHubUrl, token);
const market = hubClient(c.marketHubUrl, token);
user.on('GatewayUserPosition', ({ data }: { data: { contractId: string; size: number } }) => {
  if (data.contractId === c.contractId && data.size > c.limit) close(data.size - c.limit);
});
// The other frames are read and parsed (SignalR does that) and dropped.
for (const target of ['GatewayUserAccount', 'GatewayUserOrder', 'GatewayUserTrade']) user.on(target, () => undefined);
market.on('GatewayQuote', () => undefined);
await Promise.all([user.start(), market.start()]);
await user.invoke('SubscribeAccounts');
await Promise.all(['SubscribeOrders', 'SubscribePositions', 'SubscribeTrades'].map((m) => user.invoke(m, c.accountId)));
await market.invoke('SubscribeContractQuotes', c.contractId);
console.log('ready');
