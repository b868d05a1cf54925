// `riskd init`: a first configuration from a few questions. accounts.yaml: the firm (preset gateway URLs), the
// user name, the environment variable holding the API key, the accounts, the control port, and a test login.
// risk.yaml: the shipped reference with the trader's own limits set. Both files are validated before anything is
// written; existing files are kept unless the trader agrees (or passes --force). On a terminal the questions are
// menus (@inquirer/prompts); from a pipe, one answer per line (see src/cli/prompts.ts).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { IANAZone } from 'luxon';
import { setExitCode } from '../exitCode.ts';
import { defaultPrompter, PromptAborted, type Check, type Prompter } from '../prompts.ts';
import { FIRMS, FIRM_SLUG, projectxFirm, type GatewayUrls } from '../init/firms.ts';
import { accountsYamlText, riskYamlText, type AccountsAnswers, type RiskAnswers } from '../init/starterFiles.ts';
import { didYouMean } from '../../config/didYouMean.ts';
import { ConfigError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load.ts';

interface InitOptions {
  dir: string;
  force?: boolean;
  /** false (--no-test): skip the test login. */
  test: boolean;
}

// ---- answer checks ------------------------------------------------------------------------------------

const wholeNumber = (what: string): Check => (a) => (/^\d+$/.test(a) ? true : `${what}: a whole number, 0 or more`);
const dollars: Check = (a) => (/^\d+(\.\d{1,2})?$/.test(a.replace(/^\$/, '')) ? true : 'an amount in dollars, e.g. 500 (0 = none)');
const durationText: Check = (a) => (/^(0|\d+\s*(s|m|h)?)$/.test(a) ? true : 'a duration such as 30s, 15m, 1h (0 = none)');
const port: Check = (a) => (/^\d+$/.test(a) && Number(a) >= 1 && Number(a) <= 65535 ? true : 'a port number from 1 to 65535');
const envVar: Check = (a) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(a) ? true : 'an environment variable name, e.g. PROJECTX_API_KEY');
const httpUrl: Check = (a) => (/^(https?|wss?):\/\/[^\s/]+/.test(a) ? true : 'a URL such as https://api.topstepx.com');
const notEmpty = (what: string): Check => (a) => (a.trim() !== '' ? true : `${what} is required`);
const zones = Intl.supportedValuesOf('timeZone');
const timeZone: Check = (a) => {
  if (IANAZone.isValidZone(a)) return true;
  const hint = didYouMean(a, zones);
  return `not an IANA time zone${hint ? ` (${hint})` : ''}; e.g. America/Chicago, America/New_York, Europe/London`;
};
const hoursRange: Check = (a) => (a === '' || /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(a) ? true : 'HH:MM-HH:MM, e.g. 08:30-15:05 (empty = any time)');
const list = (a: string) => a.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

// ---- questions ----------------------------------------------------------------------------------------

async function askGateway(p: Prompter): Promise<{ firm: string; urls: GatewayUrls }> {
  const firm = await p.choose({
    message: 'Which firm is your account with?',
    choices: [
      ...FIRMS.map((f) => ({ value: f.id, name: f.name, description: f.urls.api_url })),
      { value: 'other', name: 'Another ProjectX firm', description: 'by its ProjectX name: api.<name>.projectx.com' },
      { value: 'custom', name: 'Enter the gateway URLs', description: 'REST, user hub and market hub' },
    ],
    default: 'topstepx',
  });
  const preset = FIRMS.find((f) => f.id === firm);
  if (preset) return { firm: preset.name, urls: preset.urls };
  if (firm === 'other') {
    const slug = await p.text({ message: "The firm's ProjectX name (as in api.<name>.projectx.com):", validate: (a) => (FIRM_SLUG.test(a) ? true : 'lower-case letters, digits and dashes') });
    return { firm: slug, urls: projectxFirm(slug) };
  }
  const api = await p.text({ message: 'REST API URL:', validate: httpUrl });
  const base = api.replace(/\/+$/, '');
  const user = await p.text({ message: 'User hub URL:', default: `${base}/hubs/user`, validate: httpUrl });
  const market = await p.text({ message: 'Market hub URL:', default: `${base}/hubs/market`, validate: httpUrl });
  return { firm: base, urls: { api_url: base, user_hub_url: user, market_hub_url: market } };
}

