// A scriptable fetch for REST unit tests: each call is recorded and answered by the first matching handler.
export interface Call {
  path: string;
  body: unknown;
  authorization: string | null;
}
export type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | 'hang';
export type Handler = (call: Call, n: number) => Reply | undefined;

export function fakeFetch(handler: Handler) {
  const calls: Call[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const call: Call = {
      path: url.pathname + url.search,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
      authorization: new Headers(init?.headers).get('authorization'),
    };
    calls.push(call);
    const reply = handler(call, calls.filter((c) => c.path === call.path).length);
    if (reply === 'hang' || reply === undefined) {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      });
    }
    return new Response(reply.body === undefined ? '' : JSON.stringify(reply.body), { status: reply.status ?? 200, headers: reply.headers });
  }) as typeof fetch;
  return { fetch: fetchFn, calls };
}

export const envelopeOk = (extra: object = {}) => ({ success: true, errorCode: 0, errorMessage: null, ...extra });

/** A JWT-shaped token with the given exp (epoch ms). */
export function makeJwt(expMs: number, salt = ''): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'u', exp: Math.floor(expMs / 1000), salt })}.sig`;
}

export class StaticTokens {
  logins = 0;
  constructor(public token = 'tok-1') {}
  async ensure(): Promise<string> {
    return this.token;
  }
  async relogin(): Promise<string> {
    this.logins++;
    this.token = `tok-${this.logins + 1}`;
    return this.token;
  }
}
