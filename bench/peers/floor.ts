// The floor: the least work any enforcer can do. A raw WebSocket (`ws`) speaking the SignalR JSON protocol to the
// user hub, and the close request built before any breach, written on a TCP socket opened (keep-alive, Nagle off)
// before any breach (rawRequest.ts). Per breach: split the frame into records, JSON.parse the position, one write.
// Run: node bin/run-ts.js bench/peers/floor.ts '<PeerConfig JSON>' (bench/latency-process.ts starts it).
import WebSocket from 'ws';
import type { PeerConfig } from './config.ts';
import { login, rawCloser } from './rawRequest.ts';

const RS = '\x1e';
const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const token = await login(c);
const close = rawCloser(c, token);

const hubUrl = new URL(c.userHubUrl);
hubUrl.searchParams.set('access_token', token);
const ws = new WebSocket(hubUrl);
ws.on('open', () => {
  ws.send(`{"protocol":"json","version":1}${RS}`);
  ws.send(`{"type":1,"target":"SubscribePositions","arguments":[${c.accountId}]}${RS}`);
  setInterval(() => ws.send(`{"type":6}${RS}`), 10_000); // keep-alive: the hub drops a client silent for 30 s
});
ws.on('message', (data) => {
  for (const record of String(data).split(RS)) {
    if (record === '{}') console.log('ready'); // the handshake answer; the subscription was sent right behind it
    if (!record.startsWith('{"type":1,"target":"GatewayUserPosition"')) continue;
    const { data: p } = (JSON.parse(record) as { arguments: [{ data: { contractId: string; size: number } }] }).arguments[0];
    if (p.contractId !== c.contractId || p.size <= c.limit) continue;
    close(p.size - c.limit);
  }
});
