import type { Clock } from '../../clock';
import type { Logger } from '../../observability/logger';
import type { SipTransport } from '../transport/transport';
import type { Lingering } from './linger-queues';
import type { TimerSettings } from './transaction-timer';

/** What every transaction gets from the layer that owns it. */
export interface TransactionContext {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly logger: Logger;
  /** Ends `transaction` `ms` from now: a wait in a state it leaves only by ending (Timers D, I, J, K, L, M). */
  endAfter(ms: number, transaction: Lingering): void;
  /** Called once by a transaction as it terminates, so the layer drops it from its tables. */
  release(kind: 'client' | 'server', key: string, transaction: object): void;
}
