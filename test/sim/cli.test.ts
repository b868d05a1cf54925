// `riskd sim` entry point: starts, prints URLs and demo credentials, serves, stops cleanly.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/sim/cli.ts';

describe('runSimCommand', () => {
  it('serves the gateway with the demo accounts until stopped', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += String(d)));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let url = '';
    const ready = new Promise<void>((r) => {
      void runSimCommand({ port: 0, host: '127.0.0.1', seed: 9, out, stop: stopped, onReady: (u) => ((url = u.url), r()) }).then((code) => {
        exitCode = code;
      });
    });
    let exitCode: number | undefined;
    await ready;
    expect(text).toContain(`${url}/hubs/user`);
    expect(text).toMatch(/userName=\S+\s+apiKey=\S+/);
    expect(text).toContain('PRAC-V2-000000-13572468');
    expect(text).toContain('live (simulated:false)');
    expect(text).toContain('seed         9');
    const userName = /userName=(\S+)/.exec(text)![1]!;
    const apiKey = /apiKey=(\S+)/.exec(text)![1]!;
    const login = await fetch(`${url}/api/Auth/loginKey`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName, apiKey }) });
    const body = (await login.json()) as { success: boolean; token: string };
    expect(body.success).toBe(true);
    const accounts = await fetch(`${url}/api/Account/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${body.token}` },
      body: JSON.stringify({ onlyActiveAccounts: true }),
    });
    expect(((await accounts.json()) as { accounts: { simulated: boolean }[] }).accounts.map((a) => a.simulated)).toEqual([true, false]);
    stop();
    await expect.poll(() => exitCode, { timeout: 3000 }).toBe(0);
    expect(text).toContain('stopped');
    await expect(fetch(`${url}/api/Status/ping`)).rejects.toThrow();
  });

  it('returns 1 with a clear message when the port is taken', async () => {
    const out = new PassThrough();
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let url = '';
    const first = new Promise<void>((r) => {
      void runSimCommand({ port: 0, host: '127.0.0.1', out, stop: stopped, onReady: (u) => ((url = u.url), r()) });
    });
    await first;
    const port = Number(new URL(url).port);
    const code = await runSimCommand({ port, host: '127.0.0.1', out });
    expect(code).toBe(1);
    stop();
  });
});
