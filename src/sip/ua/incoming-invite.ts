import type { TimerHandle } from '../../clock';
import { Dialog } from '../dialog/dialog';
import { requestTemplate } from '../message/request-template';
import type { SipRequest, SipResponse } from '../message/sip-message';
import type { ServerTransaction } from '../transaction/transaction-user';
import { IncomingRequest, type RespondOptions } from './incoming-request';
import { parseRAck, ReliableProvisionals, reliabilityOf, type Reliability } from './reliable-provisionals';
import type { UaContext } from './ua-context';

/** Called as methods of the object given (`handlers.onAck(...)`): a class instance may be given. */
export interface InviteHandlers {
  /** The caller cancelled before we answered; the UA already sent 487. */
  onCancel?: () => void;
  /** The ACK for our 2xx arrived (it may carry the answer SDP of a late offer). */
  onAck?: (ack: SipRequest) => void;
  /** No ACK came for our 2xx within 64*T1: the UA sent BYE and ended the dialog (RFC 3261 §13.3.1.4). */
  onAckTimeout?: () => void;
  /** No PRACK came for a reliable provisional within 64*T1: the UA answered the INVITE 500 (RFC 3262 §3). */
  onPrackTimeout?: () => void;
}

export interface ProgressOptions extends RespondOptions {
  /** Send it reliably (RFC 3262) if the caller supports 100rel; a caller that requires it gets every one so. */
  readonly reliable?: boolean;
}

const NO_HANDLERS: InviteHandlers = Object.freeze({});

/**
 * What is read of an initial INVITE once its dialog exists: the headers its responses copy (RFC 3261
 * §8.2.6, §12.1.1), the caller's Allow, and its offer with its Content-Type.
 */
const ANSWERING_TEMPLATE = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'record-route', 'allow', 'content-type']);

/**
 * The UAS side of an INVITE (RFC 3261 §13.3): provisional answers create an early dialog, a 2xx
 * confirms it and is retransmitted by us (not the transaction, RFC 6026) until the ACK arrives.
 * Provisionals go reliably (RFC 3262) when the caller asks for it, or supports it and we want it.
 */
export class IncomingInvite extends IncomingRequest {
  private dialogRef: Dialog | null = null;
  private retransmit: TimerHandle | null = null;
  private accepted: SipResponse | null = null;
  /** RFC 3262 for this INVITE; none for a caller that does not take part in 100rel (most never do). */
  private readonly reliable: ReliableProvisionals | null;
  /** 100rel on the caller's side; re-INVITEs are answered without it. */
  readonly reliability: Reliability;
  handlers: InviteHandlers = NO_HANDLERS;

  /** `dialog` is given for a re-INVITE: its answers belong to that dialog, none is created. */
  constructor(request: SipRequest, transaction: ServerTransaction, ua: UaContext, dialog?: Dialog) {
    super(request, transaction, ua);
    if (dialog) this.dialogRef = dialog;
    this.reliability = dialog ? 'none' : reliabilityOf(request);
    this.reliable =
      this.reliability === 'none'
        ? null
        : new ReliableProvisionals(request, {
            clock: ua.clock,
            t1Ms: ua.timers.t1Ms,
            resend: (response) => this.resend(response, 'reliable provisional'),
            gaveUp: () => this.prackTimedOut(),
          });
  }

  get isReinvite(): boolean {
    return this.request.toTag !== null;
  }

  get dialog(): Dialog | null {
    return this.dialogRef;
  }

  /**
   * Sends 180/183 (with SDP for early media); creates the early dialog on the first one. A reliable one
   * waits for the PRACK of the one before it (RFC 3262 §3), so it may go out later, or not at all when
   * the INVITE is answered first.
   */
  progress(status: number, opts: ProgressOptions = {}): Dialog {
    if (status <= 100 || status >= 200) throw new RangeError(`progress takes a 101-199 status, not ${status}`);
    const dialog = this.ensureDialog();
    const { reliable, ...respond } = opts;
    const withContact = { ...respond, headers: [...(opts.headers ?? []), ['Contact', dialog.localContact] as const] };
    const rel = this.reliable;
    if (rel !== null && (this.reliability === 'required' || reliable === true)) {
      rel.whenFree(() => {
        if (this.finalSent) return;
        const response = this.buildResponse(status, withContact);
        rel.stamp(response);
        this.send(response);
      });
    } else {
      this.respond(status, withContact);
    }
    return dialog;
  }

  /**
   * Resolves true once no reliable provisional awaits its PRACK (at once when none does), false when
   * the INVITE got its final answer or was given up first.
   */
  provisionalsAcknowledged(): Promise<boolean> {
    return this.reliable?.acknowledged() ?? Promise.resolve(!this.finalSent);
  }

  /**
   * Answers 2xx and keeps retransmitting it with T1 doubling to T2 until the ACK (or 64*T1). After a
   * reliable provisional with an SDP answer, the 2xx waits for its PRACK (RFC 3262 §3).
   */
  accept(opts: RespondOptions & { status?: number } = {}): Dialog {
    const dialog = this.ensureDialog();
    const send = (): void => {
      if (this.finalSent) return;
      this.reliable?.close();
      if (dialog.state === 'early') dialog.state = 'confirmed';
      this.accepted = this.respond(opts.status ?? 200, {
        ...opts,
        headers: [...(opts.headers ?? []), ['Contact', dialog.localContact]],
      });
      this.scheduleRetransmit(this.ua.timers.t1Ms, this.ua.clock.now() + 64 * this.ua.timers.t1Ms);
    };
    if (this.reliable) this.reliable.whenFree(send);
    else send();
    return dialog;
  }