async function askAccounts(p: Prompter): Promise<AccountsAnswers> {
  const { firm, urls } = await askGateway(p);
  const username = await p.text({ message: 'Your ProjectX user name:', validate: notEmpty('the user name') });
  const apiKeyVar = await p.text({ message: 'Environment variable that will hold your API key:', default: 'PROJECTX_API_KEY', validate: envVar });
  const accounts = list(await p.text({ message: 'Accounts to watch (names, comma separated; empty = every active account):', default: '' }));
  const controlPort = Number(await p.text({ message: 'Local control port (dashboard, admin):', default: '8765', validate: port }));
  return { firm, urls, username, apiKeyVar, accounts, controlPort };
}

async function askRisk(p: Prompter): Promise<RiskAnswers> {
  const money = (a: string) => Number(a.replace(/^\$/, ''));
  const timezone = await p.text({ message: 'Your trading-day time zone:', default: 'America/Chicago', validate: timeZone });
  const dailyLoss = money(await p.text({ message: 'Daily loss limit in dollars (flatten and lock until the reset; 0 = none):', default: '500', validate: dollars }));
  const maxContracts = Number(await p.text({ message: 'Most contracts open at once (0 = no limit):', default: '5', validate: wholeNumber('contracts') }));
  const profitTarget = money(await p.text({ message: 'Daily profit target in dollars (stop for the day when reached; 0 = none):', default: '0', validate: dollars }));
  const lossPauseAt = money(await p.text({ message: 'Pause trading after a losing trade of at least (dollars; 0 = never):', default: '100', validate: dollars }));
  const lossPause = lossPauseAt > 0 ? await p.text({ message: 'Pause for how long?', default: '15m', validate: (a) => (a !== '0' && durationText(a) === true ? true : 'a duration such as 5m or 1h') }) : '0';
  const stopGrace = await p.text({ message: 'Every position needs a stop loss within (e.g. 30s; 0 = not required):', default: '30s', validate: durationText });
  const hours = await p.text({ message: `Trade only between (HH:MM-HH:MM, Mon-Fri, ${timezone}; empty = any time):`, default: '', validate: hoursRange });
  const blocked = list(await p.text({ message: 'Symbols you never trade (comma separated; empty = none):', default: '' })).map((s) => s.toUpperCase());
  const unlock = await p.choose({
    message: 'Who may lift a lock before it ends?',
    choices: [
      { value: 'delayed', name: 'Admin, after a 15-minute wait', description: 'a cooling-off you cannot skip' },
      { value: 'allowed', name: 'Admin, at once' },
      { value: 'never', name: 'Nobody: locks run their course' },
    ] as const,
    default: 'delayed',
  });
  const [start, end] = hours === '' ? [] : hours.split('-');
  return { timezone, dailyLoss, maxContracts, profitTarget, lossPauseAt, lossPause, stopGrace, hours: start && end ? { start, end } : null, blocked, unlock };
}

// ---- writing ------------------------------------------------------------------------------------------

/** The shipped config/risk.yaml: the nearest folder above this file holding package.json and config/risk.yaml. */
function shippedRiskYaml(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'config', 'risk.yaml');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return readFileSync(candidate, 'utf8');
    const up = dirname(dir);
    if (up === dir) throw new Error('the shipped config/risk.yaml was not found next to riskd');
    dir = up;
  }
}

