// While the hubs are down riskd is blind to fills and positions; the degraded poller keeps it seeing by polling
// positions, working orders and today's fills over REST (priority 'poll', behind enforcement and reconcile).
// The interval is sized so polling uses only a share of the gateway's 200 calls / 60 s budget for N accounts,
// leaving the rest for enforcement.
import type { LedgerLogger } from '../ledger/ledger.ts';

export const REST_BUDGET_CALLS = 200;
export const REST_BUDGET_WINDOW_MS = 60_000;

export interface PollBudget {
  /** Calls per account per cycle (positions + orders + trades). Default 3. */
  callsPerAccount?: number;
  /** Share of the REST budget polling may use, 0..1. Default 0.5. */
  share?: number;
  /** Never poll faster than this. Default 2000 ms. */
  minIntervalMs?: number;
}

/** Interval between poll cycles for `accounts` accounts that keeps polling within its share of the budget. */
export function pollIntervalMs(accounts: number, b: PollBudget = {}): number {
  const calls = Math.max(1, accounts) * (b.callsPerAccount ?? 3);
  const share = b.share ?? 0.5;
  if (!(share > 0 && share <= 1)) throw new Error(`degraded poller: share must be in (0, 1], got ${share}`);
  const perCallMs = REST_BUDGET_WINDOW_MS / (REST_BUDGET_CALLS * share);
  return Math.max(b.minIntervalMs ?? 2000, Math.ceil(calls * perCallMs));
}

export interface DegradedPollerOptions extends PollBudget {
  /** Accounts to poll (read at every cycle: the set may change). */
  accounts: () => number[];
  /** One poll of one account: reconcileAccount(deps, id, { priority: 'poll' }). */
  poll: (accountId: number) => Promise<unknown>;
  logger: LedgerLogger;
}

export interface DegradedPoller {
  /** Starts polling (first cycle at once); no-op when running. */
  start(): void;
  /** Stops after the cycle in flight (if any); no more cycles are scheduled. */
  stop(): void;
  readonly running: boolean;
  /** Completed cycles since creation. */
  readonly cycles: number;
}

export function createDegradedPoller(opts: DegradedPollerOptions): DegradedPoller {
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cycles = 0;
  let generation = 0; // a stop+start while a cycle is in flight must not leave two loops

  const cycle = async (gen: number): Promise<void> => {
    const ids = opts.accounts();
    for (const id of ids) {
      if (!running || gen !== generation) return;
      try {
        await opts.poll(id);
      } catch (err) {
        opts.logger.warn('degraded poller: poll failed', { accountId: id, error: String(err) });
      }
    }
    cycles++;
    if (!running || gen !== generation) return;
    timer = setTimeout(() => void cycle(gen), pollIntervalMs(ids.length, opts));
  };

  return {
    start() {
      if (running) return;
      running = true;
      generation++;
      opts.logger.info('degraded poller: hubs down, polling REST', { intervalMs: pollIntervalMs(opts.accounts().length, opts) });
      void cycle(generation);
    },
    stop() {
      if (!running) return;
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      opts.logger.info('degraded poller: stopped');
    },
    get running() {
      return running;
    },
    get cycles() {
      return cycles;
    },
  };
}
