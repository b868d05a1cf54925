// Whether a loopback TCP port can be listened on now: `riskd start` asks before logging in, so a second riskd
// (or anything else on the control port) is a clear error at once, not after the gateway login and reconcile.
import { createServer } from 'node:net';

/** Resolves null when 127.0.0.1:port is free, else the reason (e.g. EADDRINUSE). Port 0 is always free. */
export function portProblem(port: number): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