  /** A PRACK in this INVITE's early dialog: 200 when it acknowledges the provisional in flight, else 481. */
  prack(incoming: IncomingRequest): void {
    const rack = parseRAck(incoming.request.headers.get('rack'));
    if (this.reliable === null || !this.reliable.matches(rack)) {
      incoming.respond(481, { reason: 'Call/Transaction Does Not Exist' });
      return;
    }
    incoming.respond(200);
    this.reliable.acknowledge();
  }

  /** A final non-2xx answer; an early dialog, if any, ends with it. */
  reject(status: number, opts: RespondOptions = {}): void {
    if (status < 300) throw new RangeError(`reject takes a 3xx-6xx status, not ${status}`);
    this.reliable?.close();
    this.respond(status, opts);
    this.handlersDone();
    // A failed re-INVITE leaves its dialog as it was (RFC 3261 §14.2); a failed INVITE ends the early one.
    if (this.dialogRef && !this.isReinvite) this.ua.dialogEnded(this.dialogRef, `rejected ${status}`);
  }

  /** Called by the UA core for a CANCEL matched to this INVITE. */
  cancelled(): void {
    if (this.finalSent) return;
    const handlers = this.handlers;
    this.reject(487, { reason: 'Request Terminated' });
    handlers.onCancel?.();
  }

  /** Called by the UA core for the ACK of our 2xx. */
  acknowledged(ack: SipRequest): void {
    if (this.retransmit) this.ua.clock.clearTimeout(this.retransmit);
    this.retransmit = null;
    this.accepted = null;
    const handlers = this.handlers;
    this.handlersDone();
    handlers.onAck?.(ack);
  }

  /** A final answer also tells the core: it need not find this INVITE for a CANCEL any more. */
  protected override send(response: SipResponse): SipResponse {
    super.send(response);
    if (response.status >= 200) this.ua.inviteAnswered(this.transaction);
    return response;
  }

  get awaitingAck(): boolean {
    return this.accepted !== null;
  }

  private ensureDialog(): Dialog {
    if (!this.dialogRef) {
      const protocol = this.request.source?.protocol ?? 'udp';
      this.dialogRef = Dialog.asUas(this.request, this.localTag, this.ua.contactFor(protocol));
      // The dialog has what it needs: the INVITE is kept, for as long as it rings, as a template.
      this.keepOnly(
        requestTemplate(this.request, ANSWERING_TEMPLATE, { keepBody: true, shared: [this.dialogRef.callId] }),
      );
      this.ua.dialogs.add(this.dialogRef);
      this.ua.dialogCreated(this, this.dialogRef);
    } else if (this.isReinvite) {
      // The ACK for this re-INVITE's 2xx is matched through the dialog, to this request.
      this.ua.dialogCreated(this, this.dialogRef);
    }
    return this.dialogRef;
  }

  private scheduleRetransmit(interval: number, deadline: number): void {
    this.retransmit = this.ua.clock.setTimeout(() => {
      const response = this.accepted;
      const dialog = this.dialogRef;
      if (!response || !dialog) return;
      if (this.ua.clock.now() >= deadline) {
        this.retransmit = null;
        this.accepted = null;
        this.ua.logger.warn('no ACK for 2xx, ending dialog', { callId: this.request.callId });
        const handlers = this.handlers;
        this.handlersDone();
        handlers.onAckTimeout?.();
        this.ua.dialogEnded(dialog, 'ack timeout');
        return;
      }
      this.resend(response, '2xx');
      this.scheduleRetransmit(Math.min(interval * 2, this.ua.timers.t2Ms), deadline);
    }, interval);
  }

  /** The UA core retransmits 2xx and reliable provisionals itself, past the transaction (RFC 6026, 3262). */
  private resend(response: SipResponse, what: string): void {
    this.ua.transport.sendResponse(response, this.request.source, (error) => {
      this.ua.logger.warn(`${what} retransmission failed`, { callId: this.request.callId, error: error.message });
    });
  }

  private prackTimedOut(): void {
    if (this.finalSent) return;
    this.ua.logger.warn('no PRACK for a reliable provisional: rejecting the INVITE', { callId: this.request.callId });
    const handlers = this.handlers;
    this.reject(500, { reason: 'Reliable Provisional Response Not Acknowledged' });
    handlers.onPrackTimeout?.();
  }

  /**
   * None of the handlers can fire any more (the ACK came or never will, or the answer was a failure): they
   * go, so that what they close over (a whole call) is not kept while the transaction holds this INVITE,
   * 64*T1 after a 2xx over UDP (RFC 6026).
   */
  private handlersDone(): void {
    this.handlers = NO_HANDLERS;
  }

  /** Stops the 2xx retransmissions (the dialog ended some other way). */
  dispose(): void {
    this.handlersDone();
    this.reliable?.close();
    if (this.retransmit) this.ua.clock.clearTimeout(this.retransmit);
    this.retransmit = null;
    this.accepted = null;
  }
}
