import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_MEMORY, openStore, type Store } from '../../src/store/index.ts';
import { createInspectorRoutes, parseTransitionQuery, type InspectorRoutes } from '../../src/control/inspector/routes.ts';
import type { AccountView, InspectorSource } from '../../src/control/inspector/source.ts';
import type { RecordedTransition } from '../../src/control/inspector/recorder.ts';

let store: Store;
let server: http.Server;
let routes: InspectorRoutes;
let base: string;
const transitionListeners = new Set<(r: RecordedTransition) => void>();

const view = (id: number): AccountView => ({
  id,
  name: `ACC-${id}`,
  now: 1_000,
  timezone: 'America/Chicago',
  machines: [{ actorId: 'account', machine: 'account', value: { lockout: 'locked' }, stateText: 'lockout.locked', status: 'active', context: { accountId: id, token: '[redacted]' } }],
  status: { realized: -120, locks: [{ id: 'l1', rule: 'RULE-010', until: null }] },
});

beforeAll(async () => {
  store = openStore(IN_MEMORY);
  for (let i = 0; i < 4; i++) store.transitions.insert({ accountId: 7, actorId: 'account', event: i % 2 ? 'account.canTrade' : 'rule.verdicts', from: 'a', to: 'b', at: 1000 * (i + 1) });
  const source: InspectorSource = {
    accounts: () => [{ id: 7, name: 'ACC-7' }],
    account: (id) => (id === 7 ? view(7) : undefined),
    connectionState: () => 'live.steady',
    db: () => store.db,
  };
  routes = createInspectorRoutes({
    source,
    statusIntervalMs: 60_000,
    onTransition: (fn) => {
      transitionListeners.add(fn);
      return () => transitionListeners.delete(fn);
    },
  });
  server = http.createServer((req, res) => {
    if (!routes.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  routes.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  store.close();
});

describe('inspector routes', () => {
  it('serves the page with a same-origin-only CSP, and its local assets', async () => {
    const page = await fetch(`${base}/inspector`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('/inspector/assets/inspector.js');
    expect(html).not.toMatch(/https?:\/\//);
    const js = await fetch(`${base}/inspector/assets/inspector.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).not.toMatch(/https?:\/\//);
    expect((await fetch(`${base}/inspector/assets/..%2F..%2Fstore%2Fstore.ts`)).status).toBe(404);
  });

  it('lists the machines with SVG and Mermaid', async () => {
    const body = (await (await fetch(`${base}/api/inspector/machines`)).json()) as { machines: { name: string; svg: string; mermaid: string; states: string[] }[] };
    expect(body.machines.map((m) => m.name)).toEqual(['account', 'position', 'lock', 'connection', 'action']);
    expect(body.machines[0]!.svg).toContain('<svg');
    expect(body.machines[0]!.states).toContain('account.lockout.locked');
  });

  it('returns an account view by id or name, 404 otherwise', async () => {
    const byId = (await (await fetch(`${base}/api/inspector/accounts/7`)).json()) as AccountView;
    expect(byId.machines[0]!.stateText).toBe('lockout.locked');
    expect((await fetch(`${base}/api/inspector/accounts/ACC-7`)).status).toBe(200);
    const missing = await fetch(`${base}/api/inspector/accounts/9`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain('"9" is not watched');
  });

  it('replays transitions by time range and event, and rejects bad parameters with a 400 naming them', async () => {
    const body = (await (await fetch(`${base}/api/inspector/transitions?account=7&since=2000&until=4001&event=account.canTrade`)).json()) as { transitions: { at: number }[] };
    expect(body.transitions.map((t) => t.at)).toEqual([2000, 4000]);
    const bad = await fetch(`${base}/api/inspector/transitions?since=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('"since"');
    expect(parseTransitionQuery(new URL('http://x/?since=1970-01-01T00:00:02Z&order=desc'))).toEqual({ since: 2000, order: 'desc' });
  });

  it('streams account views and transitions as Server-Sent Events', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${base}/api/inspector/stream`, { signal: ctl.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await readUntil('event: connection');
    expect(text).toContain('event: account\ndata: {"id":7');
    for (const fn of transitionListeners) fn({ accountId: 7, actorId: 'account', event: 'account.canTrade', from: 'lockout.unlocked', to: 'lockout.locked', at: 5 });
    await readUntil('event: transition');
    expect(text).toContain('"to":"lockout.locked"');
    ctl.abort();
  });
});
