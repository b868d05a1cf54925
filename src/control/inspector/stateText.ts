// A state value as one line of leaf paths, in definition order: "tradingDay.current,session.inside,
// lockout.locked" for the account, "awaitingStop" for a position. Stored in the transitions audit
// (from/to) and turned back into active state ids by the inspector page.
import type { StateValue } from 'xstate';

export function stateText(value: StateValue | undefined | null): string {
  if (value === undefined || value === null) return '';
  const out: string[] = [];
  const walk = (prefix: string, v: StateValue): void => {
    if (typeof v === 'string') {
      out.push(prefix ? `${prefix}.${v}` : v);
      return;
    }
    const keys = Object.keys(v);
    if (keys.length === 0 && prefix) out.push(prefix);
    for (const k of keys) {
      const sub = v[k];
      const path = prefix ? `${prefix}.${k}` : k;
      if (sub === undefined) out.push(path);
      else walk(path, sub as StateValue);
    }
  };
  walk('', value);
  return out.join(',');
}

/** The active state ids ("<machineId>.<path>" and every ancestor) of a stateText line. */
export function idsOfStateText(machineId: string, text: string): string[] {
  const ids = new Set<string>([machineId]);
  for (const leaf of text.split(',').filter(Boolean)) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) ids.add(`${machineId}.${parts.slice(0, i).join('.')}`);
  }
  return [...ids];
}
