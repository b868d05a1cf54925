// ProjectX Gateway domain model: the enums and entities exactly as the gateway defines them
// (see ../shared/reference/projectx-api.md §4). Everything else in riskd speaks these types.
// Timestamps are parsed to UTC epoch milliseconds at the edge (gateway/parse), never kept as strings.

export const OrderSide = { Bid: 0, Ask: 1 } as const;
export type OrderSide = (typeof OrderSide)[keyof typeof OrderSide];

export const OrderType = {
  Unknown: 0,
  Limit: 1,
  Market: 2,
  StopLimit: 3,
  Stop: 4,
  TrailingStop: 5,
  JoinBid: 6,
  JoinAsk: 7,
} as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

export const OrderStatus = {
  None: 0,
  Open: 1,
  Filled: 2,
  Cancelled: 3,
  Expired: 4,
  Rejected: 5,
  Pending: 6,
  PendingCancellation: 7,
  Suspended: 8,
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** Working statuses: the order can still fill. 2-5 are terminal. */
export const WORKING_ORDER_STATUSES: readonly OrderStatus[] = [1, 6, 7, 8];
export const isWorkingStatus = (s: number): boolean => s === 1 || s === 6 || s === 7 || s === 8;

export const PositionType = { Undefined: 0, Long: 1, Short: 2 } as const;
export type PositionType = (typeof PositionType)[keyof typeof PositionType];

export interface Account {
  id: number;
  name: string;
  balance: number;
  canTrade: boolean;
  isVisible: boolean;
  /** Practice/Combine accounts are simulated; live funded accounts refuse cancel and partial close. */
  simulated: boolean;
}

export interface Contract {
  id: string; // CON.F.US.MNQ.Z25
  name: string; // MNQZ5
  description: string;
  tickSize: number;
  tickValue: number;
  activeContract: boolean;
  symbolId: string; // F.US.MNQ
}

export interface Order {
  id: number; // int64 in the gateway, < 2^53
  accountId: number;
  contractId: string;
  symbolId?: string;
  creationTimestamp: number; // epoch ms
  updateTimestamp: number; // epoch ms
  /** Sub-millisecond part of updateTimestamp (0..9999 of 100 ns), for ordering ties. */
  updateTicks?: number;
  status: OrderStatus;
  type: OrderType;
  side: OrderSide;
  size: number;
  limitPrice?: number | null;
  stopPrice?: number | null;
  fillVolume: number;
  filledPrice?: number | null;
  customTag?: string | null;
  trailDistance?: number | null;
  trailPrice?: number | null;
  parentOrderId?: number | null;
  linkedOrderId?: number | null;
}

export interface Position {
  id: number;
  accountId: number;
  contractId: string;
  contractDisplayName?: string;
  creationTimestamp: number; // epoch ms
  type: PositionType; // 0 on a close event
  size: number; // always >= 0; 0 on a close event
  averagePrice: number;
}

export interface Trade {
  id: number;
  accountId: number;
  contractId: string;
  creationTimestamp: number; // epoch ms
  price: number;
  /** null on an entry (opening half-turn); gross realized P&L on an exit. */
  profitAndLoss: number | null;
  fees: number;
  commissions?: number | null;
  side: OrderSide;
  size: number;
  voided: boolean;
  orderId: number;
}

/** One sparse quote delta: a missing field is unknown, never 0. */
export interface QuoteDelta {
  contractId: string;
  symbol?: string;
  lastPrice?: number;
  bestBid?: number;
  bestAsk?: number;
  change?: number;
  changePercent?: number;
  open?: number;
  high?: number;
  low?: number;
  volume?: number;
  lastUpdated?: number; // epoch ms
  timestamp?: number; // epoch ms
}

/** Hub envelope action codes as observed: 0 trade created, 1 upsert, 2 removed/closed. */
export type HubAction = 0 | 1 | 2;

/** A typed event as it leaves gateway/ (after parse and unwrap), the router's only input. */
export type GatewayEvent =
  | { kind: 'account'; source: 'hub' | 'rest'; receivedAt: number; action?: HubAction; account: Account }
  | { kind: 'order'; source: 'hub' | 'rest'; receivedAt: number; action?: HubAction; order: Order }
  | { kind: 'position'; source: 'hub' | 'rest'; receivedAt: number; action?: HubAction; position: Position }
  | { kind: 'trade'; source: 'hub' | 'rest'; receivedAt: number; action?: HubAction; trade: Trade }
  | { kind: 'quote'; source: 'hub'; receivedAt: number; quote: QuoteDelta };
