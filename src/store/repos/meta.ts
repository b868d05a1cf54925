// Small key/value facts about the data file (e.g. created_at, last clean shutdown).
import type { Database } from 'better-sqlite3';

export interface MetaRepo {
  get(key: string): string | undefined;
  set(key: string, v: string): void;
}

export function metaRepo(db: Database): MetaRepo {
  const get = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
  const set = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  return {
    get: (key) => get.get(key),
    set: (key, v) => {
      set.run(key, v);
    },
  };
}
