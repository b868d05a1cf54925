// Reads the `exp` claim of a JWT without verifying it (we only need to know when to refresh).
// Returns epoch ms, or undefined when the token is not a JWT or has no numeric exp.
export function jwtExpiryMs(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof json.exp === 'number' && Number.isFinite(json.exp) ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
