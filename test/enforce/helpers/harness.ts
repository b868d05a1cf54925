// Wires an Executor to a gateway, a hand-driven clock, an audit log, and recorders for the attribution port,
// re-evaluation requests, onAction rows and what it reports about riskd's own orders.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { Executor, type ExecutorDeps, type ReevaluateSource } from '../../../src/enforce/executor.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import type {
  AccountStateView,
  AttributionPort,
  CheckReads,
  EnforcementRequest,
  EnforcementRest,
  EnforcementRow,
  ExecutorOptions,
  OwnOrderFact,
} from '../../../src/enforce/types.ts';
import { createLogger } from '../../../src/log/logger.ts';
import type { Intent } from '../../../src/rules/types.ts';
import { ManualClock } from './manualClock.ts';

/** The real SQLite store in a temp dir; closed and removed when the current test finishes. */
function tempStore(): Store {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskd-enforce-'));
  const store = openStore(path.join(dir, 'state.db'));
  onTestFinished(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/** enforcement_log rows in insertion order. */
export interface AuditRows {
  list(): EnforcementRow[];
}

export interface Harness {
  executor: Executor;
  clock: ManualClock;
  audit: AuditRows;
  store: Store;
  attribution: { pending: [number, string, number, number?][]; orders: [number, number][] } & AttributionPort;
  /** Re-evaluations asked for: account, contract ('rest' ones are per account), and what they decide on. */
  /** What the executor asked to re-evaluate on: the answers a check read come fourth. */
  reevaluations: ([number, string | undefined, ReevaluateSource] | [number, string | undefined, ReevaluateSource, CheckReads])[];
  actions: EnforcementRow[];
  /** What the executor reported about riskd's own orders (for the account machine to answer). */
  ownOrders: OwnOrderFact[];
  request(intent: Intent, rule?: string, reason?: string): EnforcementRequest;
  /** A new executor on the same store, clock and gateway: what a restarted riskd starts with. */
  restart(): Executor;
}

export function makeHarness(
  rest: EnforcementRest,
  opts: { view?: (accountId: number) => AccountStateView | undefined; reconciled?: (accountId: number) => boolean; options?: ExecutorOptions } = {},
): Harness {
  const clock = new ManualClock();
  const store = tempStore();
  const audit: AuditRows = { list: () => store.enforcement.list({ limit: 10_000 }).sort((a, b) => (a.id ?? 0) - (b.id ?? 0)) };
  const pending: [number, string, number, number?][] = [];
  const orders: [number, number][] = [];
  const attribution = {
    pending,
    orders,
    markEnforcementPending: (a: number, c: string, until: number, since?: number) => void pending.push([a, c, until, since]),
    markEnforcementOrder: (a: number, o: number) => void orders.push([a, o]),
  };
  const reevaluations: Harness['reevaluations'] = [];
  const actions: EnforcementRow[] = [];
  const ownOrders: OwnOrderFact[] = [];
  const deps: ExecutorDeps = {
    rest,
    auditLog: store.enforcement,
    attribution,
    logger: createLogger({ terminal: false }),
    reevaluate: (a, c, source, reads) => void reevaluations.push(reads ? [a, c, source, reads] : [a, c, source]),
    onAction: (row) => void actions.push(row),
    onOwnOrder: (fact) => void ownOrders.push(fact),
    refusals: store.gatewayRefusals,
    now: clock.now,
    timers: clock,
    ...(opts.view ? { view: opts.view } : {}),
    ...(opts.reconciled ? { reconciled: opts.reconciled } : {}),
    ...(opts.options ? { options: opts.options } : {}),
  };
  return {
    executor: new Executor(deps),
    clock,
    audit,
    store,
    attribution,
    reevaluations,
    actions,
    ownOrders,
    request: (intent, rule = 'RULE-003', reason = 'Daily loss $512.40 reached your $500 limit') => ({
      intent,
      rule,
      reason,
      numbers: { limit: 500, value: -512.4 },
      triggerAt: clock.now() - 3,
    }),
    restart: () => new Executor(deps),
  };
}
