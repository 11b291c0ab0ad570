import type { Refusal } from '../../calls/admission';
import type { Call } from '../../calls/call';
import { FixedDelayTimers } from '../../calls/fixed-delay-timers';
import { ThrottledLog } from '../../observability/throttled-log';
import type { Dialog } from '../dialog/dialog';
import { detachedString } from '../message/flat-string';
import type { IncomingInvite } from '../ua/incoming-invite';
import type { IncomingRequest } from '../ua/incoming-request';
import type { UserAgentDelegate } from '../ua/user-agent';
import type { B2buaContext } from './b2bua-context';
import { CallSession, type CallerRequestHandler } from './call-session';

/** The reason phrase of a 503 for each way admission refuses a call. */
const REFUSAL_PHRASES: Readonly<Record<Refusal['reason'], string>> = {
  overload: 'Service Unavailable (Overload)',
  capacity: 'Service Unavailable (Overload)',
  'source-rate': 'Service Unavailable (Rate Limit)',
  'source-calls': 'Service Unavailable (Too Many Calls)',
  'requester-rate': 'Service Unavailable (Rate Limit)',
};

export interface B2buaHandlers {
  /** INFO or MESSAGE from the caller in its dialog (the copy triggers); false lets the B2BUA handle it. */
  readonly onCallerRequest?: CallerRequestHandler;
  /** A new call was refused before it started (503), and why. */
  readonly onCallRefused?: (reason: string) => void;
  /** A call ended (its session is forgotten). */
  readonly onCallEnded?: (call: Call) => void;
  /** A request outside any dialog that is not OPTIONS (e.g. a MESSAGE with Target-Dialog). */
  readonly onOutOfDialogRequest?: (request: IncomingRequest) => void;
}

/**
 * The B2BUA as the UA core's delegate: every new INVITE becomes a CallSession, and every in-dialog
 * request and dialog end is routed to the session owning that dialog.
 */
export class B2bua {
  private readonly byCallId = new Map<string, CallSession>();
  private refusing: number | null = null;
  private readonly context: B2buaContext;
  /** Refusals come in floods under attack or overload: a line now and then, the counts are in the metrics. */
  private readonly refusals: ThrottledLog;

  constructor(
    context: Omit<B2buaContext, 'bind' | 'unbind' | 'sessionEnded' | 'refused' | 'noAnswer' | 'recvInfo'>,
    private readonly handlers: B2buaHandlers = {},
  ) {
    this.context = {
      ...context,
      bind: (dialog, session) => void (dialog.owner = session),
      unbind: (dialog) => void (dialog.owner = null),
      sessionEnded: (session) => this.forget(session),
      refused: (reason) => this.handlers.onCallRefused?.(reason),
      recvInfo: context.config.media.recvInfo.join(', '),
      noAnswer: new FixedDelayTimers(context.clock, context.config.b2bua.noAnswerTimeoutMs, (session) =>
        session.noAnswerDue(),
      ),
    };
    this.refusals = new ThrottledLog({
      logger: context.logger,
      level: 'warn',
      message: 'calls refused',
      intervalMs: 10_000,
      clock: context.clock,
    });
    context.registry.onExpired((call) => this.onExpired(call));
  }

  get delegate(): UserAgentDelegate {
    return {
      onInvite: (invite) => this.onInvite(invite),
      onRequest: (request, dialog) => this.onRequest(request, dialog),
      onDialogEnded: (dialog, why) => this.onDialogEnded(dialog, why),
    };
  }

  /** The session a dialog belongs to (any of its legs), e.g. for a Target-Dialog lookup. */
  sessionForDialog(dialog: Dialog): CallSession | undefined {
    return dialog.owner instanceof CallSession ? dialog.owner : undefined;
  }

  get sessions(): number {
    return this.byCallId.size;
  }

  /** Draining for shutdown: new INVITEs get 503 with Retry-After; calls in progress go on. */
  refuseNewCalls(retryAfterSeconds: number): void {
    this.refusing = retryAfterSeconds;
  }

  /** Ends every call still up (the drain deadline passed). */
  hangUpAll(reason: string): void {
    for (const session of [...this.byCallId.values()]) session.hangUp(reason);
  }

  private onInvite(invite: IncomingInvite): void {
    if (this.refusing !== null) {
      this.handlers.onCallRefused?.('shutting-down');
      invite.reject(503, {
        reason: 'Service Unavailable (Shutting Down)',
        headers: [['Retry-After', String(this.refusing)]],
      });
      return;
    }
    // Kept as long as the call (the tables' keys): a copy, not a slice keeping the INVITE's whole text.
    const callId = detachedString(invite.request.callId);
    if (this.byCallId.has(callId)) {
      invite.reject(482, { reason: 'Loop Detected' });
      return;
    }
    const source = invite.request.source?.address ?? '';
    const trusted = this.context.config.b2bua.trustedPeers.includes(source);
    const refusal = this.context.admission?.admitCall(trusted ? null : source, this.context.clock.now(), callId);
    if (refusal) {
      this.refusals.record({ callId, source, reason: refusal.reason });
      this.handlers.onCallRefused?.(refusal.reason);
      invite.reject(503, {
        reason: REFUSAL_PHRASES[refusal.reason] ?? 'Service Unavailable',
        headers: [['Retry-After', String(refusal.retryAfterSeconds)]],
      });
      return;
    }
    const session = new CallSession(invite, callId, this.context, trusted, this.callerRequest);
    this.byCallId.set(callId, session);
    void session.start();
  }

  private onRequest(request: IncomingRequest, dialog: Dialog | null): void {
    if (dialog) {
      const session = this.sessionForDialog(dialog);
      if (session) return session.onDialogRequest(request, dialog);
      return void request.respond(481, { reason: 'Call/Transaction Does Not Exist' });
    }
    if (this.handlers.onOutOfDialogRequest) return this.handlers.onOutOfDialogRequest(request);
    request.respond(request.method === 'MESSAGE' ? 404 : 501);
  }

  /** One function for every session (a closure made per call would be kept for its whole life). */
  private readonly callerRequest: CallerRequestHandler = (request, call, early) =>
    this.handlers.onCallerRequest?.(request, call, early) ?? false;

  /** The session of a live call, by its A-leg Call-ID. */
  sessionForCall(callId: string): CallSession | undefined {
    return this.byCallId.get(callId);
  }

  private onDialogEnded(dialog: Dialog, why: string): void {
    const session = this.sessionForDialog(dialog);
    if (!session) return;
    session.onDialogEnded(dialog, why);
  }

  private onExpired(call: Call): void {
    const session = this.byCallId.get(call.id);
    if (!session) return;
    session.hangUp('call state expired');
  }

  private forget(session: CallSession): void {
    if (this.byCallId.get(session.call.id) === session) this.byCallId.delete(session.call.id);
    this.handlers.onCallEnded?.(session.call);
  }
}
