import type { Clock } from '../../clock';
import type { Logger } from '../../observability/logger';
import type { SipTransport } from '../transport/transport';
import type { TimerSettings } from './transaction-timer';

/** What every transaction gets from the layer that owns it. */
export interface TransactionContext {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly logger: Logger;
  /** Called once by a transaction as it terminates, so the layer drops it from its tables. */
  release(kind: 'client' | 'server', key: string, transaction: object): void;
}

/** An error from a transport promise as an Error, whatever was thrown. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
