// What planning hands the executor (plan*.ts -> executor.ts), as data: a gateway mutation to start, or an audit row
// saying why none is sent. Also the registry's keys (one action per key) and each kind's endpoint.
import type { ActionKind } from '../../machines/action/index.ts';
import type { OrderSide } from '../gateway/models.ts';
import type { Endpoint } from './gatewayOutcome.ts';

export const ENDPOINT: Record<ActionKind, Endpoint> = {
  close: 'Position/closeContract',
  reduce: 'Position/partialCloseContract',
  cancel: 'Order/cancel',
  modifyStop: 'Order/modify',
  placeStop: 'Order/place',
};

/** Registry keys: closes and reduces of a contract share one, as do the stop moves of a contract. */
export const positionKey = (accountId: number, contractId: string): string => `pos:${accountId}:${contractId}`;
export const orderKey = (accountId: number, orderId: number): string => `ord:${accountId}:${orderId}`;
export const stopKey = (accountId: number, contractId: string): string => `stop:${accountId}:${contractId}`;

/** One gateway mutation to start. */
export interface ActionSpec {
  kind: ActionKind;
  key: string;
  contractId?: string;
  orderId?: number;
  /** reduce: contracts to close; placeStop: stop size. */
  size?: number;
  /** Position size when the action began, if the ledger knew it. */
  startSize?: number;
  stopPrice?: number;
  side?: OrderSide;
  /** The row's first outcome: why the action differs from what the intent asked. */
  note?: string;
}

/** The audit row of an intent (or part of one) that sends nothing: why, and what it would have touched. */
export interface SkipFields {
  endpoint?: string;
  contractId?: string | null;
  /** Merged into the row's numbers. */
  extra?: Record<string, unknown>;
}

/** What to do for one position or order of an intent. */
export type Step =
  | {
      do: 'start';
      spec: ActionSpec;
      /** First tell the throttled stop move that holds spec.key it is superseded, with this outcome. */
      supersedes?: string;
      /** First forget riskd's own stop on spec.contractId: it is no longer working. */
      forgetOwnStop?: true;
    }
  | {
      do: 'skip';
      outcome: string;
      status: 'skipped' | 'failed';
      fields?: SkipFields;
      /** First watch this order: the account refuses cancels, so its fill is answered by a close. */
      watch?: { orderId: number; contractId?: string };
    };
