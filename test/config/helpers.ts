// Helpers for config tests: write YAML files into a fresh temp dir and collect the ConfigError issues.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../src/config/errors.ts';
import type { ConfigIssue } from '../../src/config/errors.ts';

/** Writes `files` (relative name -> text) into a new temp dir; returns the dir. */
export function writeFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'riskd-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Runs `fn`, which must throw a ConfigError, and returns its issues. */
export function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

/** Strips the common indentation of a template literal and the first newline, so line 1 is the first line. */
export function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export const VALID_ACCOUNTS = yaml(`
  gateway:
    api_url: https://api.example.com
    user_hub_url: wss://rtc.example.com/hubs/user
    market_hub_url: https://rtc.example.com/hubs/market
  credentials:
    username: \${PX_USER}
    api_key: \${PX_KEY}
`);

export const ENV = { PX_USER: 'trader1', PX_KEY: 'k3y-V3ry-S3cret-value' };
