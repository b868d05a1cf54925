// The default REST transport against real node:http / node:https servers on 127.0.0.1: one write per request
// on a kept-alive socket, a warm socket always ready, and failures that keep the codes http.ts classifies
// mutations by (bench/RESULTS.md, "Close to the floor").
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import net, { type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { socketTransport, type SocketTransport, type SocketTransportOptions } from '../../src/gateway/socketTransport.ts';
import { postJson } from '../../src/gateway/http.ts';
import { RateBudget } from '../../src/gateway/rateBudget.ts';
import { GatewayHttpError } from '../../src/gateway/errors.ts';

// A self-signed certificate for CN=localhost / 127.0.0.1, made once for these tests (openssl req -x509 ...).
const fixture = (f: string) => readFileSync(new URL(`../fixtures/tls/${f}`, import.meta.url));
const TLS = { key: fixture('key.pem'), cert: fixture('cert.pem') };

interface Running {
  server: Server;
  base: string;
  /** Server side of every connection, in accept order. */
  accepted: Socket[];
  /** Resolves when the server has accepted `n` connections in all. */
  connections(n: number): Promise<void>;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track(t: SocketTransport): SocketTransport {
  cleanups.push(() => t.close());
  return t;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, secure = false): Promise<Running> {
  const server: Server = secure ? createHttpsServer(TLS, handler) : createServer(handler);
  const accepted: Socket[] = [];
  const waiters: { n: number; done: () => void }[] = [];
  server.on('connection', (s: Socket) => {
    accepted.push(s);
    for (const w of waiters.filter((w) => accepted.length >= w.n)) w.done();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const base = `${secure ? 'https' : 'http'}://127.0.0.1:${(server.address() as { port: number }).port}`;
  const connections = (n: number) => (accepted.length >= n ? Promise.resolve() : new Promise<void>((done) => waiters.push({ n, done })));
  return { server, base, accepted, connections };
}

/** Answers every request with its body echoed and the client port that carried it. */
const echo = (req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body, port: req.socket.remotePort, auth: req.headers.authorization })));
};

const post = (t: SocketTransport, url: string, body?: string, headers: Record<string, string> = {}, timeoutMs = 2_000) => t({ url: new URL(url), headers, body, timeoutMs });
const portOf = (text: string) => (JSON.parse(text) as { port: number }).port;
const closed = (s: Socket) => (s.destroyed ? Promise.resolve() : new Promise<void>((r) => s.once('close', () => r())));

function transport(opts: SocketTransportOptions = {}): SocketTransport {
  return track(socketTransport(opts));
}

