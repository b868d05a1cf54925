// All accounts' ledgers, with the two things they share: one QuoteBook and one ContractCache. It keeps an
// index contractId -> ledgers holding a position or working order there, so a quote (hundreds per second)
// touches only the accounts it concerns, in O(1) per account.
import type { ResetSpec } from '../calendar/tradingDay.ts';
import { QuoteBook } from './quotes.ts';
import { ContractCache } from './contracts.ts';
import { Ledger, type LedgerLogger } from './ledger.ts';
import type { LedgerStore } from './persist.ts';

export interface LedgerRegistryOptions {
  tradingDay: ResetSpec;
  store?: LedgerStore;
  logger?: LedgerLogger;
}

export class LedgerRegistry {
  readonly quotes = new QuoteBook();
  readonly contracts: ContractCache;
  private readonly ledgers = new Map<number, Ledger>();
  private readonly byContract = new Map<string, Set<Ledger>>();
  private static readonly NONE: ReadonlySet<Ledger> = new Set();

  constructor(private readonly opts: LedgerRegistryOptions) {
    this.contracts = new ContractCache(opts.store?.contracts);
    this.contracts.loadFromStore();
  }

  /** Creates (fresh) or restores (from the store, when there is one) the ledger of an account. */
  open(accountId: number, now: number): Ledger {
    const existing = this.ledgers.get(accountId);
    if (existing) return existing;
    const shared = {
      tradingDay: this.opts.tradingDay,
      quotes: this.quotes,
      contracts: this.contracts,
      onInterest: (acc: number, contractId: string, interested: boolean) => this.setInterest(acc, contractId, interested),
      ...(this.opts.logger ? { logger: this.opts.logger } : {}),
    };
    const ledger = this.opts.store
      ? Ledger.restore(this.opts.store, accountId, now, shared)
      : new Ledger({ ...shared, accountId, now });
    this.ledgers.set(accountId, ledger);
    // restore() reports interest before the ledger is registered: index it now.
    for (const c of ledger.contractsInPlay()) this.setInterest(accountId, c, true);
    return ledger;
  }

  get(accountId: number): Ledger | undefined {
    return this.ledgers.get(accountId);
  }

  all(): IterableIterator<Ledger> {
    return this.ledgers.values();
  }

  accountIds(): number[] {
    return [...this.ledgers.keys()];
  }

  /** Ledgers with an open position or working order in `contractId` (do not mutate). */
  holding(contractId: string): ReadonlySet<Ledger> {
    return this.byContract.get(contractId) ?? LedgerRegistry.NONE;
  }

  /** Every contract some account holds or works an order in (what the market hub should be subscribed to). */
  contractsInPlay(): string[] {
    return [...this.byContract.keys()];
  }

  private setInterest(accountId: number, contractId: string, interested: boolean): void {
    const ledger = this.ledgers.get(accountId);
    if (!ledger) return;
    let set = this.byContract.get(contractId);
    if (interested) {
      if (!set) this.byContract.set(contractId, (set = new Set()));
      set.add(ledger);
    } else if (set) {
      set.delete(ledger);
      if (set.size === 0) this.byContract.delete(contractId);
    }
  }
}

