// JWT-shaped session tokens (header.payload.signature, base64url, HS256 with a per-simulator secret,
// payload carries `exp` in seconds like the real gateway's tokens). Tokens are tracked server-side so
// they can be expired on demand (`expireTokens`) or revoked (`logout`).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenState = 'valid' | 'expired' | 'unknown';

interface Session {
  userName: string;
  expiresAt: number; // epoch ms
  revoked: boolean;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class TokenIssuer {
  private readonly secret = randomBytes(32);
  private readonly sessions = new Map<string, Session>();
  private serial = 0;

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  issue(userName: string): string {
    const iat = Math.floor(this.now() / 1000);
    const expiresAt = this.now() + this.ttlMs;
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(
      JSON.stringify({
        sub: userName,
        jti: `${iat}-${++this.serial}-${randomBytes(4).toString('hex')}`,
        iat,
        exp: Math.floor(expiresAt / 1000),
        iss: 'riskd-sim',
      }),
    );
    const sig = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest('base64url');
    const token = `${header}.${payload}.${sig}`;
    this.sessions.set(token, { userName, expiresAt, revoked: false });
    return token;
  }

  state(token: string | null | undefined): TokenState {
    if (!token) return 'unknown';
    const s = this.sessions.get(token);
    if (!s || s.revoked || !this.signatureOk(token)) return 'unknown';
    return this.now() >= s.expiresAt ? 'expired' : 'valid';
  }

  revoke(token: string): void {
    const s = this.sessions.get(token);
    if (s) s.revoked = true;
  }

  /** Test control: every token issued so far is expired from now on. */
  expireAll(): void {
    const t = this.now();
    for (const s of this.sessions.values()) s.expiresAt = Math.min(s.expiresAt, t);
  }

  private signatureOk(token: string): boolean {
    const [h, p, sig] = token.split('.');
    if (!h || !p || !sig) return false;
    const want = createHmac('sha256', this.secret).update(`${h}.${p}`).digest();
    const got = Buffer.from(sig, 'base64url');
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

/** Bearer token from an Authorization header, or null. */
export function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1]?.trim() ?? null;
}
