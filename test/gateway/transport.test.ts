// The REST transport reuses one warm socket with Nagle off: an enforcement request is one write on a connection
// that is already open (bench/RESULTS.md, "Close to the floor").
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { keptAliveAgents, nodeHttpTransport } from '../../src/gateway/transport.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** Node keeps the TCP_NODELAY request in a private symbol until the socket connects. */
function noDelayOf(socket: Socket): unknown {
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kSetNoDelay');
  return sym ? (socket as unknown as Record<symbol, unknown>)[sym] : undefined;
}

describe('nodeHttpTransport', () => {
  it('sends every request over the same kept-alive socket, with Nagle off, and reads status, Retry-After and body', async () => {
    const peers: string[] = [];
    server = createServer((req, res) => {
      peers.push(`${req.socket.remotePort}`);
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' }).end(JSON.stringify({ echo: body, auth: req.headers.authorization })));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const agents = keptAliveAgents();
    const send = nodeHttpTransport(agents);
    const req = { url: new URL(`http://127.0.0.1:${port}/api/Position/closeContract`), headers: { authorization: 'Bearer t' }, body: '{"a":1}', timeoutMs: 2_000 };
    const first = await send(req);
    expect(first).toEqual({ status: 429, retryAfter: '3', text: JSON.stringify({ echo: '{"a":1}', auth: 'Bearer t' }) });
    const idle = Object.values(agents['http:'].freeSockets).flat();
    expect(idle).toHaveLength(1);
    expect(noDelayOf(idle[0]!)).toBe(true);
    await send(req);
    await send({ ...req, body: undefined });
    expect(new Set(peers).size).toBe(1); // three requests, one connection
    agents['http:'].destroy();
  });

  it('gives up after timeoutMs with a TimeoutError', async () => {
    server = createServer(() => undefined); // never answers
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const agents = keptAliveAgents();
    const t0 = Date.now();
    await expect(nodeHttpTransport(agents)({ url: new URL(`http://127.0.0.1:${port}/x`), headers: {}, body: undefined, timeoutMs: 100 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - t0).toBeLessThan(2_000);
    agents['http:'].destroy();
    server.closeAllConnections();
  });
});
