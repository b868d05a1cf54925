// Trading accounts: balance (realized cash), canTrade, simulated vs live, bracket mode.
import type { Account } from '../../gateway/models.ts';
import type { SimAccountSeed } from '../types.ts';
import { cents, type EventBus } from './bus.ts';

export interface SimAccount extends Account {
  bracketMode: 'autoOco' | 'position';
}

export class AccountBook {
  private readonly byId = new Map<number, SimAccount>();

  constructor(
    seeds: SimAccountSeed[],
    private readonly bus: EventBus,
  ) {
    for (const s of seeds) {
      if (!Number.isInteger(s.id) || s.id <= 0) throw new Error(`sim accounts: id must be a positive integer (got ${String(s.id)} for "${s.name}")`);
      if (this.byId.has(s.id)) throw new Error(`sim accounts: duplicate id ${s.id}`);
      this.byId.set(s.id, {
        id: s.id,
        name: s.name,
        balance: s.balance ?? 50000,
        canTrade: s.canTrade ?? true,
        isVisible: s.isVisible ?? true,
        simulated: s.simulated ?? true,
        bracketMode: s.bracketMode ?? 'autoOco',
      });
    }
  }

  get(id: number): SimAccount | undefined {
    return this.byId.get(id);
  }

  all(): SimAccount[] {
    return [...this.byId.values()];
  }

  /** The public Account shape, as REST and the hub send it. */
  static wire(a: SimAccount): Account {
    return { id: a.id, name: a.name, balance: a.balance, canTrade: a.canTrade, isVisible: a.isVisible, simulated: a.simulated };
  }

  setCanTrade(id: number, v: boolean): void {
    const a = this.must(id);
    a.canTrade = v;
    this.emit(a);
  }

  setBalance(id: number, balance: number): void {
    const a = this.must(id);
    a.balance = cents(balance);
    this.emit(a);
  }

  setBracketMode(id: number, mode: 'autoOco' | 'position'): void {
    this.must(id).bracketMode = mode;
  }

  /** Books realized P&L net of fees into the balance (commissions are not deducted). */
  applyCash(id: number, amount: number): void {
    if (amount === 0) return;
    const a = this.must(id);
    a.balance = cents(a.balance + amount);
    this.emit(a);
  }

  private must(id: number): SimAccount {
    const a = this.byId.get(id);
    if (!a) throw new Error(`sim: unknown account ${id}`);
    return a;
  }

  private emit(a: SimAccount): void {
    this.bus.user({ accountId: a.id, target: 'GatewayUserAccount', action: 1, data: { ...AccountBook.wire(a) } });
  }
}
