// The `breach` notification end to end: a live in-process riskd against the simulator, its events wired to a
// notifier posting to a local webhook receiver. One max-contracts breach (held while quotes keep the rule
// breaching until the reduce confirms) posts exactly one `breach` with the rule, its numbers and its sentence.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Notifier } from '../../src/notify/notifier.ts';
import { attachNotifier, daemonEventSource } from '../../src/notify/daemonEvents.ts';
import { createLogger } from '../../src/log/logger.ts';
import { OrderSide, OrderType } from '../../src/gateway/models.ts';
import type { WebhookConfig } from '../../src/config/types.ts';
import { BASE_RISK, startBenchEnv, type BenchEnv } from '../../bench/support/inProcess.ts';
import { waitFor } from '../reliability/support/wait.ts';

const MNQ = 'CON.F.US.MNQ.Z26';
let env: BenchEnv | undefined;
let srv: http.Server | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
  srv?.closeAllConnections();
  await new Promise<void>((r) => (srv ? srv.close(() => r()) : r()));
  srv = undefined;
});

it('one max-contracts breach posts one breach notification with rule, numbers and sentence', async () => {
  const bodies: Record<string, unknown>[] = [];
  srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv!.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`;

  env = await startBenchEnv({ accounts: 1, risk: { ...BASE_RISK, rules: { max_contracts: { enabled: true, limit: 2, action: 'reduce_to_limit' } } } });
  const { sim, daemon } = env;
  const accountId = env.accounts[0]!.id;
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const notifier = new Notifier({ logger: createLogger({ level: 'error', terminal: sink }), webhooks: [{ type: 'json', url, events: ['breach', 'enforcement'] } as WebhookConfig] });
  const detach = attachNotifier(notifier, daemonEventSource(daemon));
  try {
    const size = () => Number(sim.state.positions(accountId).find((p) => p['contractId'] === MNQ)?.['size'] ?? 0);
    sim.trader.placeOrder({ accountId, contractId: MNQ, type: OrderType.Market, side: OrderSide.Bid, size: 3 });
    await waitFor('reduced to 2', () => size() === 2, 10_000);
    // Quotes keep arriving on the held position: no further breach notifications.
    for (let i = 0; i < 20; i++) sim.market.setPrice(MNQ, sim.market.quote(MNQ).bid + 0.25);
    await waitFor('enforcement notified', () => bodies.some((b) => b['event'] === 'enforcement'), 5_000);
    await new Promise((r) => setTimeout(r, 300));
    await notifier.idle();
    const breaches = bodies.filter((b) => b['event'] === 'breach');
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatchObject({ source: 'riskd', event: 'breach', data: { rule: 'RULE-001', numbers: expect.objectContaining({ limit: 2, value: 3 }) } });
    expect(String(breaches[0]!['text'])).not.toMatch(/\$-|value \d/); // words, not raw numbers
  } finally {
    detach();
    await notifier.close();
  }
}, 30_000);
