// Admin authentication: a bcrypt hash of the admin password in store meta, short-lived session tokens, and a
// login throttle (5 failures lock admin login for 5 minutes). The throttle lives in store meta so a restart
// does not give an attacker a fresh set of guesses.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { MetaRepo } from '../store/repos/meta.ts';

export const PASSWORD_HASH_KEY = 'admin.passwordHash';
export const LOGIN_THROTTLE_KEY = 'admin.loginThrottle';
export const BCRYPT_COST = 12;
export const MAX_FAILURES = 5;
export const LOCKOUT_MS = 5 * 60_000;
export const SESSION_IDLE_MS = 15 * 60_000;
export const MIN_PASSWORD_LENGTH = 8;

interface Throttle {
  failures: number;
  lockedUntil: number | null;
}

export type LoginResult =
  | { ok: true; token: string; expiresAfterIdleMs: number }
  | { ok: false; reason: 'no_password' | 'locked' | 'wrong_password'; message: string; lockedUntil?: number };

export class PasswordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordError';
  }
}

export function checkNewPassword(pw: string): void {
  if (pw.length < MIN_PASSWORD_LENGTH) throw new PasswordError(`the admin password must have at least ${MIN_PASSWORD_LENGTH} characters`);
}

/** Sets the first admin password. Refuses when one exists (changing needs the old one: changePassword). */
export async function setPassword(meta: MetaRepo, pw: string, opts: { cost?: number } = {}): Promise<void> {
  if (meta.get(PASSWORD_HASH_KEY)) {
    throw new PasswordError('an admin password is already set; use `npx riskd admin change-password` (it asks for the current one)');
  }
  checkNewPassword(pw);
  meta.set(PASSWORD_HASH_KEY, await bcrypt.hash(pw, opts.cost ?? BCRYPT_COST));
}

export class AdminAuth {
  private readonly sessions = new Map<string, { lastUsed: number }>();
  private readonly now: () => number;
  /** Password checks run one at a time, so parallel guesses cannot all slip in before the 5th failure counts. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly meta: MetaRepo,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  hasPassword(): boolean {
    return Boolean(this.meta.get(PASSWORD_HASH_KEY));
  }

  /** Checks the password against the stored hash, counting failures (persisted) and locking after MAX_FAILURES. */
  verify(pw: string): Promise<{ ok: true } | Extract<LoginResult, { ok: false }>> {
    const run = this.queue.then(() => this.verifyNow(pw));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async verifyNow(pw: string): Promise<{ ok: true } | Extract<LoginResult, { ok: false }>> {
    const hash = this.meta.get(PASSWORD_HASH_KEY);
    if (!hash) return { ok: false, reason: 'no_password', message: 'no admin password is set; run `npx riskd admin set-password` first' };
    const t = this.throttle();
    const now = this.now();
    if (t.lockedUntil !== null && now < t.lockedUntil) {
      return { ok: false, reason: 'locked', message: lockedMessage(t.lockedUntil, now), lockedUntil: t.lockedUntil };
    }
    const good = typeof pw === 'string' && (await bcrypt.compare(pw, hash));
    if (good) {
      this.saveThrottle({ failures: 0, lockedUntil: null });
      return { ok: true };
    }
    // A lockout that ran out starts a fresh count.
    const failures = (t.lockedUntil !== null ? 0 : t.failures) + 1;
    if (failures >= MAX_FAILURES) {
      const lockedUntil = this.now() + LOCKOUT_MS;
      this.saveThrottle({ failures, lockedUntil });
      return { ok: false, reason: 'locked', message: `wrong password; ${MAX_FAILURES} failed attempts: ${lockedMessage(lockedUntil, this.now())}`, lockedUntil };
    }
    this.saveThrottle({ failures, lockedUntil: null });
    return { ok: false, reason: 'wrong_password', message: `wrong password (${MAX_FAILURES - failures} attempt(s) left before admin login locks for 5 minutes)` };
  }

  async login(pw: string): Promise<LoginResult> {
    const v = await this.verify(pw);
    if (!v.ok) return v;
    const token = randomBytes(32).toString('hex');
    this.sessions.set(token, { lastUsed: this.now() });
    return { ok: true, token, expiresAfterIdleMs: SESSION_IDLE_MS };
  }

  /** Changes the password after checking the current one (same throttle as a login). Ends every session. */
  async changePassword(oldPw: string, newPw: string, opts: { cost?: number } = {}): Promise<void> {
    const v = await this.verify(oldPw);
    if (!v.ok) throw new PasswordError(v.message);
    checkNewPassword(newPw);
    this.meta.set(PASSWORD_HASH_KEY, await bcrypt.hash(newPw, opts.cost ?? BCRYPT_COST));
    this.sessions.clear();
  }

  /** True when the token is a live session; using it resets its idle timer. */
  touch(token: string | undefined): boolean {
    if (typeof token !== 'string' || !/^[0-9a-f]{64}$/.test(token)) return false;
    const now = this.now();
    for (const [t, s] of this.sessions) if (now - s.lastUsed > SESSION_IDLE_MS) this.sessions.delete(t);
    const match = [...this.sessions.keys()].find((t) => timingSafeEqual(Buffer.from(t), Buffer.from(token)));
    if (!match) return false;
    this.sessions.get(match)!.lastUsed = now;
    return true;
  }

  logout(token: string): void {
    this.sessions.delete(token);
  }

  private throttle(): Throttle {
    const raw = this.meta.get(LOGIN_THROTTLE_KEY);
    if (!raw) return { failures: 0, lockedUntil: null };
    try {
      const t = JSON.parse(raw) as Partial<Throttle>;
      return { failures: Number(t.failures) || 0, lockedUntil: typeof t.lockedUntil === 'number' ? t.lockedUntil : null };
    } catch {
      // An unreadable record errs on the safe side: treat it as a fresh lockout.
      return { failures: MAX_FAILURES, lockedUntil: this.now() + LOCKOUT_MS };
    }
  }

  private saveThrottle(t: Throttle): void {
    this.meta.set(LOGIN_THROTTLE_KEY, JSON.stringify(t));
  }
}

function lockedMessage(until: number, now: number): string {
  return `admin login is locked for ${Math.ceil((until - now) / 1000)} s more (until ${new Date(until).toISOString()}) after ${MAX_FAILURES} failed attempts`;
}
