// The risk configuration each watched account runs with (the daemon's own, after overrides and defaults),
// replaced as a whole at start and on every reload. Views read it instead of a config file.
import type { Database } from 'better-sqlite3';
import type { RiskConfig } from '../../config/types.ts';
import { parseJsonColumn, toJsonColumn } from './json.ts';

export interface EffectiveConfigRow {
  accountId: number;
  accountName: string;
  config: RiskConfig;
  savedAt: number;
}

export interface EffectiveConfigRepo {
  /** Replaces every saved row with `rows` (accounts no longer watched are dropped). */
  replace(rows: readonly Omit<EffectiveConfigRow, 'savedAt'>[], savedAt: number): void;
  all(): EffectiveConfigRow[];
  get(accountId: number): EffectiveConfigRow | undefined;
}

interface Raw {
  account_id: number;
  account_name: string;
  config: string;
  saved_at: number;
}

const decode = (file: string) => (r: Raw): EffectiveConfigRow => ({
  accountId: r.account_id,
  accountName: r.account_name,
  config: parseJsonColumn(r.config, `effective_config.config of account ${r.account_id}`, file) as RiskConfig,
  savedAt: r.saved_at,
});

export function effectiveConfigRepo(db: Database): EffectiveConfigRepo {
  const clear = db.prepare('DELETE FROM effective_config');
  const insert = db.prepare('INSERT INTO effective_config (account_id, account_name, config, saved_at) VALUES (?, ?, ?, ?)');
  const all = db.prepare<[], Raw>('SELECT * FROM effective_config ORDER BY account_id');
  const get = db.prepare<[number], Raw>('SELECT * FROM effective_config WHERE account_id = ?');
  const replace = db.transaction((rows: readonly Omit<EffectiveConfigRow, 'savedAt'>[], savedAt: number) => {
    clear.run();
    for (const r of rows) insert.run(r.accountId, r.accountName, toJsonColumn(r.config, `effective_config.config of account ${r.accountId}`, db.name), savedAt);
  });
  return {
    replace: (rows, savedAt) => replace(rows, savedAt),
    all: () => all.all().map(decode(db.name)),
    get: (id) => {
      const r = get.get(id);
      return r ? decode(db.name)(r) : undefined;
    },
  };
}