describe('socketTransport', () => {
  it('writes the request as one chunk: request line, Host, headers, Content-Length, body', async () => {
    const chunks: string[] = [];
    const raw = net.createServer((s) =>
      s.on('data', (c: Buffer) => {
        chunks.push(c.toString());
        s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }),
    );
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => raw.close(() => r())));
    const port = (raw.address() as { port: number }).port;
    const res = await post(transport(), `http://127.0.0.1:${port}/api/Position/closeContract?x=1`, '{"a":"é"}', { authorization: 'Bearer t', 'content-type': 'application/json' });
    expect(res).toEqual({ status: 200, retryAfter: null, text: 'ok' });
    expect(chunks).toEqual([
      `POST /api/Position/closeContract?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nauthorization: Bearer t\r\ncontent-type: application/json\r\nContent-Length: 10\r\n\r\n{"a":"é"}`,
    ]);
  });

  it('drops a connection whose answer came with bytes after it; the next request goes out on a fresh one', async () => {
    const peers: number[] = [];
    const raw = net.createServer((s) => {
      peers.push(s.remotePort!);
      s.on('data', () => s.write(peers.length === 1 ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 2' : 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext'));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => raw.close(() => r())));
    const t = transport();
    const url = `http://127.0.0.1:${(raw.address() as { port: number }).port}/x`;
    expect(await post(t, url)).toMatchObject({ status: 200, text: 'ok' });
    expect(await post(t, url)).toMatchObject({ status: 200, text: 'next' });
    expect(peers).toHaveLength(2);
  });

  it('carries sequential requests over one kept-alive connection', async () => {
    const srv = await serve(echo);
    const t = transport();
    const first = await post(t, `${srv.base}/a`, '{"a":1}', { authorization: 'Bearer t' });
    expect(JSON.parse(first.text)).toMatchObject({ body: '{"a":1}', auth: 'Bearer t' });
    const second = await post(t, `${srv.base}/b`);
    const third = await post(t, `${srv.base}/c`, 'x');
    expect(JSON.parse(second.text)).toMatchObject({ body: '' });
    expect(new Set([first, second, third].map((r) => portOf(r.text))).size).toBe(1);
    expect(srv.accepted).toHaveLength(1);
  });

  it('opens a second connection for a request made while the first is busy (a mutation never queues behind a read)', async () => {
    let held: ServerResponse | undefined;
    const srv = await serve((req, res) => {
      if (req.url === '/slow') return void (held = res);
      echo(req, res);
      held?.end('slow done');
    });
    const t = transport();
    const slow = post(t, `${srv.base}/slow`);
    const fast = await post(t, `${srv.base}/fast`);
    expect((await slow).text).toBe('slow done');
    expect(srv.accepted).toHaveLength(2);
    expect(portOf(fast.text)).toBe(srv.accepted[1]!.remotePort);
  });

  it('reaches an IPv6 literal host ([::1]: no brackets to connect, with them in Host)', async () => {
    let host: string | undefined;
    const server = createServer((req, res) => ((host = req.headers.host), res.end('v6')));
    await new Promise<void>((r) => server.listen(0, '::1', r));
    cleanups.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
    const port = (server.address() as { port: number }).port;
    expect(await post(transport(), `http://[::1]:${port}/x`)).toMatchObject({ status: 200, text: 'v6' });
    expect(host).toBe(`[::1]:${port}`);
  });

  it('reads a chunked body', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('{"part":');
      setImmediate(() => res.end('"two é"}'));
    });
    const t = transport();
    expect(await post(t, `${srv.base}/x`)).toEqual({ status: 200, retryAfter: null, text: '{"part":"two é"}' });
    expect(await post(t, `${srv.base}/x`)).toMatchObject({ text: '{"part":"two é"}' });
    expect(srv.accepted).toHaveLength(1); // the chunked answer ended cleanly: the connection was kept
  });

  it('reports status and Retry-After (429)', async () => {
    const srv = await serve((_req, res) => res.writeHead(429, { 'Retry-After': '3' }).end('{"slow":"down"}'));
    expect(await post(transport(), `${srv.base}/x`)).toEqual({ status: 429, retryAfter: '3', text: '{"slow":"down"}' });
  });

  it('closes the connection after a Connection: close answer; the next request connects again', async () => {
    let n = 0;
    const srv = await serve((req, res) => (n++ === 0 ? res.setHeader('connection', 'close') : undefined, echo(req, res)));
    const t = transport();
    await post(t, `${srv.base}/x`);
    await closed(srv.accepted[0]!);
    const next = await post(t, `${srv.base}/x`);
    expect(srv.accepted).toHaveLength(2);
    expect(portOf(next.text)).toBe(srv.accepted[1]!.remotePort);
  });

  it('drops an idle connection the server closed; the next request goes out on a fresh one', async () => {
    const srv = await serve(echo);
    const t = transport();
    await post(t, `${srv.base}/x`);
    srv.accepted[0]!.end(); // as a server's own idle timeout does; the client's FIN answers it before 'close'
    await closed(srv.accepted[0]!);
    expect((await post(t, `${srv.base}/x`)).status).toBe(200);
    expect(srv.accepted).toHaveLength(2);
  });

  it('replaces the last idle connection when the server closes it after it had served a while', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const srv = await serve(echo);
    const t = transport();
    await post(t, `${srv.base}/x`);
    vi.setSystemTime(Date.now() + 1_500);
    srv.accepted[0]!.destroy();
    await srv.connections(2); // the replacement, before any request needs it
    const next = await post(t, `${srv.base}/x`);
    expect(portOf(next.text)).toBe(srv.accepted[1]!.remotePort);
    expect(srv.accepted).toHaveLength(2);
  });

  it('retires an idle connection after 4 s and opens a replacement at once, which the next request uses', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const srv = await serve(echo);
    const t = transport();
    await post(t, `${srv.base}/x`);
    vi.advanceTimersByTime(3_999);
    expect(srv.accepted[0]!.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    await closed(srv.accepted[0]!);
    await srv.connections(2);
    const next = await post(t, `${srv.base}/x`);
    expect(portOf(next.text)).toBe(srv.accepted[1]!.remotePort);
    expect(srv.accepted).toHaveLength(2);
  });

  it('gives up after timeoutMs with a TimeoutError and drops the connection', async () => {
    const srv = await serve(() => undefined); // never answers
    const t0 = Date.now();
    await expect(post(transport(), `${srv.base}/x`, undefined, {}, 100)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - t0).toBeLessThan(2_000);
    await closed(srv.accepted[0]!);
  });

  it('keeps the connect error code: ECONNREFUSED (a mutation that never left is not ambiguous)', async () => {
    const srv = await serve(echo);
    const base = srv.base;
    await new Promise<void>((r) => srv.server.close(() => r()));
    await expect(post(transport(), `${base}/x`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const deps = { baseUrl: base, transport: transport(), budget: new RateBudget() };
    cleanups.push(() => deps.budget.close());
    const err = await postJson(deps, '/api/Position/closeContract', {}, { timeoutMs: 1_000, priority: 'enforce', mutation: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayHttpError);
    expect(err).toMatchObject({ ambiguous: false });
  });

  it('rejects a request whose connection is reset in flight with its code (a mutation then is ambiguous)', async () => {
    const srv = await serve((req) => req.socket.resetAndDestroy());
    await expect(post(transport(), `${srv.base}/x`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const deps = { baseUrl: srv.base, transport: transport(), budget: new RateBudget() };
    cleanups.push(() => deps.budget.close());
    const err = await postJson(deps, '/api/Position/closeContract', {}, { timeoutMs: 1_000, priority: 'enforce', mutation: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ ambiguous: true });
  });

  it('rejects a hang-up before the answer is complete', async () => {
    const srv = await serve((req) => req.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    await expect(post(transport(), `${srv.base}/x`)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('refuses a header holding CR or LF (without quoting it) and a scheme other than http(s), sending nothing', async () => {
    const srv = await serve(echo);
    const t = transport();
    const err = await post(t, `${srv.base}/x`, '{}', { authorization: 'Bearer secret\r\nx-evil: 1' }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'ERR_INVALID_CHAR', message: 'HTTP header authorization holds CR, LF or another character HTTP does not allow' });
    expect(String(err)).not.toContain('secret');
    await expect(post(t, `${srv.base}/x`, '{}', { 'bad\nname': 'v' })).rejects.toMatchObject({ code: 'ERR_INVALID_HTTP_TOKEN' });
    await expect(post(t, 'ftp://127.0.0.1/x')).rejects.toThrow('unsupported protocol ftp: in 127.0.0.1: http or https only');
    expect(srv.accepted).toHaveLength(0);
  });

  it('keeps nothing alive: idle sockets are unref-ed, and close() destroys them and opens no replacement', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    await vi.waitFor(() => expect(sockets()).toBe(0)); // the sockets earlier tests destroyed are released
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const srv = await serve(echo);
    srv.server.unref();
    srv.server.on('connection', (s: Socket) => s.unref()); // the server side counts neither
    const t = transport();
    const inFlight = post(t, `${srv.base}/x`);
    expect(sockets()).toBe(1); // a request in flight holds the process
    await inFlight;
    expect(sockets()).toBe(0); // the idle socket does not
    t.close();
    await closed(srv.accepted[0]!);
    vi.advanceTimersByTime(10_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(srv.accepted).toHaveLength(1);
  });

  it('speaks https: verifies the certificate (a self-signed one only when given as ca) and reuses the connection', async () => {
    const srv = await serve(echo, true);
    const url = srv.base.replace('127.0.0.1', 'localhost'); // a name, so the SNI/hostname path is the one tested
    await expect(post(transport(), `${url}/x`)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const t = transport({ ca: TLS.cert });
    const first = await post(t, `${url}/x`, '{"a":1}');
    const second = await post(t, `${url}/x`);
    expect(JSON.parse(first.text)).toMatchObject({ body: '{"a":1}' });
    expect(portOf(second.text)).toBe(portOf(first.text));
    expect(srv.accepted).toHaveLength(2); // the refused handshake, then one kept connection
  });

  it('resumes the TLS session when it replaces a retired https connection', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const srv = await serve(echo, true);
    const handshakes: { port: number | undefined; resumed: boolean }[] = [];
    srv.server.on('secureConnection', (s: TLSSocket) => handshakes.push({ port: s.remotePort, resumed: s.isSessionReused() }));
    const t = transport({ ca: TLS.cert });
    await post(t, `${srv.base}/x`);
    vi.advanceTimersByTime(4_000);
    await vi.waitFor(() => expect(handshakes).toHaveLength(2));
    expect(handshakes.map((h) => h.resumed)).toEqual([false, true]);
    const next = await post(t, `${srv.base}/x`);
    expect(portOf(next.text)).toBe(handshakes[1]!.port);
  });
});
