// The dashboard's data feed against a stand-in control server (the real WebSocket protocol): it shows the live
// status, asks only the viewer `history` command (read-only), and when the server goes away it falls back to
// the data dir read-only and reconnects once the server is back.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WatchFeed } from '../../src/tui/feed.ts';
import type { WatchModel } from '../../src/tui/model.ts';
import type { StatusSnapshot } from '../../src/control/statusSnapshot.ts';
import { waitFor } from '../e2e/support/sim.ts';

const NOW = Date.UTC(2026, 10, 24, 15, 0, 0);

function snapshot(realized: number): StatusSnapshot {
  return {
    phase: 'live',
    startedAt: NOW - 60_000,
    now: NOW,
    connection: { state: 'live', live: true, attempt: 0, lastError: null, tokenExpiresAt: null, hubs: {} },
    hubs: {
      user: { hub: 'user', state: 'connected', lastEventAt: NOW, connectedAt: NOW, reconnects: 0, restarts: 0 },
      market: { hub: 'market', state: 'connected', lastEventAt: NOW, connectedAt: NOW, reconnects: 0, restarts: 0 },
    },
    rest: { limit: 200, windowMs: 60_000, inWindow: 3, queued: { enforce: 0, reconcile: 0, poll: 0 }, granted: {}, rateLimitedResponses: 0, backoffUntil: null, maxWaitMs: 0 },
    parseFailures: 0,
    accounts: [
      {
        id: 7, name: 'ACC-7', canTrade: true, balance: 50000, realized, unrealized: 0, net: realized, openContracts: 0, positions: [], workingOrders: 0,
        locks: [], session: null, tradingDay: null, entriesToday: 2, consecutiveLosses: 0, lastEnforcement: null, zone: 'America/Chicago', limits: [],
      },
    ],
    health: 'ok',
    problems: [],
    deadAccounts: [],
  } as unknown as StatusSnapshot;
}

/** A control server stand-in: pushes status every 100 ms, answers `history`, records every command. */
async function fakeControl(port = 0) {
  const commands: string[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let realized = -10;
  const timer = setInterval(() => {
    for (const c of wss.clients) c.send(JSON.stringify({ type: 'status', data: snapshot(realized) }));
  }, 100);
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'status', data: snapshot(realized) }));
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id: number; cmd: string };
      commands.push(msg.cmd);
      const rows = [{ at: new Date(NOW - 5000).toISOString(), account: 'ACC-7', rule: 'RULE-003', action: 'flatten', contract: null, status: 'confirmed', outcome: null, reason: 'loss limit', id: 1 }];
      ws.send(JSON.stringify({ id: msg.id, ok: true, result: msg.cmd === 'history' ? rows : null }));
    });
  });
  return {
    port: (wss.address() as AddressInfo).port,
    commands,
    setRealized: (v: number) => (realized = v),
    close: async () => {
      clearInterval(timer);
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

let feed: WatchFeed | undefined;
afterEach(() => feed?.stop());

describe('WatchFeed', () => {
  it('live status and history, only viewer commands; DAEMON DOWN from the data dir when the server goes; live again when it is back', async () => {
    const server = await fakeControl();
    const dataDir = mkdtempSync(join(tmpdir(), 'riskd-watch-feed-'));
    let model: WatchModel | undefined;
    feed = new WatchFeed({ dataDir, port: server.port, onModel: (m) => (model = m), retryMs: 100, staleMs: 500 });
    feed.start();
    await waitFor('live with history', () => model?.daemon === 'live' && model.accounts[0]?.enforcement.length === 1);
    expect(model!.accounts[0]).toMatchObject({ name: 'ACC-7', realized: -10, entriesToday: 2 });
    expect(model!.accounts[0]!.enforcement[0]).toMatchObject({ rule: 'RULE-003', action: 'flatten', reason: 'loss limit', at: NOW - 5000 });
    server.setRealized(-42);
    await waitFor('the next status push', () => model?.accounts[0]?.realized === -42);

    await server.close();
    await waitFor('daemon down', () => model?.daemon === 'down', 5000);
    expect(model!.dataFile).toBe(join(dataDir, 'state.db'));
    expect(model!.downReason).toContain('no state saved there yet');

    const again = await fakeControl(server.port);
    await waitFor('live again', () => model?.daemon === 'live', 5000);
    await again.close();
    expect(new Set([...server.commands, ...again.commands])).toEqual(new Set(['history']));
  });
});
