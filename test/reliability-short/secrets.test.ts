// Security: after a session that makes riskd log in again (tokens expired), reconnect its hubs, hit REST
// faults and log errors, no API key and no session token appears in the log file, the SQLite store (snapshot
// rows, enforcement log, WAL), the config files or the readable terminal output.
import { PassThrough } from 'node:stream';
import { rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import { BASE_RISK, startBenchEnv } from '../../bench/support/inProcess.ts';
import { findSecrets } from '../reliability/support/secrets.ts';
import { waitFor } from '../reliability/support/wait.ts';

const MNQ = 'CON.F.US.MNQ.Z26';

it('no secret in any log, snapshot row, store file or terminal output', async () => {
  let terminal = '';
  const sink = new PassThrough();
  sink.setEncoding('utf8').on('data', (s: string) => (terminal += s));
  const env = await startBenchEnv({
    accounts: 1,
    logLevel: 'debug',
    terminal: sink,
    risk: { ...BASE_RISK, rules: { max_contracts: { enabled: true, limit: 1, action: 'reduce_to_limit' }, daily_realized_loss: { enabled: true, limit: 10, include_fees: true } } },
  });
  const { sim } = env;
  const acct = env.accounts[0]!;
  const size = () => Number(sim.state.positions(acct.id).find((x) => x['contractId'] === MNQ)?.['size'] ?? 0);
  try {
    sim.trader.placeOrder({ accountId: acct.id, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 2 });
    await waitFor('reduced', () => size() === 1);
    sim.control.expireTokens();
    sim.control.restFaults({ rate: 0.5, kinds: ['500', '429'] });
    sim.control.dropHubs('both');
    await new Promise((r) => setTimeout(r, 1500));
    sim.control.restFaults(null);
    sim.market.setPrice(MNQ, sim.market.quote(MNQ).bid - 40);
    sim.trader.closeContract(acct.id, MNQ);
    await waitFor('daily loss lock', () => env.daemon.accountStatus(acct.id).locks.length > 0, 15_000);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await env.close({ keepFiles: true });
  }
  try {
    // The scan must have something to look at: the log saw the re-login and the enforcement.
    expect(terminal).toContain('enforcement');
    expect(sim.requests.byPath('/api/Auth/loginKey').length).toBeGreaterThanOrEqual(2);
    expect(findSecrets({ secrets: [sim.credentials.apiKey], dirs: [env.dir], texts: [terminal] })).toEqual([]);
  } finally {
    rmSync(env.dir, { recursive: true, force: true });
  }
}, 60_000);

it('the scan itself finds a planted API key and a planted token', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'riskd-scan-'));
  try {
    writeFileSync(join(dir, 'a.log'), 'x sim-demo-api-key-planted y');
    writeFileSync(join(dir, 'b.db'), Buffer.from('\0\0eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0cmFkZXIifQ.c2lnbmF0dXJlLXBhcnQ\0'));
    const found = findSecrets({ secrets: ['sim-demo-api-key-planted'], dirs: [dir] });
    expect(found.some((f) => f.includes('a.log') && f.includes('configured secret'))).toBe(true);
    expect(found.some((f) => f.includes('b.db') && f.includes('token'))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
