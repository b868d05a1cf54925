// How the CLI finds a running riskd: --port if given, else the port the daemon recorded in its data dir's
// store when its control server started, else the default 8765.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStoreReadOnly, type Store } from '../store/index.ts';

export const DEFAULT_CONTROL_PORT = 8765;

export function stateFile(dataDir: string): string {
  return join(dataDir, 'state.db');
}

/** The data dir's store opened read-only, or null when riskd never ran there. Throws StoreError on a bad file. */
export function openStateReadOnly(dataDir: string): Store | null {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return null;
  return openStoreReadOnly(file);
}

export function controlPort(dataDir: string, explicit?: number): number {
  if (explicit !== undefined) return explicit;
  try {
    const store = openStateReadOnly(dataDir);
    if (!store) return DEFAULT_CONTROL_PORT;
    try {
      const p = Number(store.meta.get('control.port'));
      return Number.isInteger(p) && p > 0 && p <= 65535 ? p : DEFAULT_CONTROL_PORT;
    } finally {
      store.close();
    }
  } catch {
    return DEFAULT_CONTROL_PORT;
  }
}
