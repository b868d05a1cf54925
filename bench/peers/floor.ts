// The floor: the least work any enforcer can do. A raw WebSocket (`ws`) speaking the SignalR JSON protocol to the
// user hub, and the close request built before any breach, written on a TCP socket opened (keep-alive, Nagle off)
// before any breach. Per breach: split the frame into records, JSON.parse the position, one socket.write.
// Run: node bin/run-ts.js bench/peers/floor.ts '<PeerConfig JSON>' (bench/latency-process.ts starts it).
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { PeerConfig } from './config.ts';

const RS = '\x1e';
const c = JSON.parse(process.argv[2] ?? '') as PeerConfig;
const login = await fetch(`${c.apiUrl}/api/Auth/loginKey`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ userName: c.userName, apiKey: c.apiKey }),
});
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
const oneOver = closeRequest(1); // the benchmark's breach: one contract over the limit

let rest: Socket;
function openRest(): void {
  rest = connect({ host: api.hostname, port: Number(api.port), noDelay: true, keepAlive: true });
  rest.on('data', () => undefined); // answers are not read: the close is fire-and-forget
  rest.on('error', () => undefined);
  rest.on('close', openRest); // the server closed an idle keep-alive socket: have a new one ready
}
openRest();

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
    rest.write(p.size - c.limit === 1 ? oneOver : closeRequest(p.size - c.limit));
  }
});
