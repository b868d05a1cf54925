// Builders for ledger tests: contracts with reference tick facts, events with explicit receive times.
import type { Account, Contract, GatewayEvent, Order, Position, Trade } from '../../src/gateway/models.ts';
import { LedgerRegistry } from '../../src/ledger/registry.ts';

export const CT = { resetTime: '17:00', timezone: 'America/Chicago' };
export const ACC = 13572468;
export const MNQ = 'CON.F.US.MNQ.Z25';
export const ES = 'CON.F.US.EP.Z25';
export const T0 = Date.parse('2025-11-21T14:35:00Z'); // 08:35 CT, Friday

export const contract = (id: string, name: string, tickSize: number, tickValue: number): Contract => ({
  id, name, description: name, tickSize, tickValue, activeContract: true, symbolId: id.split('.').slice(1, 4).join('.'),
});
export const MNQ_C = contract(MNQ, 'MNQZ5', 0.25, 0.5);
export const ES_C = contract(ES, 'ESZ5', 0.25, 12.5);

export function registry(now = T0): LedgerRegistry {
  const r = new LedgerRegistry({ tradingDay: CT });
  r.contracts.put(MNQ_C);
  r.contracts.put(ES_C);
  r.open(ACC, now);
  return r;
}

export const tradeEv = (t: Partial<Trade> & { id: number }, receivedAt: number, source: 'hub' | 'rest' = 'hub'): GatewayEvent => ({
  kind: 'trade', source, receivedAt, action: 0,
  trade: { accountId: ACC, contractId: MNQ, creationTimestamp: receivedAt, price: 100, profitAndLoss: null, fees: 0.37, side: 0, size: 1, voided: false, orderId: t.id * 10, ...t },
});
export const posEv = (p: Partial<Position> & { id: number }, receivedAt: number, action: 1 | 2 = 1, source: 'hub' | 'rest' = 'hub'): GatewayEvent => ({
  kind: 'position', source, receivedAt, action,
  position: { accountId: ACC, contractId: MNQ, creationTimestamp: T0, type: 1, size: 1, averagePrice: 100, ...p },
});
export const orderEv = (o: Partial<Order> & { id: number }, source: 'hub' | 'rest' = 'hub'): GatewayEvent => ({
  kind: 'order', source, receivedAt: o.updateTimestamp ?? T0, action: 1,
  order: { accountId: ACC, contractId: MNQ, creationTimestamp: T0, updateTimestamp: T0, status: 1, type: 4, side: 1, size: 1, fillVolume: 0, stopPrice: 90, ...o },
});
export const accountEv = (a: Partial<Account>, receivedAt: number): GatewayEvent => ({
  kind: 'account', source: 'hub', receivedAt, action: 1,
  account: { id: ACC, name: 'PRAC', balance: 50000, canTrade: true, isVisible: true, simulated: true, ...a },
});
