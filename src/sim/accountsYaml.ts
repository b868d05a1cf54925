// An accounts.yaml that points riskd at a running simulator (the demo, tests and benchmarks all need one).
import type { Simulator } from './index.ts';

export interface SimAccountsYamlOptions {
  /** What to write as api_key: the literal demo key (default) or a `${VAR}` reference. */
  apiKey?: string;
  /** Account names to watch (default: every account the key sees). */
  accounts?: readonly string[];
  controlPort?: number;
  /** Further top-level YAML lines (e.g. notifications). */
  extra?: readonly string[];
}

export function simAccountsYaml(sim: Pick<Simulator, 'url' | 'userHubUrl' | 'marketHubUrl' | 'credentials'>, opts: SimAccountsYamlOptions = {}): string {
  return [
    'gateway:',
    `  api_url: ${sim.url}`,
    `  user_hub_url: ${sim.userHubUrl}`,
    `  market_hub_url: ${sim.marketHubUrl}`,
    'credentials:',
    `  username: ${sim.credentials.userName}`,
    `  api_key: ${opts.apiKey ?? sim.credentials.apiKey}`,
    ...(opts.accounts && opts.accounts.length > 0 ? ['accounts:', ...opts.accounts.map((n) => `  - name: ${n}`)] : []),
    'control:',
    `  port: ${opts.controlPort ?? 8765}`,
    ...(opts.extra ?? []),
    '',
  ].join('\n');
}
