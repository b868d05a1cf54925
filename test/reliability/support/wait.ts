// Polling wait for conditions in reliability and e2e tests (never a fixed sleep for correctness).
export async function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 10_000, detail?: () => string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
