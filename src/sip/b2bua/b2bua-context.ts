import type { Clock } from '../../clock';
import type { FixedDelayTimers } from '../../calls/fixed-delay-timers';
import type { Admission } from '../../calls/admission';
import type { CallRegistry } from '../../calls/call-registry';
import type { Identity } from '../../cmr/model';
import type { Selection } from '../../cmr/ringing-selection';
import type { AppConfig } from '../../config/schema';
import type { Logger } from '../../observability/logger';
import type { Dialog } from '../dialog/dialog';
import type { SipUserAgent } from '../ua/user-agent';
import type { CallSession } from './call-session';

/** What the CMR domain tells the B2BUA about ringing media; kept narrow so tests can stand in for it. */
export interface RingingMediaPort {
  select(request: { called: Identity; caller: Identity | null; callId: string; at: Date }): Promise<Selection | null>;
}

/** Everything a call session shares with the B2BUA that made it. */
export interface B2buaContext {
  readonly ua: SipUserAgent;
  readonly registry: CallRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<AppConfig, 'b2bua' | 'media'>;
  readonly ringingMedia: RingingMediaPort;
  /** Rate and load limits for new calls; absent: every call is admitted. */
  readonly admission?: Pick<Admission, 'admitCall'>;
  /** The Recv-Info of our 183s (`media.recvInfo`), one string for every call: a 183 lives as long as the call rings. */
  readonly recvInfo: string;
  /** The no-answer timer of every ringing call (`b2bua.noAnswerTimeoutMs`). */
  readonly noAnswer: FixedDelayTimers<CallSession>;
  /** Routes a dialog's requests and its end to the session that owns it (the dialog's owner). */
  bind(dialog: Dialog, session: CallSession): void;
  unbind(dialog: Dialog): void;
  /** A new call was refused before it started (503): for the metrics. */
  refused(reason: string): void;
  /** The session has ended: the B2BUA forgets it (its dialogs may still be closing). */
  sessionEnded(session: CallSession): void;
}
