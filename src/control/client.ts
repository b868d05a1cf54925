// A small client of the control WebSocket for the CLI (and tests): connect, receive the first status
// snapshot, send commands and await their replies.
import { WebSocket } from 'ws';
import type { CommandReply } from './commands.ts';
import type { StatusSnapshot } from './statusSnapshot.ts';

export class ControlUnreachableError extends Error {}

export class ControlReplyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: CommandReply) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(msg: { type: string; data: unknown }) => void>();
  token: string | undefined;

  private constructor(
    private readonly ws: WebSocket,
    readonly firstStatus: StatusSnapshot,
  ) {
    ws.on('message', (raw) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(String(raw)) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof msg['id'] === 'number' && this.pending.has(msg['id'])) {
        const p = this.pending.get(msg['id'])!;
        this.pending.delete(msg['id']);
        p.resolve(msg as unknown as CommandReply);
      } else if (typeof msg['type'] === 'string') {
        for (const l of this.listeners) l(msg as { type: string; data: unknown });
      }
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new ControlUnreachableError('the riskd control connection closed'));
      this.pending.clear();
    });
  }

  /** Connects and waits for the first status push. Throws ControlUnreachableError when nothing listens. */
  static connect(port: number, opts: { timeoutMs?: number } = {}): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new ControlUnreachableError(`no answer from riskd control on 127.0.0.1:${port}`));
      }, opts.timeoutMs ?? 5_000);
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(new ControlUnreachableError(`cannot reach riskd control on 127.0.0.1:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
      ws.once('message', (raw) => {
        clearTimeout(timer);
        try {
          const msg = JSON.parse(String(raw)) as { type?: string; data?: StatusSnapshot };
          if (msg.type !== 'status' || !msg.data) throw new Error('first message was not a status snapshot');
          resolve(new ControlClient(ws, msg.data));
        } catch (err) {
          ws.terminate();
          reject(new ControlUnreachableError(`127.0.0.1:${port} does not speak the riskd control protocol (${String(err)})`));
        }
      });
    });
  }

  onPush(fn: (msg: { type: string; data: unknown }) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Raw reply (ok or not). */
  request(cmd: string, args: Record<string, unknown> = {}, token = this.token): Promise<CommandReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, cmd, args, ...(token ? { token } : {}) }));
    });
  }

  /** The result, or a ControlReplyError with the server's message. */
  async call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const r = await this.request(cmd, args);
    if (!r.ok) throw new ControlReplyError(r.code, r.error);
    return r.result as T;
  }

  async login(password: string): Promise<void> {
    const r = await this.call<{ token: string }>('login', { password });
    this.token = r.token;
  }

  close(): void {
    this.ws.close();
  }
}
