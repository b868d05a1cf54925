// The ordered list of schema migrations. To change the schema, add NNN-name.ts with the next version and list
// it here; never edit a migration that has shipped (old data files were built with it).
import { migration001 } from './001-initial.ts';
import { migration002 } from './002-audit-and-inspection.ts';
import { migration003 } from './003-effective-config.ts';
import { migration004 } from './004-replay-cache.ts';
import type { Migration } from './types.ts';

export type { Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004];

/** The schema version this code writes and expects. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.length;

MIGRATIONS.forEach((m, i) => {
  if (m.version !== i + 1) throw new Error(`store migrations out of order: ${m.name} has version ${m.version}, expected ${i + 1}`);
});
