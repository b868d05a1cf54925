// A recording logger and change collector for router / reconcile tests.
import type { LedgerChange } from '../../src/ledger/change.ts';
import type { LedgerLogger } from '../../src/ledger/ledger.ts';

export function recordingLogger(): LedgerLogger & { lines: { level: string; msg: string; fields?: object }[] } {
  const lines: { level: string; msg: string; fields?: object }[] = [];
  const at = (level: string) => (msg: string, fields?: object) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function collector(): { changes: { accountId: number; change: LedgerChange }[]; onChange: (a: number, c: LedgerChange) => void; kinds(): string[] } {
  const changes: { accountId: number; change: LedgerChange }[] = [];
  return {
    changes,
    onChange: (accountId, change) => void changes.push({ accountId, change }),
    kinds: () => changes.map(({ change: c }) => (c.kind === 'position' || c.kind === 'order' ? `${c.kind}:${c.what}` : c.kind)),
  };
}
