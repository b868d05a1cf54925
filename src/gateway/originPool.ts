// The kept-alive connections to one origin (scheme, host, port) of the socket transport. A request takes the
// most recently used idle connection, or opens a new one when none is idle (no limit, like node's Agent): an
// enforcement never queues behind a read. One request per connection at a time.
//
// One warm connection is always kept: an idle connection is retired after `idleMs` (4 s by default), before a
// server's own idle close (Node's http server: 5 s) can race a request written onto it (a reset there would make
// a mutation ambiguous), and when the last idle one of the origin is retired, or the server closes it, a
// replacement is opened at once. So a breach after minutes of quiet still leaves in one write. A connection the
// server dropped less than a second after it connected is not replaced (no reconnect loop against a server that
// closes idle connections at once, or one that is going away: a failed connect is never replaced either).
import { HttpConnection, type ConnectionEvents, type Origin } from './httpConnection.ts';
import type { TransportResponse } from './transport.ts';

const MIN_LIFE_FOR_REPLACEMENT_MS = 1_000;

interface Idle {
  conn: HttpConnection;
  retire: ReturnType<typeof setTimeout>;
}

export class OriginPool {
  /** Most recently used last. */
  private idle: Idle[] = [];
  /** The last TLS session ticket: a replacement resumes instead of a full handshake. */
  private session: Buffer | undefined;
  private closed = false;
  private readonly events: ConnectionEvents;

  constructor(
    private readonly origin: Origin,
    private readonly idleMs: number,
  ) {
    this.events = { idle: (c) => this.release(c), gone: (c) => this.gone(c), session: (s) => (this.session = s) };
  }

  /**
   * Sends on an idle connection (a connecting one counts: node buffers the write until it connects), else on a
   * new one. The idle one's retirement is called off after the write (no timer can fire in between).
   */
  send(request: string, timeoutMs: number): Promise<TransportResponse> {
    for (let e = this.idle.pop(); e; e = this.idle.pop()) {
      if (e.conn.usable) {
        const answer = e.conn.send(request, timeoutMs);
        clearTimeout(e.retire);
        return answer;
      }
      clearTimeout(e.retire);
      e.conn.destroy();
    }
    return new HttpConnection(this.origin, this.session, this.events).send(request, timeoutMs);
  }

  /** Destroys the idle connections; busy ones are closed when their answer is in. No replacement from now on. */
  close(): void {
    this.closed = true;
    for (const e of this.idle.splice(0)) {
      clearTimeout(e.retire);
      e.conn.destroy();
    }
  }

  private release(conn: HttpConnection): void {
    if (this.closed) return conn.destroy();
    conn.unref();
    const entry: Idle = { conn, retire: setTimeout(() => this.retire(entry), this.idleMs).unref() };
    this.idle.push(entry);
  }

  private retire(entry: Idle): void {
    this.idle.splice(this.idle.indexOf(entry), 1);
    entry.conn.destroy();
    if (this.idle.length === 0) this.openWarm();
  }

  /** The socket closed: an idle connection leaves the pool (and is replaced if it was the last). */
  private gone(conn: HttpConnection): void {
    const i = this.idle.findIndex((e) => e.conn === conn);
    if (i < 0) return; // busy (its request failed or was answered with a close), or retired already
    clearTimeout(this.idle[i]!.retire);
    this.idle.splice(i, 1);
    if (this.idle.length === 0 && conn.connectedAt > 0 && Date.now() - conn.connectedAt >= MIN_LIFE_FOR_REPLACEMENT_MS) this.openWarm();
  }

  private openWarm(): void {
    if (!this.closed) this.release(new HttpConnection(this.origin, this.session, this.events));
  }
}
