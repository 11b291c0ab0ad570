import type { Clock } from '../../clock';
import type { Logger } from '../../observability/logger';
import type { Dialog } from '../dialog/dialog';
import type { DialogTable } from '../dialog/dialog-table';
import type { TransportProtocol } from '../message/sip-message';
import type { SipMetrics } from '../../observability/metrics';
import type { SipTransport } from '../transport/transport';
import type { ServerTransaction } from '../transaction/transaction-user';
import type { IncomingInvite } from './incoming-invite';

/** What the UA's request and dialog objects share with the core that made them. */
export interface UaContext {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timers: { readonly t1Ms: number; readonly t2Ms: number; readonly t4Ms: number };
  readonly userAgent: string;
  readonly metrics: SipMetrics | null;
  readonly dialogs: DialogTable;
  contactFor(protocol: TransportProtocol): string;
  /** Called when a dialog ends, however it ended; the core drops it from the table. */
  dialogEnded(dialog: Dialog, why: string): void;
  /** An INVITE created its dialog: the core matches the ACK of its 2xx through it. */
  dialogCreated(invite: IncomingInvite, dialog: Dialog): void;
  /** An INVITE got its final answer: no CANCEL reaches it any more, so the core stops tracking it. */
  inviteAnswered(transaction: ServerTransaction): void;
}