export async function runInit(opts: InitOptions, p: Prompter): Promise<number> {
  const accountsPath = join(opts.dir, 'accounts.yaml');
  const riskPath = join(opts.dir, 'risk.yaml');
  try {
    p.say('riskd init: a few questions, then config files you can edit later. Enter keeps the value in brackets.');
    const existing = [accountsPath, riskPath].filter((f) => existsSync(f));
    if (existing.length > 0 && !opts.force) {
      const ok = await p.confirm({ message: `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}. Replace?`, default: false });
      if (!ok) {
        p.say('nothing written (run with --dir <folder> to write elsewhere)');
        return 1;
      }
    }
    p.say('\nGateway and credentials');
    const acc = await askAccounts(p);
    p.say('\nYour rules (the rest keep the documented defaults; config/RULES.md explains every rule)');
    const risk = await askRisk(p);

    const accountsText = accountsYamlText(acc);
    const riskText = riskYamlText(shippedRiskYaml(), risk);
    // Both files are loaded as riskd will load them before anything is written (the key variable stood in when
    // it is not set in this shell).
    const env = { ...process.env, [acc.apiKeyVar]: process.env[acc.apiKeyVar] || 'not-set-yet' };
    const check = mkdtempSync(join(tmpdir(), 'riskd-init-'));
    let loaded;
    try {
      writeFileSync(join(check, 'risk.yaml'), riskText);
      writeFileSync(join(check, 'accounts.yaml'), accountsText);
      loaded = loadConfig({ riskPath: join(check, 'risk.yaml'), accountsPath: join(check, 'accounts.yaml'), env });
    } catch (e) {
      if (e instanceof ConfigError) p.say(`riskd init: these answers do not make a valid configuration; nothing written:\n${e.message}`);
      throw e;
    } finally {
      rmSync(check, { recursive: true, force: true });
    }
    mkdirSync(opts.dir, { recursive: true });
    writeFileSync(riskPath, riskText);
    writeFileSync(accountsPath, accountsText);
    p.say(`\nwrote ${accountsPath} and ${riskPath}`);

    const keySet = Boolean(process.env[acc.apiKeyVar]);
    if (opts.test && keySet && (await p.confirm({ message: `Test the login to ${acc.urls.api_url} now?`, default: true }))) {
      const { testConnection } = await import('../../control/testConnection.ts');
      const { createLogger } = await import('../../log/logger.ts');
      const logger = createLogger({ level: 'error', terminal: false, secrets: [loaded.accounts.credentials.api_key] });
      const lines = await testConnection(loaded.accounts, logger);
      for (const l of lines) p.say(`${l.ok ? 'ok  ' : 'FAIL'}  ${l.what}: ${l.detail}`);
      logger.close();
      if (!lines.every((l) => l.ok)) p.say('the files are written; fix the problem above, then: npx riskd admin test-connection');
    }

    const files = opts.dir === 'config' ? '' : ` --config ${riskPath} --accounts ${accountsPath}`;
    p.say('\nNext:');
    if (!keySet) p.say(`  export ${acc.apiKeyVar}=<your API key>       # from your trading platform: Settings → API`);
    p.say(`  npx riskd config validate --config ${riskPath} --accounts ${accountsPath}`);
    if (!keySet || !opts.test) p.say(`  npx riskd admin test-connection${files}`);
    p.say(`  npx riskd start${files}`);
    p.say(`  npx riskd watch                                  # in another terminal`);
    return 0;
  } catch (e) {
    if (e instanceof PromptAborted) {
      p.say(`riskd init: ${e.message}`);
      return 1;
    }
    if (e instanceof ConfigError) return 1;
    throw e;
  } finally {
    p.close();
  }
}

export function register(program: Command): void {
  program
    .command('init')
    .description('write config/accounts.yaml and a starter config/risk.yaml from a few questions (answers from stdin when it is not a terminal)')
    .option('--dir <dir>', 'where to write accounts.yaml and risk.yaml', 'config')
    .option('--force', 'replace existing files without asking')
    .option('--no-test', 'do not offer a test login')
    .action(async function (this: Command, opts: InitOptions) {
      setExitCode(this, await runInit(opts, defaultPrompter()));
    });
}
