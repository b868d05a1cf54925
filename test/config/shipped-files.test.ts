// The files committed under config/ stay in step with the schema: the JSON Schemas are regenerated,
// risk.yaml documents every key with its default, accounts.example.yaml is a valid template.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaFiles } from '../../src/config/jsonSchema.ts';
import { loadConfig, loadRiskFile } from '../../src/config/load.ts';
import { riskConfigSchema } from '../../src/config/schema.ts';

/** Every key path of a plain tree, stopping at lists and at the symbol/date maps (their keys are data). */
function keyPaths(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  if (/(limits|early_close)$/.test(prefix)) return [];
  return Object.entries(v).flatMap(([k, child]) => [`${prefix}${k}`, ...keyPaths(child, `${prefix}${k}.`)]);
}

describe('committed configuration files', () => {
  it('every document risk.yaml and README point to is in the repository', () => {
    const pointed = [readFileSync('config/risk.yaml', 'utf8'), readFileSync('README.md', 'utf8')].flatMap((t) => [...t.matchAll(/\b((?:config|src|test|bench)\/[\w./-]+\.md)\b/g)].map((m) => m[1]!));
    expect(pointed).toContain('config/RULES.md');
    for (const file of pointed) expect(existsSync(file), file).toBe(true);
  });

  it.each(schemaFiles())('config/$name is up to date (run: npx riskd config schema)', ({ name, text }) => {
    expect(readFileSync(`config/${name}`, 'utf8')).toBe(text);
  });

  it('config/risk.yaml loads without notices and writes out every key of every rule', () => {
    const notices: string[] = [];
    const risk = loadRiskFile('config/risk.yaml', { notices });
    expect(notices).toEqual([]);
    const raw = parse(readFileSync('config/risk.yaml', 'utf8')) as unknown;
    expect(keyPaths(raw).sort()).toEqual(keyPaths(risk).sort());
  });

  it('config/risk.yaml shows the defaults: it equals a file that only sets enabled', () => {
    const risk = loadRiskFile('config/risk.yaml');
    const onlyEnabled = {
      rules: Object.fromEntries(Object.entries(risk.rules).map(([k, r]) => [k, { enabled: r.enabled }])),
    };
    expect(riskConfigSchema.parse(onlyEnabled)).toEqual(risk);
  });

  it('config/accounts.example.yaml is valid once its variables are set', () => {
    const loaded = loadConfig({
      riskPath: 'config/risk.yaml',
      accountsPath: 'config/accounts.example.yaml',
      env: { PROJECTX_USERNAME: 'someone', PROJECTX_API_KEY: 'key' },
    });
    expect(loaded.accounts.gateway.api_url).toBe('https://api.topstepx.com');
    expect(loaded.accounts.credentials).toEqual({ username: 'someone', api_key: 'key' });
    expect(Object.keys(loaded.perAccount)).toEqual(['PRAC-V2-123456-7890123']);
  });
});
